"""The hosts, built on this machine: one network namespace per host, joined by a bridge.

    data    10.231.0.10   PostgreSQL 15, Redis, moto's S3 server (the evidence bucket)
    web-a   10.231.0.11   gunicorn, a Celery worker, beat
    web-b   10.231.0.12   gunicorn, a Celery worker, a second beat (started by mistake)
    (this machine's own namespace) 10.231.0.1 on the bridge: HAProxy on 127.0.0.1, the users

Traffic stays on 127.0.0.0/8 and these addresses. Everything started here is stopped, and
the namespaces and the bridge removed, by Cluster.close() (the test calls it in a finally);
leftovers of an earlier run killed before it could clean up are removed first. Needs root
(ip netns), iproute2, haproxy, redis-server and PostgreSQL's server binaries:
scripts/ensure-cluster-packages installs them.
"""

import contextlib
import fcntl
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rocu_tracker.tests import real_servers

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BRIDGE = "rocu-br0"
PREFIX = "rocu-"
LB_ADDRESS = "10.231.0.1"
HOSTS = {"data": "10.231.0.10", "web-a": "10.231.0.11", "web-b": "10.231.0.12"}
PG_PORT, REDIS_PORT, S3_PORT, WEB_PORT = 5432, 6379, 9000, 8000
DATABASE_URL = f"postgres://rocu:rocu@{HOSTS['data']}:{PG_PORT}/rocu"
REDIS_URL = f"redis://{HOSTS['data']}:{REDIS_PORT}/0"
S3_ENDPOINT = f"http://{HOSTS['data']}:{S3_PORT}"
BUCKET = "rocu-evidence"
PASSWORD = "a-long-passphrase-for-the-cluster-42"
_wait_for = real_servers.wait_for


def _run(*command: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, **kwargs)
    if check and result.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    return result


def _ip(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return _run("ip", *args, check=check)


def _pg_bindir() -> Path:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    raise RuntimeError("PostgreSQL server binaries missing: scripts/ensure-cluster-packages")


def remove_leftovers() -> None:
    """Namespaces and the bridge of an earlier run that died before cleaning up."""
    for line in _ip("netns", "list", check=False).stdout.splitlines():
        name = line.split()[0] if line.strip() else ""
        if name.startswith(PREFIX):
            for pid in _ip("netns", "pids", name, check=False).stdout.split():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(pid), signal.SIGKILL)
            _ip("netns", "del", name, check=False)
    _ip("link", "del", BRIDGE, check=False)


