"""One node directly against the balancer, with the same load, side by side, interleaved.
Run by hand, as root (it builds the hosts of cluster/hosts.py: network namespaces), not by
`make test`:

    .venv/bin/python bench/cluster_benchmark.py --json /tmp/cluster.json  # about 10 minutes
    .venv/bin/python bench/cluster_benchmark.py --seconds 5 --rounds 2   # a quick try
    .venv/bin/python bench/cluster_benchmark.py --report /tmp/cluster.json  # print it again

It starts the data host (PostgreSQL with pg_stat_statements, Redis, the S3 server), two web
nodes (gunicorn, 2 workers each) and HAProxy (deploy/haproxy.cfg, with its HTTP port serving
instead of redirecting, so that TLS's share shows), signs in the cluster test's people (four
writers updating their own items, every fourth update with a PDF, and a board reader of the
dashboard and the drill-down list), each on one kept-alive connection, and runs them with no
pause between requests, --seconds per run, in five setups:

    node A directly          plain HTTP to gunicorn, as from the balancer
    balancer HTTP, node A    through HAProxy without TLS, node B disabled
    balancer TLS, node A     through HAProxy with TLS, node B disabled
    balancer HTTP, 2 nodes   ... both nodes in
    balancer TLS, 2 nodes

one run of each per round, --rounds rounds, the order turned by one each round, so that a
change in the machine's load falls on every setup alike; each setup's throughput is divided
by node A directly's in the same round, and the median and range of those ratios reported.
For every run it records requests per second, latency, the connections opened (the rest of
the requests reused one), the database's own time per request (pg_stat_statements), and the
CPU time per request of each part: the load generator (this process, whose TLS runs on the
same two cores), HAProxy, each node's gunicorn, the data host, and the rest of the machine
(the kernel's networking, and any other work running meanwhile). Other work on the machine
moves every figure, so the report gives the throughput twice: over all rounds, and over the
quiet rounds only (other work under --quiet-below of the machine in each of their runs).
No Celery runs: this measures the web tier.

On a machine whose cores the nodes share (the 2-core development machine) the second node
adds no cores, so the ratio measures what the balancer and the second node cost, not what
they gain; on separate hosts throughput grows with the nodes until the database is the limit,
and the database time per request is what a larger database host shrinks.
"""

import argparse
import json
import os
import resource
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

DIRECT = "node A directly"
# name: (how the people connect, node B in the balancer)
SETUPS = {
    DIRECT: ("direct", False),
    "balancer HTTP, node A": ("http", False),
    "balancer TLS, node A": ("tls", False),
    "balancer HTTP, 2 nodes": ("http", True),
    "balancer TLS, 2 nodes": ("tls", True),
}
PARTS = ("load generator", "HAProxy", "gunicorn A", "gunicorn B", "data host", "rest")
SERVER_SIDE = ("HAProxy", "gunicorn A", "gunicorn B", "data host")
IDLE_SECONDS = 10
TICK = os.sysconf("SC_CLK_TCK")


# --- CPU time, from /proc ------------------------------------------------------------------


def _processes() -> dict[int, tuple[int, float]]:
    """pid: (parent pid, CPU seconds of it and of its children it has reaped)."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the name: state ppid ... utime(12) stime(13) cutime(14) cstime(15).
        ticks = sum(int(value) for value in fields[11:15])
        table[int(entry.name)] = (int(fields[1]), ticks / TICK)
    return table


def _tree_seconds(table: dict, root: int) -> float:
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in table.items():
        children.setdefault(parent, []).append(pid)
    total, stack = 0.0, [root]
    while stack:
        pid = stack.pop()
        total += table.get(pid, (0, 0.0))[1]
        stack.extend(children.get(pid, []))
    return total


def _machine_busy_seconds() -> float:
    """CPU seconds spent on anything but idle, over all cores, since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle, iowait = values[3], values[4]
    return (sum(values[:8]) - idle - iowait) / TICK


def _cpu_roots(cluster: Cluster) -> dict[str, list[int]]:
    postmaster = int((cluster.pg_data / "postmaster.pid").read_text().split()[0])
    return {
        "HAProxy": [cluster.processes["haproxy"].pid],
        "gunicorn A": [cluster.processes["gunicorn-web-a"].pid],
        "gunicorn B": [cluster.processes["gunicorn-web-b"].pid],
        "data host": [postmaster, cluster.processes["redis"].pid, cluster.processes["s3"].pid],
    }


def _cpu_now(roots: dict[str, list[int]]) -> dict[str, float]:
    """CPU seconds so far of each part (its processes and their children), of this process
    (the load generator) and of the whole machine."""
    table = _processes()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    totals = {name: sum(_tree_seconds(table, pid) for pid in pids) for name, pids in roots.items()}
    totals["load generator"] = usage.ru_utime + usage.ru_stime
    totals["machine"] = _machine_busy_seconds()
    return totals


