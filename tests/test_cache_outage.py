"""Redis down: the site serves from the database, the errors are logged once per interval, /healthz
says so, logins work; when Redis comes back nothing stale is served.

The shared Redis (127.0.0.1:6379) is never touched: "down" is a closed port, or a Redis this
module starts itself on a free port and locks (requirepass) for the outage.
"""

import logging
import pickle
import shutil
import socket
import subprocess
import time
from unittest import mock

from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.test import TestCase, override_settings

import pytest

from portal import cache as portal_cache
from portal import pagecache
from portal.cache import ResilientRedisCache
from portal.settings.base import cache_settings
from tests.factories import build_site
from tests.helpers import url_in


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


CLOSED_PORT = free_port()


@override_settings(CACHES=cache_settings(f"redis://127.0.0.1:{CLOSED_PORT}/0", "/unused"), PAGE_CACHE_SECONDS=300)
class RedisDownTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=2)

    def setUp(self):
        portal_cache._outages.clear()  # each test sees the outage begin

    def test_every_page_is_served_from_the_database(self):
        urls = ["/en/", url_in(self.site["news"][0], "de"), url_in(self.site["news_index"], "ru"), "/zh-hans/"]
        urls += [url_in(self.site["zone"], "en"), url_in(self.site["delegation"], "en"), "/en/search/?q=News"]
        for _ in range(2):
            for url in urls:
                self.assertEqual(self.client.get(url).status_code, 200, url)

    def test_the_outage_is_logged_once_per_interval_not_per_request(self):
        with self.assertLogs("portal.cache", logging.WARNING) as logged:
            for _ in range(20):
                self.assertEqual(self.client.get("/en/").status_code, 200)
        self.assertEqual(len(logged.records), 1, logged.output)
        self.assertIn(f"127.0.0.1:{CLOSED_PORT}", logged.output[0])

    def test_healthz_reports_the_database_and_the_cache(self):
        response = self.client.get("/healthz")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content.decode(), "ok\ndatabase: ok\ncache: unavailable\n")

    def test_editors_log_in_and_stay_logged_in(self):
        get_user_model().objects.create_superuser("editor", "editor@example.com", "a long password 1")
        response = self.client.post("/admin/login/", {"username": "editor", "password": "a long password 1"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.client.get("/admin/").status_code, 200)

    def test_a_closed_port_costs_no_waiting(self):
        started = time.monotonic()
        for _ in range(10):
            self.client.get("/en/")
        self.assertLess(time.monotonic() - started, 10)


class OwnRedis:
    """redis-server on a free port, in its own directory, nothing saved; locked = unavailable."""

    PASSWORD = "locked-for-the-test"

    def __init__(self, directory):
        self.port = free_port()
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=directory,
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            if self.cli("PING").stdout.strip() == "PONG":
                break
            time.sleep(0.05)
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def cli(self, *args, password=None):
        auth = ["-a", password, "--no-auth-warning"] if password else []
        return subprocess.run(
            ["redis-cli", "-p", str(self.port), *auth, *args], capture_output=True, text=True, timeout=10
        )

    def lock(self):
        self.cli("CONFIG", "SET", "requirepass", self.PASSWORD)
        self.cli("CLIENT", "KILL", "TYPE", "normal", password=self.PASSWORD)  # the portal's pooled connections

    def unlock(self):
        self.cli("CONFIG", "SET", "requirepass", "", password=self.PASSWORD)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
class RedisComesBackTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=3)

    def setUp(self):
        import tempfile

        self.redis = OwnRedis(tempfile.mkdtemp(prefix="portal-redis-"))
        self.addCleanup(self.redis.stop)
        override = override_settings(CACHES=cache_settings(self.redis.url, "/unused"), PAGE_CACHE_SECONDS=300)
        override.enable()
        self.addCleanup(override.disable)
        patch = mock.patch.object(ResilientRedisCache, "retry_seconds", 0.2)
        patch.start()
        self.addCleanup(patch.stop)

    def test_a_page_unpublished_while_redis_was_down_stays_gone(self):
        article = self.site["news"][0]
        article_url, index_url = url_in(article, "en"), url_in(self.site["news_index"], "en")
        for url in (article_url, index_url, article_url, index_url):
            self.assertEqual(self.client.get(url).status_code, 200)
        self.assertEqual(self.client.get(article_url)["X-Page-Cache"], "hit")
        self.redis.lock()
        with self.assertLogs("portal.cache", logging.WARNING):
            article.unpublish()
            self.assertEqual(self.client.get(article_url).status_code, 404)
        self.redis.unlock()
        time.sleep(0.3)
        with self.assertLogs("portal.cache", logging.INFO) as logged:
            self.assertEqual(self.client.get(article_url).status_code, 404)
        self.assertIn("available again", logged.output[0])
        self.assertNotIn(article.title_en, self.client.get(index_url).content.decode())

    def test_a_process_that_saw_the_outage_starts_a_new_generation(self):
        """Another process may have published meanwhile: its new generation never reached Redis."""
        self.client.get("/en/")
        before = pagecache.generation()
        self.redis.lock()
        with self.assertLogs("portal.cache", logging.WARNING):
            self.assertEqual(self.client.get("/en/").status_code, 200)  # reads only: nothing to undo
        self.redis.unlock()
        time.sleep(0.3)
        self.assertEqual(self.client.get("/en/").status_code, 200)
        self.assertNotEqual(pagecache.generation(), before)
        self.assertIsNotNone(caches["shared"].get(pagecache.GENERATION_KEY))

    def test_a_session_ended_while_redis_was_down_is_not_revived(self):
        get_user_model().objects.create_superuser("editor", "editor@example.com", "a long password 1")
        self.client.post("/admin/login/", {"username": "editor", "password": "a long password 1"})
        self.assertEqual(self.client.get("/admin/").status_code, 200)
        cookie = self.client.cookies["sessionid"].value
        self.redis.lock()
        with self.assertLogs("portal.cache", logging.WARNING):
            self.client.post("/admin/logout/")
        self.redis.unlock()
        time.sleep(0.3)
        self.client.cookies["sessionid"] = cookie  # the old cookie, kept by someone
        response = self.client.get("/admin/")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])


