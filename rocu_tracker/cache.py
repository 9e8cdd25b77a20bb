"""The cache degrades to computing: Redis down is a miss, not a server error.

Django's RedisCache raises when Redis cannot be reached, so an outage of the cache would take
every cached page (the dashboards) down with it. What is cached here can always be computed
again, so an error reading is a miss and an error writing is a write that did not happen; the
first error of an outage is logged, and for a few seconds after it Redis is not asked again,
so pages do not each wait on a dead server. incr() and decr() are left as they are: a counter
cannot pretend, and nothing in the project uses one.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# After an error, how long every process's cache skips Redis before trying again.
RETRY_AFTER_SECONDS = 5.0


class _Outage:
    """When Redis last failed, shared by the threads of a process."""

    def __init__(self):
        self._lock = threading.Lock()
        self._until = 0.0

    def ongoing(self) -> bool:
        return time.monotonic() < self._until

    def start(self, error: Exception) -> None:
        with self._lock:
            first = self._until == 0.0
            self._until = time.monotonic() + RETRY_AFTER_SECONDS
        if first:
            logger.warning("Cache unavailable, computing instead: %r", error)

    def end(self) -> None:
        if self._until:
            with self._lock:
                self._until = 0.0
            logger.warning("Cache available again")


_outage = _Outage()


class DegradingRedisCache(RedisCache):
    def _try(self, call, *args, fallback=None, **kwargs):
        if _outage.ongoing():
            return fallback
        try:
            result = call(*args, **kwargs)
        except RedisError as error:
            _outage.start(error)
            return fallback
        _outage.end()
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try(super().add, key, value, timeout, version, fallback=False)

    def get(self, key, default=None, version=None):
        return self._try(super().get, key, default, version, fallback=default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._try(super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try(super().touch, key, timeout, version, fallback=False)

    def delete(self, key, version=None):
        return self._try(super().delete, key, version, fallback=False)

    def get_many(self, keys, version=None):
        return self._try(super().get_many, keys, version, fallback={})

    def has_key(self, key, version=None):
        return self._try(super().has_key, key, version, fallback=False)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try(super().set_many, data, timeout, version, fallback=list(data))

    def delete_many(self, keys, version=None):
        self._try(super().delete_many, keys, version)

    def clear(self):
        return self._try(super().clear, fallback=False)
