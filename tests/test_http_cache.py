"""HTTP caching: what Cache-Control each response sends, ETag and 304, compression, and the
keys of the portal's own caches (the release of the code, plain data only)."""

import gzip

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import checks
from django.core.cache import caches
from django.test import TestCase, override_settings

from wagtail.models import PageViewRestriction

from news.models import NewsPage
from portal import cache as portal_cache
from portal import pagecache
from portal.apps import check_routing
from portal.csp import with_csp
from tests.factories import build_site
from tests.helpers import url_in
from tests.test_pagecache import wsgi_get

PUBLIC = "public, max-age=0, s-maxage=300, stale-while-revalidate=60"


def cache_control(response) -> str:
    return ", ".join(sorted(part.strip() for part in response["Cache-Control"].split(",")))


def is_private(response) -> bool:
    """private, no-store, whatever else a view added (never_cache adds no-cache, max-age=0 …)."""
    parts = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= parts and "public" not in parts


@override_settings(HTTP_CACHE_MAX_AGE=0, HTTP_CACHE_S_MAXAGE=300, HTTP_CACHE_STALE_WHILE_REVALIDATE=60)
class CacheControlTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=3)
        cls.editor = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw")

    def test_public_pages_may_be_kept_by_shared_caches(self):
        for page in (self.site["home"], self.site["news_index"], self.site["news"][0], self.site["zone"]):
            for code in ("zh-hans", "en", "de", "ru"):
                response = self.client.get(url_in(page, code))
                self.assertEqual(response.status_code, 200)
                self.assertEqual(cache_control(response), cache_control_of(PUBLIC), (page, code))
                self.assertNotIn("Cookie", response.get("Vary", ""))

    def test_private_pages_previews_and_editors_are_never_stored(self):
        news = self.site["news"][1]
        restriction = PageViewRestriction.objects.create(
            page=news, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
        )
        form = self.client.get(url_in(news, "en"))  # the password form
        self.assertTrue(is_private(form), form["Cache-Control"])
        unlocked = self.client.post(
            f"/en/_util/authenticate_with_password/{restriction.pk}/{news.pk}/",
            {"password": "s3cret", "return_url": url_in(news, "en")},
        )
        self.assertEqual(unlocked.status_code, 302)
        self.assertTrue(is_private(unlocked), unlocked["Cache-Control"])  # it sets the session cookie
        shown = self.client.get(url_in(news, "en"))
        self.assertEqual(shown.status_code, 200)
        self.assertTrue(is_private(shown), shown["Cache-Control"])
        # a public page seen by a visitor with a session is theirs alone too
        self.assertTrue(is_private(self.client.get(url_in(self.site["news"][0], "en"))))

        self.client.logout()
        self.client.force_login(self.editor)
        self.assertTrue(is_private(self.client.get(url_in(self.site["news"][0], "en"))))
        preview = self.client.get(f"/admin/pages/{self.site['news'][0].pk}/view_draft/")
        self.assertEqual(preview.status_code, 200)
        self.assertTrue(is_private(preview), preview["Cache-Control"])

    def test_other_answers_are_private(self):
        for url in ("/en/search/?q=news", "/en/no-such-page/", "/en/feeds/news.rss"):
            response = self.client.get(url)
            self.assertIn(response.status_code, (200, 404), url)
            self.assertTrue(is_private(response), url)

    def test_etag_answers_304_from_the_page_and_from_the_page_cache(self):
        url = url_in(self.site["news"][0], "de")
        for seconds in (0, 300):
            with self.subTest(page_cache=seconds), override_settings(PAGE_CACHE_SECONDS=seconds):
                caches["default"].clear()
                first = self.client.get(url)
                etag = first["ETag"]
                again = self.client.get(url, HTTP_IF_NONE_MATCH=etag)
                self.assertEqual(again.status_code, 304)
                self.assertEqual(again.content, b"")
                self.assertEqual(self.client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code, 200)

    def test_html_is_compressed_for_clients_that_accept_it(self):
        url = url_in(self.site["news_index"], "ru")
        plain = self.client.get(url)
        compressed = self.client.get(url, HTTP_ACCEPT_ENCODING="gzip, br")
        self.assertEqual(compressed["Content-Encoding"], "gzip")
        self.assertIn("Accept-Encoding", compressed["Vary"])
        self.assertEqual(gzip.decompress(compressed.content), plain.content)
        self.assertLess(len(compressed.content), len(plain.content) / 2)


def cache_control_of(value: str) -> str:
    return ", ".join(sorted(part.strip() for part in value.split(",")))