# --- the runs ------------------------------------------------------------------------------


def _people(data: dict, address: tuple[str, int], *, tls: bool, records: list) -> list:
    people = [
        load.Person(Browser(name, *address, tls=tls, records=records), item=writer["item"])
        for name, writer in data["writers"].items()
    ]
    people.append(load.Person(Browser("bob", *address, tls=tls, records=records)))
    for person in people:
        person.browser.sign_in(person.browser.name, PASSWORD)
    return people


def _measure(cluster: Cluster, people: list, records: list, seconds: float, roots) -> dict:
    records.clear()
    cluster.psql("rocu", "SELECT pg_stat_statements_reset()")
    connections = sum(p.browser.connections for p in people)
    before, started = _cpu_now(roots), time.monotonic()
    load.run(people, seconds=seconds, max_rounds=100_000, pause=0.0)
    elapsed, after = time.monotonic() - started, _cpu_now(roots)
    ((exec_ms, calls),) = cluster.query(
        "SELECT coalesce(sum(total_exec_time), 0), coalesce(sum(calls), 0) "
        "FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'"
    )
    done = [r for r in records if r.ok]
    latencies = sorted(r.ended - r.started for r in done)
    count = max(1, len(records))
    cpu = {name: after[name] - before[name] for name in PARTS if name != "rest"}
    machine = after["machine"] - before["machine"]
    cpu["rest"] = machine - sum(cpu.values())
    return {
        "requests": len(done),
        "errors": len(records) - len(done),
        "per_second": len(done) / elapsed,
        "median_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
        "connections": sum(p.browser.connections for p in people) - connections,
        "db_ms": float(exec_ms) / count,
        "queries": int(calls) / count,
        "cpu_ms": {name: 1000 * value / count for name, value in cpu.items()},
        "machine_busy": machine / elapsed / os.cpu_count(),
        # The share of the machine that went to neither the cluster nor the load: the
        # kernel's networking, and any other work running meanwhile.
        "other_work": cpu["rest"] / elapsed / os.cpu_count(),
        "load_average": os.getloadavg()[0],
    }


def _run_rounds(cluster: Cluster, data: dict, args) -> tuple[dict[str, list[dict]], dict]:
    records: list = []
    addresses = {
        "direct": (HOSTS["web-a"], WEB_PORT),
        "http": ("127.0.0.1", cluster.lb_http_port),
        "tls": ("127.0.0.1", cluster.lb_port),
    }
    people = {
        name: _people(data, addresses[way], tls=way == "tls", records=records)
        for name, (way, _) in SETUPS.items()
    }
    roots = _cpu_roots(cluster)
    idle = _idle(roots)
    for name, group in people.items():  # warm every process and connection up
        _use_node_b(cluster, SETUPS[name][1])
        load.run(group, seconds=3, max_rounds=100, pause=0.0)
    results: dict[str, list[dict]] = {name: [] for name in SETUPS}
    names = list(SETUPS)
    for number in range(args.rounds):
        turn = number % len(names)
        for name in names[turn:] + names[:turn]:
            _use_node_b(cluster, SETUPS[name][1])
            result = _measure(cluster, people[name], records, args.seconds, roots)
            results[name].append({"round": number, **result})
            print(
                f"round {number + 1}/{args.rounds} {name}: {result['per_second']:.2f}/s, "
                f"load {result['load_average']:.2f}, "
                f"other work {100 * result['other_work']:.0f} % of the machine",
                flush=True,
            )
    return results, idle


def _idle(roots) -> dict[str, float]:
    """CPU milliseconds a second of each part with no load: the balancer's health checks
    (each node's /health/ready/ every second) and whatever else runs unasked."""
    before = _cpu_now(roots)
    time.sleep(IDLE_SECONDS)
    after = _cpu_now(roots)
    return {name: 1000 * (after[name] - before[name]) / IDLE_SECONDS for name in roots}


def _use_node_b(cluster: Cluster, wanted: bool) -> None:
    cluster.balancer_command(f"{'enable' if wanted else 'disable'} server rocu_web/web2")


# --- the report ----------------------------------------------------------------------------


def _spread(values: list[float], fmt: str) -> str:
    return f"{format(statistics.median(values), fmt)} ({format(min(values), fmt)}–" + (
        f"{format(max(values), fmt)})"
    )


