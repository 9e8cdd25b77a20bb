"""gunicorn settings for ROCU Tracker; every value can be overridden on the command line
(or with the GUNICORN_* variables read below).

Chosen by measurement (issue 11, bench/national_scale.py's load test: 50 connections over
signed-in users' pages, a write every 3 s, on 2 cores with PostgreSQL on the same cores):

- Sync workers, two per core. A request is CPU-bound Python (about 26 ms of CPU, with 7 ms
  more in PostgreSQL), so threads only take turns at one interpreter lock: gthread with 4
  workers x 2 threads served 10 % more requests but with a third longer p95 (requests share
  a worker's CPU, so a cheap page waits behind an expensive one), and 2 x 4 was slower
  still; once the machine was overloaded gthread's queues inside the workers ran past wrk's
  10 s timeout while the sync workers' one kernel queue, first come first served, did not.
  Two per core keep both cores busy while a worker waits on PostgreSQL; more only queue
  for the CPU, each holding a database connection and its memory.
- preload_app: the application is imported once, before the workers are forked, which
  share its memory and start (and restart, below) in milliseconds rather than seconds.
  Nothing connects at import (Django opens its database connection on the first query), so
  no socket is shared between workers. Code changes need a restart, not a HUP.
- max_requests with jitter: each worker is replaced after about 2,000 requests, so a slow
  leak cannot grow for ever; the jitter keeps the workers from restarting all at once.
- The database connection persists across requests (CONN_MAX_AGE, checked before reuse:
  settings.py); static files are served by whitenoise from the collected, compressed files.
"""

import multiprocessing
import os
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", 1))
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") == "1"
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", 200))
# The workers' heartbeat files in memory, not on a disk that may stall under load.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108
timeout = 60
# PDFs of long responses take a few seconds; slow clients are the proxy's business.
graceful_timeout = 30
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def pre_fork(server, worker):
    """Close any database connection the preloaded application opened in the master, so no
    worker inherits (and shares) its socket."""
    if server.cfg.preload_app:
        from django.db import connections

        connections.close_all()
