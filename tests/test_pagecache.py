"""Full-page cache: anonymous pages per language, invalidated on publish, never for editors or previews."""

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from wagtail.models import PageViewRestriction, Site

from portal.models import SiteSettings
from tests.factories import build_site
from tests.helpers import h1, url_in


def with_cache(test_class):
    return override_settings(PAGE_CACHE_SECONDS=300)(test_class)


@with_cache
class PageCacheTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=3)

    def setUp(self):
        cache.clear()

    def test_second_visit_is_served_from_the_cache_without_queries(self):
        url = url_in(self.site["news"][0], "de")
        first = self.client.get(url)
        self.assertEqual(first["X-Page-Cache"], "miss")
        with CaptureQueriesContext(connection) as queries:
            second = self.client.get(url)
        self.assertEqual(second["X-Page-Cache"], "hit")
        self.assertEqual(len(queries.captured_queries), 0)
        self.assertEqual(second.content, first.content)
        self.assertEqual(second["Content-Type"], first["Content-Type"])

    def test_each_language_is_cached_separately(self):
        news = self.site["news"][0]
        for lang in ("zh-hans", "en", "de", "ru"):
            self.client.get(url_in(news, lang))
        for lang in ("zh-hans", "en", "de", "ru"):
            response = self.client.get(url_in(news, lang))
            self.assertEqual(response["X-Page-Cache"], "hit")
            self.assertEqual(h1(response.content.decode()), getattr(news, "title_" + lang.replace("-", "_")))

    def test_publishing_shows_at_once_on_the_page_and_the_listings(self):
        news = self.site["news"][0]
        page_url, index_url, home_url = url_in(news, "en"), url_in(self.site["news_index"], "en"), "/en/"
        for url in (page_url, index_url, home_url):
            self.client.get(url)
        news.title_en = "Changed headline"
        news.save_revision().publish()
        for url in (page_url, index_url, home_url):
            response = self.client.get(url)
            self.assertNotEqual(response.get("X-Page-Cache"), "hit", url)
            self.assertIn("Changed headline", response.content.decode(), url)
        news.unpublish()
        self.assertEqual(self.client.get(page_url).status_code, 404)
        self.assertNotIn("Changed headline", self.client.get(index_url).content.decode())

    def test_never_for_logged_in_users(self):
        editor = get_user_model().objects.create_superuser("ed", "ed@example.com", "pw")
        self.client.force_login(editor)
        url = url_in(self.site["zone"], "en")
        self.client.get(url)
        self.assertNotIn("X-Page-Cache", self.client.get(url))
        self.client.logout()
        self.client.cookies.clear()
        self.assertEqual(self.client.get(url)["X-Page-Cache"], "miss")

    def test_never_for_private_pages_or_errors_or_search(self):
        from wagtail.models import PageViewRestriction

        zone = self.site["other_zone"]
        PageViewRestriction.objects.create(page=zone, restriction_type="password", password="secret")
        url = url_in(zone, "en")
        self.client.get(url)
        self.assertNotIn("X-Page-Cache", self.client.get(url))
        self.client.get("/en/no-such-page/")
        self.assertNotIn("X-Page-Cache", self.client.get("/en/no-such-page/"))
        self.client.get("/en/search/?q=Zone")
        self.assertNotIn("X-Page-Cache", self.client.get("/en/search/?q=Zone"))

    def test_preview_is_not_cached(self):
        editor = get_user_model().objects.create_superuser("ed2", "ed2@example.com", "pw")
        self.client.force_login(editor)
        news = self.site["news"][0]
        response = self.client.get(f"/admin/pages/{news.pk}/edit/preview/")
        self.assertNotIn("X-Page-Cache", response)


class CacheOffByDefaultTests(TestCase):
    def test_no_caching_without_page_cache_seconds(self):
        site = build_site(news_count=1)
        url = url_in(site["news"][0], "en")
        self.client.get(url)
        self.assertNotIn("X-Page-Cache", self.client.get(url))


