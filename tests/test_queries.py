"""A page's query count does not grow with the size of the site (5 → 50 news pages)."""

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from tests.factories import add_news, build_site
from tests.helpers import url_in

# Pinned: raise these only with a reason in the commit message.
MAX_QUERIES = {
    "home": 12,
    "news_index": 14,
    "news_page": 17,
    "zone_page": 16,
    "delegation_page": 16,
    "delegation_index": 13,
    "zone_index": 11,
}


class QueryCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=5)

    def pages(self):
        s = self.site
        return {
            "home": s["home"],
            "news_index": s["news_index"],
            "news_page": s["news"][0],
            "zone_page": s["zone"],
            "delegation_page": s["delegation"],
            "delegation_index": s["delegation_index"],
            "zone_index": s["zone_index"],
        }

    def count(self, url):
        self.client.get(url)  # warm per-process caches (site root paths)
        with CaptureQueriesContext(connection) as ctx:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        return len(ctx.captured_queries)

    def test_query_counts_do_not_grow(self):
        small = {name: self.count(url_in(page, "de")) for name, page in self.pages().items()}
        add_news(self.site["news_index"], 45, zone=self.site["zone"])
        large = {name: self.count(url_in(page, "de")) for name, page in self.pages().items()}
        for name in small:
            with self.subTest(page=name):
                self.assertEqual(
                    small[name], large[name], f"{name}: {small[name]} queries at 5 news, {large[name]} at 50"
                )
                self.assertLessEqual(large[name], MAX_QUERIES[name], f"{name} makes {large[name]} queries: {large}")