class ReleaseTests(TestCase):
    """What one release of the code stored is never read by another."""

    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=2)

    def setUp(self):
        caches["default"].clear()
        self.addCleanup(portal_cache.release.cache_clear)

    def use_release(self, name: str, **more) -> None:
        portal_cache.release.cache_clear()
        override = override_settings(RELEASE=name, **more)
        override.enable()
        self.addCleanup(override.disable)

    def test_a_remembered_value_of_another_release_is_never_read(self):
        self.use_release("old")
        self.assertEqual(pagecache.remember("answer", lambda: 41), 41)
        self.assertEqual(pagecache.remember("answer", lambda: 0), 41)
        self.use_release("new")
        self.assertEqual(pagecache.remember("answer", lambda: 42), 42)

    def test_a_page_cached_by_another_release_is_never_served(self):
        url = url_in(self.site["news"][0], "en")
        self.use_release("old", PAGE_CACHE_SECONDS=300)
        self.assertEqual(self.client.get(url)["X-Page-Cache"], "miss")
        self.assertEqual(self.client.get(url)["X-Page-Cache"], "hit")
        self.use_release("new", PAGE_CACHE_SECONDS=300)
        self.assertEqual(self.client.get(url)["X-Page-Cache"], "miss")

    def test_without_a_name_the_release_is_a_digest_of_the_code(self):
        portal_cache.release.cache_clear()
        with override_settings(RELEASE=""):
            first = portal_cache.release()
            self.assertRegex(first, r"^[0-9a-f]{16}$")
            portal_cache.release.cache_clear()
            self.assertEqual(portal_cache.release(), first)


class PlainDataTests(TestCase):
    def setUp(self):
        caches["default"].clear()

    def test_model_instances_are_never_remembered(self):
        site = build_site(news_count=1)
        for value in (site["news"][0], [site["news"][0]], {"page": site["home"]}, object()):
            with self.subTest(type(value).__name__), self.assertRaises(TypeError):
                pagecache.remember("not-plain", lambda value=value: value)
        self.assertEqual([key for key in caches["default"]._cache if "not-plain" in key], [], "nothing was stored")

    def test_plain_values_are(self):
        value = {"zones": [[1, "Qingdao"]], "archive": [{"year": 2023, "count": 4}], "n": 1.5, "ok": True}
        self.assertEqual(pagecache.remember("plain", lambda: value), value)
        self.assertEqual(pagecache.remember("plain", lambda: None), value)


class RoutingCheckTests(TestCase):
    def test_the_fallback_route_is_on_every_page_type(self):
        self.assertEqual(check_routing(), [])

    def test_a_replaced_route_stops_the_site(self):
        original = NewsPage.route
        NewsPage.route = lambda self, request, path_components: None
        try:
            errors = check_routing()
        finally:
            NewsPage.route = original
        self.assertEqual([error.id for error in errors], ["portal.E001"])
        self.assertIsInstance(errors[0], checks.Error)


@override_settings(
    PAGE_CACHE_SECONDS=300,
    MIDDLEWARE=with_csp(settings.MIDDLEWARE),
    HTTP_CACHE_MAX_AGE=0,
    HTTP_CACHE_S_MAXAGE=300,
    HTTP_CACHE_STALE_WHILE_REVALIDATE=60,
)
class HitIsTheMissUnderProductionHeadersTests(TestCase):
    """With the production middleware (CSP), a page-cache hit repeats the miss's status, every header
    (Cache-Control, CSP, X-Frame-Options, Content-Length, ETag) and body; HEAD has no body."""

    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=2)

    def setUp(self):
        caches["default"].clear()

    def test_hit_and_miss_are_the_same_response(self):
        for url in (url_in(self.site["news"][0], "zh-hans"), "/ru/", url_in(self.site["news_index"], "de")):
            with self.subTest(url):
                miss_status, miss_headers, miss_body = wsgi_get("GET", url)
                hit_status, hit_headers, hit_body = wsgi_get("GET", url)
                self.assertEqual((miss_headers.pop("X-Page-Cache"), hit_headers.pop("X-Page-Cache")), ("miss", "hit"))
                self.assertEqual((hit_status, hit_headers, hit_body), (miss_status, miss_headers, miss_body))
                for name in ("Cache-Control", "Content-Security-Policy", "X-Frame-Options", "Content-Length", "ETag"):
                    self.assertIn(name, hit_headers)
                self.assertEqual(cache_control_of(hit_headers["Cache-Control"]), cache_control_of(PUBLIC))
                head_status, head_headers, head_body = wsgi_get("HEAD", url)
                self.assertEqual((head_status, head_body), (miss_status, b""))
                self.assertEqual(head_headers["Content-Length"], miss_headers["Content-Length"])
