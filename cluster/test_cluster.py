"""Several hosts for real (cluster/hosts.py): two web nodes behind HAProxy (deploy/haproxy.cfg),
two Celery workers and two beats, PostgreSQL, Redis and an S3 bucket on a data host, each host
a network namespace of this machine. Under a bounded load of signed-in people reading,
writing and uploading through the balancer: node A's gunicorn is killed (while a large
upload, pinned to node A and streamed slowly as from a poor connection, is in flight on it)
and later restarted, worker A is killed in the middle of sending, Redis is restarted, and a
second beat runs all along. The scenario runs once (about two minutes); each test checks
one promise of it, and the figures are printed at the end of the run."""

import re
import shutil
import threading
import time

import pytest

from reminders.tests import test_celery as harness
from rocu_tracker.tests import real_servers

from . import load
from .client import Browser, csrf_fields
from .hosts import HOSTS, PASSWORD, WEB_PORT, Cluster, balancer_log

# Seconds: the load's length, and when the faults come (each after the one before has
# settled: a node's gunicorn takes a while to boot while the others use both cores).
LOAD_SECONDS = 50
KILL_NODE_AT, NODE_DOWN_FOR, REDIS_AFTER_NODE_BACK, REDIS_DOWN_FOR = 6, 6, 2, 4
PAUSE = 0.2  # between one person's requests
# The slow upload: starts this long before the kill (at least), would take this long to
# send, and is this large.
SLOW_UPLOAD_LEAD, SLOW_UPLOAD_SECONDS, SLOW_UPLOAD_BYTES = 1.5, 12, 3 * 1024 * 1024
SLOW = "alice-slow"  # a second browser of Alice's, for the slow upload
READERS = ("bob",)  # reads the dashboard and the drill-down list
_wait_for = real_servers.wait_for


def _require_tools():
    missing = [tool for tool in ("ip", "haproxy", "openssl") if not shutil.which(tool)]
    if missing:
        pytest.fail(f"missing {missing}: scripts/ensure-cluster-packages installs them")


class Timeline:
    def __init__(self):
        self.start = time.monotonic()
        self.marks: dict[str, float] = {}
        self.states: list[tuple[float, dict]] = []
        self.at_kill: dict[int, str] = {}

    def mark(self, name: str) -> float:
        self.marks[name] = time.monotonic()
        return self.marks[name]

    def at(self, seconds: float) -> None:
        time.sleep(max(0.0, self.start + seconds - time.monotonic()))


def _watch_balancer(cluster: Cluster, timeline: Timeline, stop: threading.Event) -> None:
    last = None
    while not stop.wait(0.2):
        try:
            states = cluster.server_states()
        except OSError:
            continue
        if states != last:
            timeline.states.append((time.monotonic(), states))
            last = states


def _cross_node_evidence(cluster: Cluster, data: dict) -> dict:
    """Alice uploads through node A, Bob downloads through node B, Charlie (another force)
    gets a 404 from node B; straight to the nodes, not through the balancer."""
    alice = Browser("alice-a", HOSTS["web-a"], WEB_PORT, tls=False, records=None)
    bob = Browser("bob-b", HOSTS["web-b"], WEB_PORT, tls=False, records=None)
    charlie = Browser("charlie-b", HOSTS["web-b"], WEB_PORT, tls=False, records=None)
    for browser, name in ((alice, "alice"), (bob, "bob"), (charlie, "charlie")):
        browser.sign_in(name, PASSWORD)
    item = data["writers"]["alice"]["item"]
    page = alice.get(f"/items/{item}/")
    form = csrf_fields(page.text, f"/items/{item}/progress/")
    content = b"%PDF-1.4\n% minutes of the June board, uploaded through node A\n%%EOF\n"
    upload = alice.post(
        f"/items/{item}/progress/",
        {**form["fields"], "status": form["options"]["status"][0], "narrative": "Minutes."},
        {"evidence": ("june-minutes.pdf", content, "application/pdf")},
    )
    (evidence_id,) = cluster.query(
        "SELECT id FROM recommendations_evidence WHERE original_name = 'june-minutes.pdf'"
    )[0]
    download = bob.get(f"/evidence/{evidence_id}/")
    outsider = charlie.get(f"/evidence/{evidence_id}/")
    return {
        "upload_status": upload.status,
        "download_status": download.status,
        "download_body": download.body,
        "content": content,
        "disposition": download.headers.get("Content-Disposition", ""),
        "outsider_status": outsider.status,
        "media_dirs": [
            path
            for host in ("web-a", "web-b")
            if (path := cluster.dir / f"media-{host}").exists() and any(path.rglob("*.pdf"))
        ],
    }


