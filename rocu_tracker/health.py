"""A health endpoint for load balancers and monitoring: the database and the broker."""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


@never_cache
@require_GET
def health(request):
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    return JsonResponse(
        {name: "ok" if ok else "failing" for name, ok in checks.items()},
        status=200 if all(checks.values()) else 503,
    )
