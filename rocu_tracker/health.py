"""Health checks for load balancers, process supervisors and monitoring.

- /health/live/: this process answers and reaches the database. A supervisor restarts a web
  process that fails it.
- /health/ready/ (and /health/, its old name): the process can serve pages: the database,
  every migration applied, and, where pages name static files through the manifest
  (DEBUG=0), the manifest holds the files every page links. A load balancer sends traffic
  only to nodes that answer 200. Redis (the dashboards' cache and Celery's broker) is
  reported as "degraded" but does not fail readiness: without it pages compute what they
  would have cached and reminders wait in the database for the worker, so taking every web
  node out of service because Redis is down would turn a slow site into no site.
"""

import uuid

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from django.core.cache import cache
from django.core.files.storage import storages
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app

OK, FAILING, DEGRADED = "ok", "failing", "degraded"
# Files templates/base.html links on every page: with DEBUG=0 a page whose file is missing
# from the staticfiles manifest is a server error ("Missing staticfiles manifest entry").
PAGE_STATIC_FILES = (
    "favicon.svg",
    "vendor/bootstrap-5.3.9/bootstrap.min.css",
    "css/rocu.css",
    "vendor/bootstrap-5.3.9/bootstrap.bundle.min.js",
    "vendor/htmx-2.0.11/htmx.min.js",
    "js/focus-after-swap.js",
)
_migrations_applied = False  # once true, true for the life of the process (code is fixed)


def _database_ok() -> bool:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _migrations_ok() -> bool:
    """Every migration of the code is applied (migrate has run for this release)."""
    global _migrations_applied
    if not _migrations_applied:
        try:
            executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except Exception:
            return False
        _migrations_applied = not plan
    return _migrations_applied


def _static_files_ok() -> bool:
    """The files every page links resolve through the storage the pages use; with the
    manifest storage (DEBUG=0) that needs collectstatic's manifest in STATIC_ROOT."""
    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestStaticFilesStorage):
        return True
    try:
        for name in PAGE_STATIC_FILES:
            storage.stored_name(name)
    except ValueError:
        return False
    return True


def _cache_ok() -> bool:
    """A value written to the cache reads back (the cache degrades to a miss when Redis is
    down: rocu_tracker/cache.py)."""
    probe = uuid.uuid4().hex
    cache.set("health:probe", probe, 10)
    return cache.get("health:probe") == probe


def _broker_ok() -> bool:
    """One quick attempt: a load balancer's probe has a timeout of its own, and a broker
    that is down must not make the whole answer late."""
    try:
        with celery_app.connection_for_write(connect_timeout=1) as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, timeout=1)
        return True
    except Exception:
        return False


def _answer(required: dict[str, bool], optional: dict[str, bool] | None = None) -> JsonResponse:
    body = {name: OK if ok else FAILING for name, ok in required.items()}
    body.update({name: OK if ok else DEGRADED for name, ok in (optional or {}).items()})
    return JsonResponse(body, status=200 if all(required.values()) else 503)


@never_cache
@require_GET
def live(request):
    return _answer({"database": _database_ok()})


@never_cache
@require_GET
def ready(request):
    database = _database_ok()
    return _answer(
        {
            "database": database,
            "migrations": database and _migrations_ok(),
            "static files": _static_files_ok(),
        },
        {"cache": _cache_ok(), "broker": _broker_ok()},
    )