def _slow_upload(browser: Browser, item: int, sending: threading.Event) -> None:
    """A PDF of a few megabytes sent through the balancer to node A (the test's pin rule),
    a little at a time: when node A dies it is half sent, and must fail and write nothing."""
    page = browser.get(f"/items/{item}/")
    form = csrf_fields(page.text, f"/items/{item}/progress/")
    token = f"cluster-{SLOW}-0"
    fields = {
        **form["fields"],
        "status": form["options"]["status"][0],
        "narrative": f"Progress {token}.",
    }
    content = load.PDF_HEADER + b"%" + b"0" * SLOW_UPLOAD_BYTES + b"\n%%EOF\n"
    files = {"evidence": (f"{token}.pdf", content, "application/pdf")}
    path = f"/items/{item}/progress/"
    browser.post(
        path, fields, files, over=SLOW_UPLOAD_SECONDS, sending=sending, X_Cluster_Pin="web1"
    )


def _carol_takes_the_item(carol: Browser, item: int, carol_id: int) -> dict:
    page = carol.get(f"/items/{item}/")
    form = csrf_fields(page.text, f"/items/{item}/owner/")
    response = carol.post(f"/items/{item}/owner/", {**form["fields"], "owner": str(carol_id)})
    ready = carol.get("/health/ready/")
    return {
        "owner_status": response.status if response else None,
        "ready_status": ready.status if ready else None,
        "ready": ready.text if ready else "",
    }


@pytest.fixture(scope="module")
def scenario(request):
    _require_tools()
    cluster = Cluster()
    stop_watching = threading.Event()
    try:
        report = _run(cluster, stop_watching)
    except BaseException:
        logs = {n: cluster.log(n)[-3000:] for n in cluster.processes}
        print("\n".join(f"--- {name} ---\n{text}" for name, text in logs.items()))
        raise
    finally:
        stop_watching.set()
        cluster.close()
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter and capture:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            for line in report["summary"]:
                reporter.write_line(f"cluster: {line}")
    return report