def _report(saved: dict, quiet_below: float) -> str:
    runs_by_setup, seconds = saved["runs"], saved["seconds"]
    rounds = len(runs_by_setup[DIRECT])
    quiet = sorted(
        number
        for number in range(rounds)
        if all(
            run["other_work"] < quiet_below
            for runs in runs_by_setup.values()
            for run in runs
            if run["round"] == number
        )
    )
    loads = saved["load_average"]
    lines = [
        f"{saved['people']} people on kept-alive connections, no pause, {seconds:.0f} s a "
        f"run, {rounds} interleaved rounds, {saved['cores']} cores shared by every host; "
        f"load average {loads[0]:.2f} before, {loads[1]:.2f} after; median (range) over "
        "the rounds",
        "",
        "All rounds:",
        "",
        *_throughput_table(runs_by_setup, range(rounds)),
        "",
    ]
    if quiet:
        lines += [
            f"The {len(quiet)} rounds (of {rounds}) in which other work took less than "
            f"{100 * quiet_below:.0f} % of the machine in every run:",
            "",
            *_throughput_table(runs_by_setup, quiet),
            "",
        ]
    else:
        lines += [f"No round had other work under {100 * quiet_below:.0f} % in every run.", ""]
    lines += ["CPU time per request, ms (median over all rounds):", "", *_cpu_table(saved)]
    lines += [
        "",
        f"With no load, CPU ms a second over {IDLE_SECONDS} s (the health checks): "
        + ", ".join(f"{name} {value:.1f}" for name, value in saved["idle"].items()),
    ]
    return "\n".join(lines)


def _throughput_table(runs_by_setup: dict[str, list[dict]], rounds) -> list[str]:
    lines = [
        "| setup | requests/s | against node A directly, same round | median | 95th "
        "percentile | errors | requests per connection | DB time/request | "
        "statements/request |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    direct = {r["round"]: r["per_second"] for r in runs_by_setup[DIRECT]}
    for name, all_runs in runs_by_setup.items():
        runs = [run for run in all_runs if run["round"] in rounds]
        ratios = [100 * (r["per_second"] / direct[r["round"]] - 1) for r in runs]
        requests = sum(r["requests"] + r["errors"] for r in runs)
        lines.append(
            f"| {name} | {_spread([r['per_second'] for r in runs], '.2f')} | "
            f"{_spread(ratios, '+.1f')} % | "
            f"{statistics.median(r['median_ms'] for r in runs):.0f} ms | "
            f"{statistics.median(r['p95_ms'] for r in runs):.0f} ms | "
            f"{sum(r['errors'] for r in runs)} | "
            f"{requests / max(1, sum(r['connections'] for r in runs)):.0f} | "
            f"{statistics.median(r['db_ms'] for r in runs):.1f} ms | "
            f"{statistics.median(r['queries'] for r in runs):.1f} |"
        )
    return lines


def _cpu_table(saved: dict) -> list[str]:
    lines = [
        "| setup | " + " | ".join(PARTS) + " | server side | HAProxy's share of it | "
        "machine busy | other work |",
        "|---|" + "---|" * (len(PARTS) + 4),
    ]
    for name, runs in saved["runs"].items():
        parts = [statistics.median(r["cpu_ms"][part] for r in runs) for part in PARTS]
        server = [sum(r["cpu_ms"][part] for part in SERVER_SIDE) for r in runs]
        share = [
            100 * run["cpu_ms"]["HAProxy"] / total for run, total in zip(runs, server, strict=True)
        ]
        busy = statistics.median(r["machine_busy"] for r in runs)
        other = statistics.median(r["other_work"] for r in runs)
        cells = " | ".join(f"{value:.1f}" for value in parts)
        lines.append(
            f"| {name} | {cells} | {statistics.median(server):.1f} | "
            f"{statistics.median(share):.1f} % | {100 * busy:.0f} % | {100 * other:.0f} % |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="length of each run")
    parser.add_argument("--rounds", type=int, default=10, help="runs of each setup")
    parser.add_argument("--json", type=Path, help="write every run's figures here too")
    parser.add_argument(
        "--quiet-below",
        type=float,
        default=0.10,
        help="a round is quiet when other work takes less than this share of the machine",
    )
    parser.add_argument(
        "--report", type=Path, help="print the report of an earlier run's --json, run nothing"
    )
    args = parser.parse_args()
    if args.report:
        print(_report(json.loads(args.report.read_text()), args.quiet_below))
        return

    load_before = os.getloadavg()[0]
    cluster = Cluster()
    try:
        cluster.start_postgres()
        cluster.start_redis()
        cluster.start_s3()
        data = cluster.prepare()
        for host in ("web-a", "web-b"):
            cluster.start_web(host)
        cluster.start_balancer(plain_http=True)
        for host in ("web-a", "web-b"):
            cluster.wait_web(host)
        cluster.wait_states({"web1": "UP", "web2": "UP"}, timeout=30)
        results, idle = _run_rounds(cluster, data, args)
    finally:
        cluster.close()
    saved = {
        "runs": results,
        "idle": idle,
        "seconds": args.seconds,
        "people": len(data["writers"]) + 1,
        "cores": os.cpu_count(),
        "load_average": [load_before, os.getloadavg()[0]],
    }
    if args.json:
        args.json.write_text(json.dumps(saved, indent=1))
    print()
    print(_report(saved, args.quiet_below))


if __name__ == "__main__":
    main()
