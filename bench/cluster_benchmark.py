"""One node directly against the balancer in front of two, with the same load, side by side.
Run by hand, as root (it builds the hosts of cluster/hosts.py: network namespaces), not by
`make test`:

    .venv/bin/python bench/cluster_benchmark.py            # about 3 minutes
    .venv/bin/python bench/cluster_benchmark.py --seconds 10 --rounds 1   # a quick try

It starts the data host (PostgreSQL with pg_stat_statements, Redis, the S3 server) and two
web nodes (gunicorn, 2 workers each) with HAProxy in front, signs in the cluster test's
people (four writers updating their own items, every fourth update with a PDF, and a board
reader of the dashboard and the drill-down list), and runs them with no pause between
requests: for --seconds straight at node A (plain HTTP, as from the balancer), then for
--seconds through the balancer (TLS) with node B disabled (the balancer's own cost), then
through the balancer to both nodes, --rounds times each, in turn. For
each it prints requests per second, the median and 95th percentile latency, and the
database's own time per request (pg_stat_statements: execution time of every statement,
summed, over the requests). No Celery runs: this measures the web tier.

On a machine whose cores the nodes share (the 2-core development machine) the second node
adds no cores, so the ratio measures what the balancer and the second node cost, not what
they gain; on separate hosts throughput grows with the nodes until the database is the limit,
and the database time per request is what a larger database host shrinks.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# cluster/ reuses the test suite's helpers, which import the models: set Django up first
# (this process itself touches no database).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rocu_tracker.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from cluster import load  # noqa: E402
from cluster.client import Browser  # noqa: E402
from cluster.hosts import HOSTS, PASSWORD, WEB_PORT, Cluster  # noqa: E402


def _people(data: dict, host: str, port: int, *, tls: bool, records: list) -> list:
    people = [
        load.Person(Browser(name, host, port, tls=tls, records=records), item=writer["item"])
        for name, writer in data["writers"].items()
    ]
    people.append(load.Person(Browser("bob", host, port, tls=tls, records=records)))
    for person in people:
        person.browser.sign_in(person.browser.name.split("@")[0], PASSWORD)
    return people


def _measure(cluster: Cluster, people: list, records: list, seconds: float) -> dict:
    records.clear()
    cluster.psql("rocu", "SELECT pg_stat_statements_reset()")
    started = time.monotonic()
    load.run(people, seconds=seconds, max_rounds=100_000, pause=0.0)
    elapsed = time.monotonic() - started
    ((exec_ms, calls),) = cluster.query(
        "SELECT coalesce(sum(total_exec_time), 0), coalesce(sum(calls), 0) "
        "FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'"
    )
    done = [r for r in records if r.ok]
    latencies = sorted(r.ended - r.started for r in done)
    return {
        "requests": len(done),
        "errors": len(records) - len(done),
        "per_second": len(done) / elapsed,
        "median_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
        "db_ms": float(exec_ms) / max(1, len(records)),
        "queries": int(calls) / max(1, len(records)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30, help="length of each run")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each setup")
    args = parser.parse_args()

    cluster = Cluster()
    try:
        cluster.start_postgres()
        cluster.start_redis()
        cluster.start_s3()
        data = cluster.prepare()
        for host in ("web-a", "web-b"):
            cluster.start_web(host)
        cluster.start_balancer()
        for host in ("web-a", "web-b"):
            cluster.wait_web(host)
        cluster.wait_states({"web1": "UP", "web2": "UP"}, timeout=30)

        records: list = []
        lb = ("127.0.0.1", cluster.lb_port)
        setups = {
            "node A directly": _people(data, HOSTS["web-a"], WEB_PORT, tls=False, records=records),
            "balancer, node A only": _people(data, *lb, tls=True, records=records),
            "balancer, 2 nodes": _people(data, *lb, tls=True, records=records),
        }
        for people in setups.values():  # warm both nodes' processes up
            load.run(people, seconds=3, max_rounds=100, pause=0.0)
        results: dict[str, list[dict]] = {name: [] for name in setups}
        for _ in range(args.rounds):
            for name, people in setups.items():
                # Node B out of the balancer for the run that measures the balancer alone.
                action = "disable" if name == "balancer, node A only" else "enable"
                cluster.balancer_command(f"{action} server rocu_web/web2")
                results[name].append(_measure(cluster, people, records, args.seconds))
    finally:
        cluster.close()

    print(
        f"\n{len(setups['node A directly'])} people, no pause, {args.seconds:.0f} s a run, "
        f"{args.rounds} run(s) each, {os.cpu_count()} cores shared by every host\n"
    )
    print(
        "| setup | requests/s | median | 95th percentile | errors | DB time/request "
        "| queries/request |"
    )
    print("|---|---|---|---|---|---|---|")
    means = {}
    for name, runs in results.items():
        mean = {key: statistics.mean(run[key] for run in runs) for key in runs[0]}
        means[name] = mean
        print(
            f"| {name} | {mean['per_second']:.1f} | {mean['median_ms']:.0f} ms | "
            f"{mean['p95_ms']:.0f} ms | {sum(r['errors'] for r in runs)} | "
            f"{mean['db_ms']:.1f} ms | {mean['queries']:.1f} |"
        )
    direct = means["node A directly"]["per_second"]
    for name in ("balancer, node A only", "balancer, 2 nodes"):
        change = 100 * (means[name]["per_second"] / direct - 1)
        print(f"Throughput, {name}: {change:+.1f} % against node A directly.")


if __name__ == "__main__":
    main()