def _run(cluster: Cluster, stop_watching: threading.Event) -> dict:
    cluster.start_postgres()
    cluster.start_redis()
    cluster.start_s3()
    data = cluster.prepare()
    marker = cluster.dir / "first-send-written"
    for host in ("web-a", "web-b"):
        cluster.start_web(host)
    cluster.start_balancer(test_rules=True)
    for host in ("web-a", "web-b"):
        cluster.wait_web(host)
    cluster.wait_states({"web1": "UP", "web2": "UP"}, timeout=30)
    timeline = Timeline()
    watcher = threading.Thread(
        target=_watch_balancer, args=(cluster, timeline, stop_watching), daemon=True
    )
    watcher.start()

    cross_node = _cross_node_evidence(cluster, data)

    records: list = []
    people = []
    for name, writer in data["writers"].items():
        browser = Browser(name, "127.0.0.1", cluster.lb_port, tls=True, records=records)
        browser.sign_in(name, PASSWORD)
        people.append(load.Person(browser, item=writer["item"]))
    for name in READERS:
        browser = Browser(name, "127.0.0.1", cluster.lb_port, tls=True, records=records)
        browser.sign_in(name, PASSWORD)
        people.append(load.Person(browser))
    carol = Browser("carol", "127.0.0.1", cluster.lb_port, tls=True, records=None)
    carol.sign_in("carol", PASSWORD)
    slow = Browser(SLOW, "127.0.0.1", cluster.lb_port, tls=True, records=records)
    slow.sign_in("alice", PASSWORD)
    records.clear()  # the load's own requests (and the slow upload's) only, from here

    # Worker A sends the first digest and pauses there (reminders/tests/pausing_mail.py);
    # both beats scan every second (reminders/tests/celery_settings.py).
    cluster.start_worker("web-a", REMINDERS_TEST_PAUSE_AFTER_SEND=str(marker))
    cluster.start_celery("beat-web-a", "web-a", "beat")
    cluster.start_celery("beat-web-b", "web-b", "beat")  # the one started by mistake

    timeline.start = time.monotonic()
    load_thread = threading.Thread(
        target=load.run,
        args=(people,),
        kwargs={"seconds": LOAD_SECONDS, "max_rounds": 1000, "pause": PAUSE},
        daemon=True,
    )
    load_thread.start()

    _wait_for(marker.exists, timeout=30, what="worker A to send its first digest")
    cluster.kill("worker-web-a")
    timeline.mark("worker_killed")
    cluster.start_worker("web-b")

    # Node A dies with the slow upload half sent to it (and at KILL_NODE_AT at the earliest).
    sending = threading.Event()
    slow_thread = threading.Thread(
        target=_slow_upload, args=(slow, data["writers"]["alice"]["item"], sending), daemon=True
    )
    slow_thread.start()
    assert sending.wait(timeout=30), "the slow upload did not start"
    time.sleep(SLOW_UPLOAD_LEAD)
    timeline.at(KILL_NODE_AT)
    timeline.at_kill = cluster.sessions()  # what the balancer has under way, and where
    timeline.mark("kill_sent")
    cluster.kill("gunicorn-web-a")
    timeline.mark("node_killed")
    cluster.wait_states({"web1": "DOWN"}, timeout=15)
    timeline.mark("node_out")

    timeline.at(KILL_NODE_AT + NODE_DOWN_FOR)
    cluster.start_web("web-a")
    timeline.mark("node_restarted")
    cluster.wait_states({"web1": "UP"}, timeout=60)
    timeline.mark("node_back")

    time.sleep(REDIS_AFTER_NODE_BACK)
    cluster.kill("redis", sig=15)
    timeline.mark("redis_stopped")
    during_outage = _carol_takes_the_item(carol, data["takeover"], data["users"]["carol"])
    time.sleep(max(0.0, timeline.marks["redis_stopped"] + REDIS_DOWN_FOR - time.monotonic()))
    cluster.start_redis()
    timeline.mark("redis_back")

    load_thread.join(timeout=LOAD_SECONDS + 120)
    slow_thread.join(timeout=SLOW_UPLOAD_SECONDS + 30)
    assert not load_thread.is_alive(), "the load did not stop"
    assert not slow_thread.is_alive(), "the slow upload did not stop"
    timeline.mark("load_ended")

    # Carol's reminder was decided after Redis came back; every digest has gone out.
    def settled():
        rows = cluster.query(
            "SELECT u.username, d.delivery FROM reminders_digest d "
            "JOIN auth_user u ON u.id = d.recipient_id"
        )
        people = {username for username, _ in rows}
        return "carol" in people and all(d in ("sent", "sending") for _, d in rows) and rows

    _wait_for(settled, timeout=60, what="every digest, Carol's too, to be sent")
    time.sleep(3)  # a few more scans by both beats, which must send nothing more
    stop_watching.set()
    watcher.join(timeout=5)

    return _report(cluster, data, timeline, records, people, cross_node, during_outage)