# --- values that no longer unpickle ------------------------------------------------------------


class Renamed:
    """Stands for a class a deploy renamed or removed: pickles of it stay in the cache."""

    def __init__(self, value=None):
        self.value = value


# A pickle of an instance of a class that will not exist when it is read (see vanished()).
STALE_PICKLE = pickle.dumps(Renamed("stale"), pickle.HIGHEST_PROTOCOL)


class vanished:
    """Within the block, Renamed no longer exists: its pickles raise AttributeError when read."""

    def __enter__(self):
        import sys

        self.module = sys.modules[__name__]
        self.saved = self.module.Renamed
        del self.module.Renamed

    def __exit__(self, *exc):
        self.module.Renamed = self.saved


class UnreadableValueTests(TestCase):
    """A deploy renamed a class whose pickles are in the cache (pagecache keeps Page and Site
    objects): reading one is a miss, logged once per interval, never a 500 on every page."""

    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=2)

    def setUp(self):
        import tempfile

        caches_setting = {
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "unreadable"},
            "shared": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": tempfile.mkdtemp(prefix="portal-unreadable-"),
            },
        }
        override = override_settings(CACHES=caches_setting, PAGE_CACHE_SECONDS=300)
        override.enable()
        self.addCleanup(override.disable)
        caches["default"].clear()
        portal_cache.unreadable.reset()

    def spoil(self, *markers) -> int:
        """Every local-memory entry whose key holds one of the markers now holds a stale pickle."""
        default, spoiled = caches["default"], 0
        for key in list(default._cache):
            if any(marker in key for marker in markers):
                default._cache[key] = STALE_PICKLE
                spoiled += 1
        return spoiled

    def test_pages_are_served_when_every_cached_value_is_stale(self):
        urls = ["/en/", url_in(self.site["news"][0], "de"), url_in(self.site["news_index"], "ru") + "?page=2"]
        fresh = {}
        for url in urls * 2:
            fresh[url] = self.client.get(url).content
        self.assertEqual(self.client.get(urls[1])["X-Page-Cache"], "hit")
        caches["shared"].set(pagecache.GENERATION_KEY, Renamed("generation"), None)
        with vanished():
            self.assertGreater(self.spoil("portal:"), 10)
            with self.assertLogs("portal.cache", logging.WARNING) as logged:
                for url in urls:
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 200, url)
                    self.assertEqual(response.content, fresh[url], url)
            self.assertEqual(len(logged.records), 1, logged.output)
            self.assertIn("treated as a miss", logged.output[0])
            # what was read afresh was stored again: the stale values are gone
            for url in urls:
                self.assertEqual(self.client.get(url)["X-Page-Cache"], "hit", url)

    def test_a_stale_cached_page_is_a_miss(self):
        url = url_in(self.site["news"][1], "en")
        self.client.get(url)
        with vanished():
            self.assertEqual(self.spoil(":portal:page:"), 1)
            with self.assertLogs("portal.cache", logging.WARNING):
                self.assertEqual(self.client.get(url)["X-Page-Cache"], "miss")
            self.assertEqual(self.client.get(url)["X-Page-Cache"], "hit")

    def test_remember_reads_a_stale_value_as_missing(self):
        # remember() keeps plain data only; a value some other code left under its key (or a
        # damaged one) still must not take the site down.
        caches["default"].set(pagecache._remember_key("answer"), Renamed(41))
        with vanished():
            self.assertEqual(self.spoil(":portal:remember:"), 1)
            with self.assertLogs("portal.cache", logging.WARNING) as logged:
                self.assertEqual(pagecache.remember("answer", lambda: 42), 42)
            self.assertEqual(len(logged.records), 1, logged.output)
            self.assertEqual(pagecache.remember("answer", lambda: 43), 42)


