"""Django's Redis cache, made to fail soft: Redis down slows the site, it does not stop it.

Every cache the portal keeps can be recomputed from the database (pages, remembered values,
renditions) or is written through to it (cached_db sessions), so an error talking to Redis
becomes a miss: a read returns its default, a write is dropped. After a failure the cache
is not asked again for `retry_seconds` (each call would otherwise wait for its own timeout),
and the outage is logged once when it starts, then at most once per `log_seconds`, and when
it ends — never once per request.

While Redis is away, writes that could not be made leave their old values behind in it: a
logged-out session, a generation from before a publish. So each process remembers the keys
it failed to write and deletes them before anything else when Redis answers again, and sends
`recovered`, on which pagecache starts a new generation (another process may have published
in between, and its new generation never reached Redis).

A value Redis returns that no longer decodes (a damaged entry, or one a library pickled before
a deploy renamed its class) is a miss too, deleted, and logged once per
interval (`unreadable`); Redis answered, so it is no outage. read() does the same for the other
caches (local memory, files).

Why a subclass of Django's backend and not django-redis with DJANGO_REDIS_IGNORE_EXCEPTIONS:
that logs every failed call, keeps trying on every call, and has no hook for "Redis is back",
which is when the stale values above must go.
"""

import contextlib
import functools
import hashlib
import logging
import threading
import time
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from django.dispatch import Signal

from redis.exceptions import RedisError, ResponseError

logger = logging.getLogger(__name__)

# Sent (sender: the backend) by the first call that reaches Redis after an outage this process saw.
recovered = Signal()

# More failed writes than this during one outage are not remembered one by one (the generation
# still starts anew on recovery; sessions written beyond it may come back from the cache).
MAX_PENDING_KEYS = 10_000


class Unreadable:
    """Cached values that could not be decoded, in this process: logged at most once per `log_seconds`."""

    log_seconds = 60.0

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.logged_at: float | None = None
        self.count = 0  # since the last log line

    def report(self, key, error: Exception) -> None:
        now = time.monotonic()
        with self.lock:
            self.count += 1
            log = self.logged_at is None or now - self.logged_at >= self.log_seconds
            if log:
                count, self.count, self.logged_at = self.count, 0, now
        if log:
            logger.warning(
                "Cached value %r unreadable (%s: %s), treated as a miss%s.",
                key,
                type(error).__name__,
                error,
                f"; {count} unreadable values since the last report" if count > 1 else "",
            )


unreadable = Unreadable()


def read(cache, key, default=None):
    """cache.get(key, default), but a value that cannot be read back (its class renamed or gone,
    a damaged file) is a miss: deleted, and reported through `unreadable`."""
    try:
        return cache.get(key, default)
    except Exception as error:
        unreadable.report(key, error)
        with contextlib.suppress(Exception):  # should it fail, the next write replaces the value
            cache.delete(key)
        return default


RELEASE_SUFFIXES = {".py", ".html", ".txt", ".xml", ".mo"}
RELEASE_PACKAGES = ("django", "wagtail", "wagtail-modeltranslation", "django-modeltranslation")


def _release_sources() -> set[Path]:
    """The files of the code that computes cached values: the template folders, the project's own
    apps (packages of the checkout, not of a virtualenv inside it) and the translations."""
    from django.apps import apps

    base = Path(settings.BASE_DIR).resolve()
    roots = [Path(directory) for template in settings.TEMPLATES for directory in template.get("DIRS", ())]
    roots += [Path(config.path) for config in apps.get_app_configs() if Path(config.path).resolve().parent == base]
    roots += [Path(path) for path in getattr(settings, "LOCALE_PATHS", ())]
    return {
        path.resolve()
        for root in roots
        for path in root.rglob("*")
        if path.suffix in RELEASE_SUFFIXES and "migrations" not in path.parts and path.is_file()
    }


@functools.cache
def release() -> str:
    """A short name of the running code, part of every key the portal writes (pagecache,
    fragments): what an older or newer release stored is never read. settings.RELEASE when the
    deploy names one (e.g. the commit); else a digest of the project's source files, templates and
    compiled translations and of the versions of the packages that render its pages, computed once
    per process (a few milliseconds)."""
    if getattr(settings, "RELEASE", ""):
        return settings.RELEASE
    digest = hashlib.blake2b(digest_size=8)
    base = Path(settings.BASE_DIR).resolve()
    for path in sorted(_release_sources()):
        digest.update(str(path.relative_to(base) if path.is_relative_to(base) else path).encode())
        digest.update(path.read_bytes())
    for package in RELEASE_PACKAGES:
        digest.update(f"{package}={version(package)}".encode())
    return digest.hexdigest()


@dataclass
class Outage:
    """The state of one Redis server, shared by the aliases that use it, in this process."""

    since: float | None = None  # monotonic time of the first failure; None: up
    failed_at: float = 0.0  # the last failure
    retry_at: float = 0.0
    logged_at: float = 0.0
    pending: set = field(default_factory=set)  # keys whose write failed: deleted on recovery
    overflowed: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


_outages: dict[str, Outage] = {}