def _report(cluster, data, timeline, records, people, cross_node, during_outage) -> dict:
    acks = [ack for person in people for ack in person.acks]
    tokens = {
        match.group(0)
        for (narrative,) in cluster.query(
            "SELECT narrative FROM recommendations_trackeditemevent "
            "WHERE narrative LIKE 'Progress cluster-%'"
        )
        if (match := re.search(r"cluster-\S+-\d+", narrative))
    }
    stored = {
        name: key
        for name, key in cluster.query(
            "SELECT original_name, file FROM recommendations_evidence "
            "WHERE original_name LIKE 'cluster-%'"
        )
    }
    objects = cluster.s3_objects()
    emails = [
        re.search(r"^To: (.*)$", message, re.MULTILINE).group(1)
        for message in harness._messages(cluster.mail_dir)
    ]
    digests = cluster.query(
        "SELECT u.username, d.delivery FROM reminders_digest d "
        "JOIN auth_user u ON u.id = d.recipient_id ORDER BY u.username"
    )
    marks = timeline.marks
    logged = balancer_log(cluster.log("haproxy"))
    # Which node each request went to: the balancer's X-Served-By when an answer came, else
    # the balancer's own log line for it (an upload cut off gets no answer at all), else
    # where the balancer had it when node A was killed (HAProxy 2.6 does not always log a
    # request whose server died while its body was still arriving).
    at_kill = {
        r.id: timeline.at_kill.get(r.port, "")
        for r in records
        if r.started <= marks["kill_sent"] <= r.ended
    }
    nodes = {
        r.id: r.served_by or logged.get(r.id, {}).get("server") or at_kill.get(r.id, "")
        for r in records
    }
    in_flight = [
        r
        for r in records
        if not r.ok
        and nodes[r.id] == "web1"
        and r.started <= marks["node_killed"]
        and r.ended >= marks["kill_sent"]
    ]
    errors = [r for r in records if not r.ok]
    slow = [r for r in records if r.user == SLOW and r.method == "POST"]
    summary = [
        f"{len(records)} requests through the balancer ({sum(r.id in logged for r in records)}"
        f" in its log) in {LOAD_SECONDS} s by "
        f"{len(people)} people; {len(acks)} writes acknowledged "
        f"({sum(1 for a in acks if a.evidence)} with evidence), {len(tokens)} in the history",
        f"errors: {len(errors)}, of which {len(in_flight)} in flight on node A when it was "
        f"killed ({sum(r.user == SLOW for r in in_flight)} the slow upload pinned there), "
        f"{sum(r.started >= marks['node_killed'] for r in errors)} started after the kill: "
        + ", ".join(
            f"{r.user} {r.method} {r.path} {r.status or r.error} via {nodes[r.id] or '?'} "
            f"(at the kill: {at_kill.get(r.id)}; logged: {logged.get(r.id)}) "
            f"{r.started - marks['kill_sent']:+.2f}..{r.ended - marks['kill_sent']:+.2f} s"
            for r in errors[:10]
        ),
        "the slow upload: "
        + "; ".join(
            f"{r.method} {r.path} {r.status or r.error} via {nodes[r.id] or '?'} "
            f"(at the kill: {at_kill.get(r.id)}; logged: {logged.get(r.id)}) "
            f"{r.started - marks['kill_sent']:+.2f}..{r.ended - marks['kill_sent']:+.2f} s "
            "from the kill"
            for r in records
            if r.user == SLOW
        ),
        f"node A out of the balancer {marks['node_out'] - marks['node_killed']:.1f} s after "
        f"the kill, back {marks['node_back'] - marks['node_restarted']:.1f} s after restart",
        f"digests: {digests}; emails to {sorted(emails)}",
        f"refused (4xx) writes: {sum(p.refused for p in people)}",
    ]
    return {
        "data": data,
        "marks": marks,
        "states": timeline.states,
        "records": records,
        "people": people,
        "acks": acks,
        "tokens": tokens,
        "stored_evidence": stored,
        "objects": objects,
        "emails": emails,
        "digests": digests,
        "errors": errors,
        "in_flight": in_flight,
        "slow": slow,
        "logged": logged,
        "at_kill": at_kill,
        "cross_node": cross_node,
        "during_outage": during_outage,
        "summary": summary,
    }


# --- what the run shows -----------------------------------------------------------------


def test_it_serves_evidence_uploaded_through_node_a_from_node_b(scenario):
    seen = scenario["cross_node"]
    assert seen["upload_status"] == 302
    assert (seen["download_status"], seen["download_body"]) == (200, seen["content"])
    assert seen["disposition"] == 'attachment; filename="june-minutes.pdf"'
    assert seen["outsider_status"] == 404
    assert seen["media_dirs"] == [], "evidence landed on a node's own disk"


def test_it_keeps_people_signed_in_through_node_b_while_node_a_is_down(scenario):
    marks = scenario["marks"]
    # From the balancer taking node A out until it has it back, node B serves everyone.
    while_down = [
        r
        for r in scenario["records"]
        if marks["node_out"] <= r.started and r.ended <= marks["node_back"]
    ]
    assert len({r.user for r in while_down}) == len(scenario["people"])
    assert all(r.ok for r in while_down), [r for r in while_down if not r.ok]
    assert {r.served_by for r in while_down} == {"web2"}
    signed_out = [r for r in while_down if "/accounts/login/" in r.location]
    assert signed_out == [], "a GET was sent to the sign-in page"