@with_cache
class RememberedSiteTests(TestCase):
    """What every request used to ask the database for (site, settings, privacy) is remembered,
    and a change to it shows at once, cached pages included."""

    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=2)

    def setUp(self):
        cache.clear()

    def test_making_a_page_private_takes_effect_at_once(self):
        news = self.site["news"][0]
        url, index_url = url_in(news, "en"), url_in(self.site["news_index"], "en")
        for _ in range(2):
            self.assertEqual(self.client.get(url).status_code, 200)
        restriction = PageViewRestriction.objects.create(page=self.site["news_index"], restriction_type="login")
        # the page below the restricted index, and the index itself, now ask for a login
        for target in (url, index_url):
            with self.subTest(target):
                response = self.client.get(target)
                self.assertEqual(response.status_code, 302)
                self.assertIn("login", response["Location"])
        restriction.delete()
        self.assertEqual(self.client.get(url).status_code, 200)

    def test_a_page_whose_original_is_private_is_private(self):
        news = self.site["news"][0]
        alias = news.create_alias(parent=self.site["zone_index"], update_slug="alias-of-news")
        PageViewRestriction.objects.create(page=news, restriction_type="login")
        self.assertTrue(alias.get_view_restrictions().exists())
        self.assertFalse(self.site["news"][1].get_view_restrictions().exists())

    def test_changed_site_settings_show_at_once(self):
        settings_ = SiteSettings.for_site(Site.objects.get(is_default_site=True))
        self.client.get("/en/")
        settings_.footer_note_en = "New footer note"
        settings_.save()
        self.assertIn("New footer note", self.client.get("/en/").content.decode())

    def test_a_new_home_page_title_shows_at_once(self):
        home = self.site["home"]
        self.client.get("/de/")
        home.title_de = "Neue Startseite"
        home.save_revision().publish()
        self.assertIn("Neue Startseite", self.client.get("/de/").content.decode())

    def test_made_up_host_names_share_one_entry(self):
        def remembered():
            return {key for key in cache._cache if "portal:remember:" in key}

        self.client.get("/en/", HTTP_HOST="first.example")
        before = remembered()
        for n in range(10):
            response = self.client.get("/en/", HTTP_HOST=f"made-up-{n}.example")
            self.assertEqual(response.status_code, 200)  # Wagtail's default site, as without the cache
        self.assertEqual(remembered(), before)

    @override_settings(ALLOWED_HOSTS=["testserver"])
    def test_hosts_outside_allowed_hosts_are_refused(self):
        self.assertEqual(self.client.get("/en/", HTTP_HOST="attacker.example").status_code, 400)


def wsgi_get(method: str, path: str, **extra) -> tuple[str, dict, bytes]:
    """The response as a WSGI server receives it (the test client drops HEAD bodies itself)."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections
    from django.test import RequestFactory

    path, _, query = path.partition("?")
    environ = RequestFactory()._base_environ(REQUEST_METHOD=method, PATH_INFO=path, QUERY_STRING=query, **extra)
    started = {}

    def start_response(status, headers, exc_info=None):
        started["status"], started["headers"] = status, headers

    # As the test client does: the test's transaction must outlive the request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        result = WSGIHandler()(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            result.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return started["status"], dict(started["headers"]), body


@with_cache
class CacheHitIsTheMissTests(TestCase):
    """A hit answers exactly what the page answered: status, headers (but the cookie and the
    X-Page-Cache marker) and body; a HEAD gets the headers and no body."""

    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=2)

    def setUp(self):
        cache.clear()

    def test_hit_has_the_miss_headers_and_body(self):
        for url in (url_in(self.site["news"][0], "de"), "/en/", url_in(self.site["news_index"], "ru") + "?page=2"):
            with self.subTest(url):
                miss_status, miss_headers, miss_body = wsgi_get("GET", url)
                hit_status, hit_headers, hit_body = wsgi_get("GET", url)
                self.assertEqual((miss_headers.pop("X-Page-Cache"), hit_headers.pop("X-Page-Cache")), ("miss", "hit"))
                self.assertEqual(hit_status, miss_status)
                self.assertEqual(hit_headers, miss_headers)
                self.assertEqual(hit_body, miss_body)
                for name in ("X-Frame-Options", "Content-Length", "Content-Language", "Content-Type"):
                    self.assertIn(name, hit_headers)
                self.assertEqual(int(hit_headers["Content-Length"]), len(hit_body))

    def test_head_from_the_cache_has_no_body_and_the_get_length(self):
        url = url_in(self.site["news"][1], "en")
        _status, get_headers, get_body = wsgi_get("GET", url)
        status, head_headers, head_body = wsgi_get("HEAD", url)
        self.assertEqual(head_headers["X-Page-Cache"], "hit")
        self.assertTrue(status.startswith("200"))
        self.assertEqual(head_body, b"")
        self.assertEqual(head_headers["Content-Length"], str(len(get_body)))
        self.assertEqual(head_headers["Content-Length"], get_headers["Content-Length"])
