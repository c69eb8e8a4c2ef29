"""Full-page cache: anonymous pages per language, invalidated on publish, never for editors or previews."""

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext

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