def test_it_fails_only_the_requests_in_flight_on_the_killed_node(scenario):
    marks = scenario["marks"]
    # Every error was a request sent to node A before it died and not answered by then.
    assert scenario["errors"] == scenario["in_flight"], scenario["summary"][1]
    # Among them the upload pinned to node A, half sent when node A died: the balancer had
    # it on node A at that moment and ended it as cut off by the server ("SD", when it
    # logged it); nothing of it was written (the next test).
    (slow,) = scenario["slow"]
    assert slow in scenario["in_flight"], scenario["summary"][1]
    assert slow.started < marks["kill_sent"] - 1 and slow.ended >= marks["kill_sent"]
    assert scenario["at_kill"][slow.id] == "web1"
    if slow.id in scenario["logged"]:
        assert scenario["logged"][slow.id]["server"] == "web1"
        assert scenario["logged"][slow.id]["flags"].startswith("S")
    # Each person has one request out at a time.
    assert len(scenario["in_flight"]) <= len(scenario["people"]) + 1
    # Nothing that started after the kill failed, so nothing after node A was out either.
    started_after = [r for r in scenario["records"] if r.started > marks["node_killed"]]
    assert started_after and all(r.ok for r in started_after), scenario["summary"][1]


def test_it_writes_nothing_of_a_request_cut_off_by_the_kill(scenario):
    token = f"cluster-{SLOW}-0"
    assert token not in scenario["tokens"]
    assert f"{token}.pdf" not in scenario["stored_evidence"]
    assert all(len(body) < SLOW_UPLOAD_BYTES for body in scenario["objects"].values())


def test_it_loses_no_acknowledged_write(scenario):
    acks = scenario["acks"]
    assert len(acks) > 20, scenario["summary"]
    missing = [a.token for a in acks if a.token not in scenario["tokens"]]
    assert missing == []
    uploads = [a for a in acks if a.evidence]
    assert uploads
    for ack in uploads:
        key = scenario["stored_evidence"][f"{ack.token}.pdf"]
        assert scenario["objects"][key] == ack.evidence


def test_it_sends_each_reminder_once_with_two_workers_and_two_beats(scenario):
    emails = scenario["emails"]
    recipients = {f"{name}@example.org" for name, _ in scenario["digests"]}
    assert sorted(emails) == sorted(recipients), "one email per person, no more"
    assert {name for name, _ in scenario["digests"]} == {
        "alice",
        "bob",
        "charlie",
        "dave",
        "erin",
        "carol",
    }
    # The digest worker A was killed sending was written once and never sent again: it
    # stays "sending" (support sees the worker died mid-send); the rest are "sent".
    deliveries = sorted(delivery for _, delivery in scenario["digests"])
    assert deliveries == ["sending"] + ["sent"] * 5


def test_it_takes_node_a_out_by_its_readiness_check_and_puts_it_back(scenario):
    marks, states = scenario["marks"], scenario["states"]
    web1 = [(t, s.get("web1")) for t, s in states]
    down = [t for t, state in web1 if state == "DOWN" and t >= marks["node_killed"]]
    up = [t for t, state in web1 if state == "UP" and t >= marks["node_restarted"]]
    assert down and down[0] - marks["node_killed"] < 6
    assert up and up[0] < marks["redis_stopped"]
    assert all(s.get("web2") == "UP" for _, s in states), "node B left the balancer"
    # Redis down is degraded, not unready: node A stayed in through the restart.
    assert all(s.get("web1") == "UP" for t, s in states if t >= marks["node_back"])


def test_it_serves_every_page_and_loses_no_reminder_through_a_redis_restart(scenario):
    marks = scenario["marks"]
    during = [
        r
        for r in scenario["records"]
        if marks["redis_stopped"] <= r.started <= marks["redis_back"] + 2
    ]
    assert during and all(r.ok for r in during), [r for r in during if not r.ok]
    outage = scenario["during_outage"]
    assert outage["owner_status"] == 302
    assert outage["ready_status"] == 200
    assert '"cache": "degraded"' in outage["ready"] and '"broker": "degraded"' in outage["ready"]
    assert "carol@example.org" in scenario["emails"]