class Cluster:
    """Build with Cluster(); every start_* method records what it started for close()."""

    def __init__(self, workdir: Path | None = None):
        if os.geteuid() != 0:
            raise RuntimeError("the cluster needs root (network namespaces)")
        # One cluster at a time on this machine (the names and addresses are fixed): a
        # second run waits here, so that removing leftovers never touches a live cluster.
        self._lock = open("/tmp/rocu-cluster.lock", "w")  # noqa: SIM115 (held until close)
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        self.dir = Path(workdir or tempfile.mkdtemp(prefix="rocu-cluster-", dir="/tmp"))
        self.dir.mkdir(parents=True, exist_ok=True)
        self.dir.chmod(0o755)
        self.processes: dict[str, subprocess.Popen] = {}
        self._stopped: list[subprocess.Popen] = []
        self.pg_data = self.dir / "pg"
        self.lb_port = real_servers.free_port()
        self.lb_http_port = real_servers.free_port()
        self.stats_socket = self.dir / "haproxy.sock"
        self.mail_dir = self.dir / "mail"
        self.site_url = f"https://127.0.0.1:{self.lb_port}"
        remove_leftovers()
        try:
            self._network()
        except BaseException:
            remove_leftovers()
            self._lock.close()
            raise

    # --- the network -------------------------------------------------------------------

    def _network(self) -> None:
        _ip("link", "add", BRIDGE, "type", "bridge")
        _ip("addr", "add", f"{LB_ADDRESS}/24", "dev", BRIDGE)
        _ip("link", "set", BRIDGE, "up")
        for index, (host, address) in enumerate(HOSTS.items()):
            namespace, outside, inside = f"{PREFIX}{host}", f"rocu-v{index}", f"rocu-v{index}i"
            _ip("netns", "add", namespace)
            _ip("link", "add", outside, "type", "veth", "peer", "name", inside)
            _ip("link", "set", inside, "netns", namespace)
            _ip("link", "set", outside, "master", BRIDGE)
            _ip("link", "set", outside, "up")
            _ip("-n", namespace, "addr", "add", f"{address}/24", "dev", inside)
            _ip("-n", namespace, "link", "set", inside, "up")
            _ip("-n", namespace, "link", "set", "lo", "up")

    @staticmethod
    def in_host(host: str, *command: str) -> list[str]:
        return ["ip", "netns", "exec", f"{PREFIX}{host}", *command]

    # --- processes ---------------------------------------------------------------------

    def start(self, name: str, host: str | None, *command: str, env=None) -> subprocess.Popen:
        """A process on a host (None: this machine's own namespace), in a process group
        of its own so that killing it kills its children (gunicorn's workers)."""
        log = (self.dir / f"{name}.log").open("a")
        process = subprocess.Popen(
            self.in_host(host, *command) if host else list(command),
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if name in self.processes and self.processes[name].poll() is None:
            raise RuntimeError(f"{name} is already running")
        self.processes[name] = process
        return process

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Kill a process and its children at once (a host dying), or stop it (SIGTERM)."""
        process = self.processes[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)
        self._stopped.append(process)

    def log(self, name: str) -> str:
        path = self.dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # --- the data host -----------------------------------------------------------------

    def start_postgres(self) -> None:
        bindir = _pg_bindir()
        shutil.chown(self.dir, "postgres")
        as_postgres = ("runuser", "-u", "postgres", "--")
        _run(
            *as_postgres, str(bindir / "initdb"), "-D", str(self.pg_data), "--auth=trust",
            "--username=postgres", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
            cwd=self.dir,
        )  # fmt: skip
        with (self.pg_data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"listen_addresses = '{HOSTS['data']}'\nport = {PG_PORT}\n"
                f"unix_socket_directories = '{self.dir}'\nfsync = off\n"
                "synchronous_commit = off\nfull_page_writes = off\nmax_connections = 200\n"
                "shared_preload_libraries = 'pg_stat_statements'\n"
                "pg_stat_statements.track = top\n"
            )
        with (self.pg_data / "pg_hba.conf").open("a") as hba:
            hba.write("host all all 10.231.0.0/24 trust\n")
        _run(
            *self.in_host("data", *as_postgres, str(bindir / "pg_ctl"), "-D", str(self.pg_data),
                          "-w", "-t", "60", "-l", str(self.dir / "postgres.log"), "start"),
            cwd=self.dir,
        )  # fmt: skip
        self.psql("postgres", "CREATE ROLE rocu WITH LOGIN PASSWORD 'rocu' CREATEDB")
        self.psql("postgres", "CREATE DATABASE rocu OWNER rocu")
        self.psql("rocu", "CREATE EXTENSION pg_stat_statements;")

    def psql(self, database: str, sql: str) -> str:
        psql = _pg_bindir() / "psql"
        return _run(
            str(psql), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", HOSTS["data"],
            "-p", str(PG_PORT), "-U", "postgres", "-d", database, "-c", sql,
        ).stdout  # fmt: skip

    def query(self, sql: str) -> list[tuple]:
        """Rows of a query on the cluster's database, as the data host answers it."""
        import psycopg2

        connection = psycopg2.connect(DATABASE_URL)
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall()
        finally:
            connection.close()

    def start_redis(self) -> None:
        self.start(
            "redis", "data", "/usr/bin/redis-server", "--port", str(REDIS_PORT),
            "--bind", HOSTS["data"], "--protected-mode", "no", "--dir", str(self.dir),
            "--save", "", "--appendonly", "no",
        )  # fmt: skip
        _wait_for(self.redis_answers, timeout=15, what="redis-server on the data host")

    def redis_answers(self) -> bool:
        try:
            with socket.create_connection((HOSTS["data"], REDIS_PORT), timeout=0.3) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start_s3(self) -> None:
        self.start(
            "s3", "data", str(BIN / "python"), "-m", "moto.server", "-H", HOSTS["data"],
            "-p", str(S3_PORT),
        )  # fmt: skip

        def answers():
            try:
                with socket.create_connection((HOSTS["data"], S3_PORT), timeout=0.3):
                    return True
            except OSError:
                return False

        _wait_for(answers, timeout=30, what="the S3 server on the data host")
        import boto3

        boto3.client("s3", endpoint_url=S3_ENDPOINT, **self.s3_keys()).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"}
        )

    @staticmethod
    def s3_keys() -> dict:
        return {
            "region_name": "eu-west-2",
            "aws_access_key_id": "cluster-access-key",
            "aws_secret_access_key": "cluster-secret-key",
        }

    def s3_objects(self) -> dict[str, bytes]:
        import boto3

        client = boto3.client("s3", endpoint_url=S3_ENDPOINT, **self.s3_keys())
        listing = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
        return {
            entry["Key"]: client.get_object(Bucket=BUCKET, Key=entry["Key"])["Body"].read()
            for entry in listing
        }

    # --- the web hosts -----------------------------------------------------------------

    def env(self, host: str, **extra: str) -> dict:
        """A web host's environment, as /etc/rocu-tracker/env would set it there."""
        keys = self.s3_keys()
        return {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AWS_"))},
            "DJANGO_SETTINGS_MODULE": "rocu_tracker.settings",
            "DEBUG": "0",
            "SECRET_KEY": "a-long-random-secret-key-for-the-cluster-test-0123456789",
            "ALLOWED_HOSTS": ",".join(["127.0.0.1", HOSTS["web-a"], HOSTS["web-b"]]),
            "DATABASE_URL": DATABASE_URL,
            "REDIS_URL": REDIS_URL,
            "EMAIL_URL": f"filemail://{self.mail_dir}",
            "BEHIND_TLS_PROXY": "1",
            "FORWARDED_ALLOW_IPS": LB_ADDRESS,
            "SITE_URL": self.site_url,
            "STATIC_ROOT": str(self.dir / "static"),
            # Each host its own disk; evidence must never land there.
            "MEDIA_ROOT": str(self.dir / f"media-{host}"),
            "AWS_STORAGE_BUCKET_NAME": BUCKET,
            "AWS_S3_ENDPOINT_URL": S3_ENDPOINT,
            "AWS_S3_REGION_NAME": keys["region_name"],
            "AWS_S3_ADDRESSING_STYLE": "path",
            "AWS_ACCESS_KEY_ID": keys["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": keys["aws_secret_access_key"],
            "GUNICORN_BIND": f"{HOSTS[host]}:{WEB_PORT}",
            "GUNICORN_WORKERS": "2",
            "CELERY_BEAT_SCHEDULE_FILENAME": str(self.dir / f"beat-schedule-{host}"),
            "PYTHONUNBUFFERED": "1",
            "LOG_LEVEL": "WARNING",
            **extra,
        }

    def manage(self, host: str, *args: str, env=None) -> str:
        result = _run(
            *self.in_host(host, str(BIN / "python"), *args),
            cwd=BASE_DIR,
            env=env or self.env(host),
            check=False,
        )
        if result.returncode:
            raise RuntimeError(f"{' '.join(args)} failed on {host}:\n{result.stderr[-4000:]}")
        return result.stdout

    def prepare(self) -> dict:
        """Migrate, load the reference data and the cluster's people, collect static files
        (once: the hosts share this machine's disk for them)."""
        self.manage("web-a", "manage.py", "migrate", "--no-input", "-v0")
        self.manage("web-a", "manage.py", "load_reference_data")
        collect = self.env(
            "web-a", DJANGO_SETTINGS_MODULE="rocu_tracker.tests.collectstatic_settings"
        )
        self.manage("web-a", "manage.py", "collectstatic", "--no-input", "-v0", env=collect)
        out = self.manage(
            "web-a", "cluster/setup_data.py", env=self.env("web-a", CLUSTER_PASSWORD=PASSWORD)
        )
        return json.loads(out.strip().splitlines()[-1])

    def start_web(self, host: str) -> None:
        self.start(
            f"gunicorn-{host}",
            host,
            str(BIN / "gunicorn"),
            "rocu_tracker.wsgi",
            "-c",
            "deploy/gunicorn.conf.py",
            env=self.env(host),
        )

    def wait_web(self, host: str, timeout: float = 60) -> None:
        def ready():
            try:
                with socket.create_connection((HOSTS[host], WEB_PORT), timeout=0.3):
                    pass
            except OSError:
                return False
            return _direct_status(HOSTS[host], "/health/ready/") == 200

        _wait_for(ready, timeout=timeout, what=f"gunicorn on {host} to be ready")

    def start_celery(self, name: str, host: str, *args: str, **extra_env: str) -> None:
        env = self.env(host, DJANGO_SETTINGS_MODULE="reminders.tests.celery_settings", **extra_env)
        self.start(
            name, host, str(BIN / "celery"), "-A", "rocu_tracker", *args, "--loglevel", "INFO",
            env=env,
        )  # fmt: skip

    def start_worker(self, host: str, **extra_env: str) -> None:
        self.start_celery(
            f"worker-{host}", host, "worker", "--pool", "solo", "--hostname", f"worker@{host}",
            "--without-gossip", "--without-mingle", "--without-heartbeat", **extra_env,
        )  # fmt: skip

    # --- the balancer ------------------------------------------------------------------

    def start_balancer(self, *, test_rules: bool = False, plain_http: bool = False) -> None:
        """HAProxy with deploy/haproxy.cfg, or a copy of it with, for the test and the
        benchmark only: test_rules, a request naming a server in X-Cluster-Pin goes to that
        server while it is up (to put a request in flight on a chosen node) and the log
        names each request by its X-Cluster-Request; plain_http, the HTTP port serves as
        the TLS one does instead of redirecting (to measure what TLS costs). Otherwise the
        same file."""
        config = BASE_DIR / "deploy/haproxy.cfg"
        if test_rules or plain_http:
            text = config.read_text()
            text = _with_test_rules(text) if test_rules else text
            text = _without_https_redirect(text) if plain_http else text
            config = self.dir / "haproxy-test.cfg"
            config.write_text(text)
        cert = self.dir / "tracker.pem"
        key = self.dir / "tracker.key"
        _run(
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
            "-out", str(self.dir / "tracker.crt"), "-subj", "/CN=127.0.0.1", "-days", "1",
        )  # fmt: skip
        cert.write_bytes((self.dir / "tracker.crt").read_bytes() + key.read_bytes())
        env = {
            **os.environ,
            "ROCU_LB_BIND": f"127.0.0.1:{self.lb_port}",
            "ROCU_LB_HTTP_BIND": f"127.0.0.1:{self.lb_http_port}",
            "ROCU_LB_CERT": str(cert),
            "ROCU_SITE_HOST": "127.0.0.1",
            "ROCU_WEB_1": f"{HOSTS['web-a']}:{WEB_PORT}",
            "ROCU_WEB_2": f"{HOSTS['web-b']}:{WEB_PORT}",
            "ROCU_LB_STATS_SOCKET": str(self.stats_socket),
        }
        self.start("haproxy", None, "haproxy", "-db", "-f", str(config), env=env)

    def balancer_command(self, command: str) -> str:
        """A command on the balancer's admin socket, e.g. "disable server rocu_web/web2"."""
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(2)
            s.connect(str(self.stats_socket))
            s.sendall(command.encode() + b"\n")
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        return data.decode()

    def sessions(self) -> dict[int, str]:
        """The requests the balancer has under way, as {client's port: server}; "<none>"
        while it has not chosen one."""
        return {
            int(match["port"]): match["server"]
            for match in re.finditer(
                r" src=[\d.]+:(?P<port>\d+) fe=\S+ be=\S+ srv=(?P<server>\S+)",
                self.balancer_command("show sess"),
            )
        }

    def server_states(self) -> dict[str, str]:
        """The balancer's view of each web node: {"web1": "UP", "web2": "DOWN", ...}."""
        data = self.balancer_command("show stat").encode()
        lines = data.decode().splitlines()
        header = lines[0].lstrip("# ").split(",")
        rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:] if line]
        return {
            row["svname"]: row["status"].split()[0]
            for row in rows
            if row.get("pxname") == "rocu_web" and row["svname"] not in ("BACKEND", "FRONTEND")
        }

    def wait_states(self, expected: dict[str, str], timeout: float) -> None:
        def reached():
            try:
                states = self.server_states()
            except OSError:
                return False
            return all(states.get(name) == state for name, state in expected.items())

        _wait_for(reached, timeout=timeout, what=f"the balancer to see {expected}")

    # --- the end -----------------------------------------------------------------------

    def close(self) -> None:
        """Stop everything, remove the namespaces, the bridge and the files."""
        for process in self.processes.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        if (self.pg_data / "postmaster.pid").exists():
            _run(
                *self.in_host("data", "runuser", "-u", "postgres", "--",
                              str(_pg_bindir() / "pg_ctl"), "-D", str(self.pg_data),
                              "-m", "immediate", "-w", "-t", "30", "stop"),
                check=False, cwd=self.dir,
            )  # fmt: skip
        remove_leftovers()
        if not os.environ.get("ROCU_CLUSTER_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)
        self._lock.close()


def _direct_status(address: str, path: str) -> int | None:
    """The status of a GET straight to a node, as the balancer's check sends it."""
    import http.client

    connection = http.client.HTTPConnection(address, WEB_PORT, timeout=5)
    try:
        connection.request("GET", path, headers={"X-Forwarded-Proto": "https"})
        return connection.getresponse().status
    except OSError:
        return None
    finally:
        connection.close()


PIN_HEADER, REQUEST_HEADER = "X-Cluster-Pin", "X-Cluster-Request"


def _with_test_rules(config: str) -> str:
    """The balancer's configuration with, for the test only, a request that names a server
    in PIN_HEADER sent to that server (HAProxy ignores the rule while the server is down,
    and balances the request as any other), and REQUEST_HEADER in each request's log line."""
    frontend, backend = "    default_backend rocu_web\n", "    balance roundrobin\n"
    assert frontend in config and backend in config, "deploy/haproxy.cfg has changed"
    capture = f"    capture request header {REQUEST_HEADER} len 64\n"
    pins = "".join(
        f"    use-server {server} if {{ req.hdr({PIN_HEADER}) -m str {server} }}\n"
        for server in ("web1", "web2")
    )
    config = config.replace(frontend, capture + frontend, 1)
    return config.replace(backend, backend + pins, 1)


# A line of HAProxy's httplog: ... frontend backend/server timers status bytes - - flags
# counters queues {captured} "request".
_LOG_LINE = re.compile(
    r" \S+ [^/ ]+/(?P<server>\S+) \S+ (?P<status>-?\d+) \S+ \S+ \S+ (?P<flags>\S{4}) "
    r"\S+ \S+ \{(?P<request>[^}]*)\} "
)


def balancer_log(text: str) -> dict[str, dict]:
    """What the balancer logged of each request, by its REQUEST_HEADER: the server it went
    to, the status it logged (-1: none sent) and how the session ended (HAProxy's
    termination flags: "----" normal, "SD.." or "SH.." the server went away, "CD.." or
    "CH.." the client did)."""
    return {
        match["request"]: {
            "server": match["server"],
            "status": int(match["status"]),
            "flags": match["flags"],
        }
        for match in _LOG_LINE.finditer(text)
        if match["request"]
    }


def _without_https_redirect(config: str) -> str:
    redirect = "    http-request redirect scheme https code 301 unless { ssl_fc }\n"
    assert redirect in config, "deploy/haproxy.cfg has no redirect to https"
    return config.replace(redirect, "", 1)