class ResilientRedisCache(RedisCache):
    retry_seconds = 5.0
    log_seconds = 60.0

    @property
    def outage(self) -> Outage:
        return _outages.setdefault(",".join(self._servers), Outage())

    @property
    def available(self) -> bool:
        """Whether Redis answers now, for /healthz: asked directly (which ends an outage if it does),
        unless a call failed within the last second (the aliases on one server ask once)."""
        outage = self.outage
        if outage.since is not None and time.monotonic() - outage.failed_at < 1:
            return False
        return self._call(lambda: self._cache.get_client().ping(), False, retry_now=True)

    # --- Django's cache API, each call guarded -----------------------------------------------
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), False, [key])

    def get(self, key, default=None, version=None):
        return self._call(lambda: self._get(key, default, version), default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), None, [key])

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call(lambda: super(ResilientRedisCache, self).touch(key, timeout, version), False, [key])

    def delete(self, key, version=None):
        return self._call(lambda: super(ResilientRedisCache, self).delete(key, version), False, [key])

    def get_many(self, keys, version=None):
        keys = list(keys)
        return self._call(lambda: self._get_many(keys, version), {})

    def has_key(self, key, version=None):
        return self._call(lambda: super(ResilientRedisCache, self).has_key(key, version), False)

    def incr(self, key, delta=1, version=None):
        missing = object()

        def operation():
            try:
                return super(ResilientRedisCache, self).incr(key, delta, version)
            except ResponseError as error:
                if "not an integer" not in str(error):
                    raise
                # a value that is no counter (a pickle): missing, not an outage
                unreadable.report(key, error)
                super(ResilientRedisCache, self).delete(key, version)
                return missing

        value = self._call(operation, missing, [key])
        if value is missing:
            # as Django's for a missing key
            raise ValueError(f"Key '{key}' not found: the cache is unavailable or held no counter.")
        return value

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        keys = list(data)
        return self._call(lambda: super(ResilientRedisCache, self).set_many(data, timeout, version), keys, keys)

    def delete_many(self, keys, version=None):
        keys = list(keys)
        return self._call(lambda: super(ResilientRedisCache, self).delete_many(keys, version), None, keys)

    def clear(self):
        return self._call(lambda: super(ResilientRedisCache, self).clear(), False)

    # --- values that do not decode: a miss, not an outage --------------------------------------
    def _get(self, key, default, version):
        try:
            return super().get(key, default, version)
        except RedisError:
            raise
        except Exception as error:  # Django's serializer: pickle.loads
            unreadable.report(key, error)
            super().delete(key, version)
            return default

    def _get_many(self, keys, version):
        try:
            return super().get_many(keys, version)
        except RedisError:
            raise
        except Exception:  # one value does not decode: read them one by one, that one is a miss
            missing = object()
            found = {key: self._get(key, missing, version) for key in keys}
            return {key: value for key, value in found.items() if value is not missing}

    # --- the guard -----------------------------------------------------------------------------
    def _call(self, operation, default, written=(), retry_now=False):
        outage = self.outage
        if outage.since is not None:
            if not retry_now and time.monotonic() < outage.retry_at:
                self._remember_failed(written)
                return default
            try:
                self._recover()
            except RedisError as error:
                self._failed(error, written)
                return default
        try:
            return operation()
        except RedisError as error:
            self._failed(error, written)
            return default

    def _remember_failed(self, written) -> None:
        outage = self.outage
        with outage.lock:
            for key in written:
                if len(outage.pending) >= MAX_PENDING_KEYS:
                    outage.overflowed = True
                    break
                outage.pending.add(self.make_key(key))

    def _failed(self, error: Exception, written) -> None:
        outage, now = self.outage, time.monotonic()
        self._remember_failed(written)
        with outage.lock:
            starting = outage.since is None
            if starting:
                outage.since = now
            outage.failed_at = now
            outage.retry_at = now + self.retry_seconds
            log = starting or now - outage.logged_at >= self.log_seconds
            if log:
                outage.logged_at = now
        if log:
            logger.warning(
                "Cache %s unavailable%s (%s: %s); serving without it, next try in %g s.",
                ",".join(self._servers),
                "" if starting else f" for {now - outage.since:.0f} s",
                type(error).__name__,
                error,
                self.retry_seconds,
            )

    def _recover(self) -> None:
        """Redis answers again: first delete what this process failed to write, then say so."""
        outage = self.outage
        with outage.lock:
            pending, outage.pending = outage.pending, set()
        client = self._cache.get_client(write=True)
        try:
            keys = list(pending)
            for start in range(0, len(keys), 1000):
                client.delete(*keys[start : start + 1000])
            if not keys:
                client.ping()
        except RedisError:
            with outage.lock:
                outage.pending |= pending
            raise
        with outage.lock:
            if outage.since is None:
                return
            lasted, outage.since = time.monotonic() - outage.since, None
            overflowed, outage.overflowed = outage.overflowed, False
        logger.info(
            "Cache %s available again after %.0f s; %d stale keys deleted%s.",
            ",".join(self._servers),
            lasted,
            len(pending),
            f" (more than {MAX_PENDING_KEYS} failed writes: some were not)" if overflowed else "",
        )
        recovered.send(sender=self.__class__, cache=self)