class UnreadableValueInRedisTests(TestCase):
    """The same in Redis (database 15 of the Redis on 127.0.0.1:6379, under a key prefix of its own):
    a value that no longer unpickles is a miss, logged once per interval, and no outage."""

    @classmethod
    def setUpClass(cls):
        import os

        try:
            with socket.create_connection(("127.0.0.1", 6379), timeout=1):
                pass
        except OSError:
            if os.environ.get("PORTAL_REQUIRE_REDIS"):
                raise RuntimeError("Redis is required for these tests but 127.0.0.1:6379 does not answer") from None
            raise pytest.skip.Exception("Redis is not running on 127.0.0.1:6379") from None
        super().setUpClass()

    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=2)

    def setUp(self):
        import uuid

        caches_setting = cache_settings("redis://127.0.0.1:6379/15", "/unused")
        prefix = f"portal-unreadable-{uuid.uuid4().hex}"
        for alias in caches_setting:
            caches_setting[alias]["KEY_PREFIX"] = f"{prefix}-{alias}" if alias == "renditions" else prefix
        override = override_settings(CACHES=caches_setting, PAGE_CACHE_SECONDS=300)
        override.enable()
        self.addCleanup(override.disable)
        self.addCleanup(self.delete_keys, prefix)
        portal_cache._outages.clear()
        portal_cache.unreadable.reset()

    def delete_keys(self, prefix):
        client = caches["default"]._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)

    def test_get_and_get_many_read_a_stale_value_as_missing(self):
        cache = caches["default"]
        cache.set_many({"stale": Renamed(1), "other-stale": Renamed(2), "fine": {"answer": 42}}, 60)
        with vanished():
            with self.assertLogs("portal.cache", logging.WARNING) as logged:
                for _ in range(5):
                    self.assertIsNone(cache.get("stale"))
                    self.assertEqual(cache.get("stale", "default"), "default")
                    self.assertEqual(cache.get_many(["stale", "fine", "other-stale"]), {"fine": {"answer": 42}})
            self.assertEqual(len(logged.records), 1, logged.output)
            self.assertIn("treated as a miss", logged.output[0])
            self.assertIsNone(cache.outage.since)  # Redis answered: no outage
            self.assertTrue(cache.available)
        cache.set("stale", "replaced", 60)
        self.assertEqual(cache.get("stale"), "replaced")

    def test_pages_are_served_when_every_cached_value_is_stale(self):
        url = url_in(self.site["news"][0], "en")
        fresh = self.client.get(url).content
        self.assertEqual(self.client.get(url)["X-Page-Cache"], "hit")
        client = caches["default"]._cache.get_client(write=True)
        prefix = caches["default"].key_prefix
        with vanished():
            keys = list(client.scan_iter(match=f"{prefix}*"))
            self.assertGreater(len(keys), 5)
            for key in keys:
                ttl = client.ttl(key)
                client.set(key, STALE_PICKLE, ex=ttl if ttl > 0 else None)
            with self.assertLogs("portal.cache", logging.WARNING) as logged:
                response = self.client.get(url)
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.content, fresh)
            self.assertEqual(len(logged.records), 1, logged.output)
            self.assertEqual(self.client.get(url)["X-Page-Cache"], "hit")
