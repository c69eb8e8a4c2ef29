"""A page's query count does not grow with the size of the site (5 → 50 news pages, 1 → 21 visits).

Counted twice: warm (what a visitor usually gets: the route to a page, which pages are
private, a listing's filter options, year counts and keys are remembered as plain data
until the content next changes, portal/pagecache.py; the site, its home page, the page,
its view restrictions, the site settings, the menu and the lists drawn from other pages
are read each time) and cold (the first visit after a publish), with the full-page cache off.
"""

from django.core.cache import cache
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from tests.factories import add_news, add_visits, build_site
from tests.helpers import url_in

# Pinned: raise these only with a reason in the commit message.
MAX_QUERIES = {
    "home": 5,
    "news_index": 6,
    "news_page": 13,
    "zone_page": 6,
    "delegation_page": 11,
    "delegation_index": 6,
    "zone_index": 8,
}
MAX_COLD_QUERIES = {
    "home": 18,  # upcoming and recent visits: two lists of at most four, one query each
    "news_index": 19,
    "news_page": 21,
    "zone_page": 20,
    "delegation_page": 20,
    "delegation_index": 17,
    "zone_index": 16,
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

    def count(self, url, warm=True):
        if warm:
            self.client.get(url)  # warm per-process caches (site root paths, remembered lists)
        else:
            cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        return len(ctx.captured_queries)

    def test_query_counts_do_not_grow(self):
        pages = self.pages()
        small = {name: self.count(url_in(page, "de")) for name, page in pages.items()}
        small_cold = {name: self.count(url_in(page, "de"), warm=False) for name, page in pages.items()}
        add_news(self.site["news_index"], 45, zone=self.site["zone"])
        add_visits(self.site["delegation_index"], 20, zone=self.site["zone"])
        large = {name: self.count(url_in(page, "de")) for name, page in pages.items()}
        large_cold = {name: self.count(url_in(page, "de"), warm=False) for name, page in pages.items()}
        for name in small:
            with self.subTest(page=name):
                self.assertEqual(
                    small[name], large[name], f"{name}: {small[name]} queries at 5 news, {large[name]} at 50"
                )
                self.assertEqual(
                    small_cold[name],
                    large_cold[name],
                    f"{name}, cold: {small_cold[name]} queries at 5 news, {large_cold[name]} at 50",
                )
                self.assertLessEqual(large[name], MAX_QUERIES[name], f"{name} makes {large[name]} queries: {large}")
                self.assertLessEqual(
                    large_cold[name], MAX_COLD_QUERIES[name], f"{name} makes {large_cold[name]} cold: {large_cold}"
                )

    def test_views_other_than_pages_ask_only_for_the_header_and_their_own_work(self):
        """The search page's header and footer are kept like every page's (fragments with `views`):
        after the first visit a search asks for the site (the key of every kept part) and its own
        work — the count, then a page of rows and their pages when something matches; a search
        asked before is kept whole (its results part): the site only."""
        self.client.get("/de/search/")
        for url, expected in (
            ("/de/search/", 1),
            # the site, the count, and the same query's count in each other language (a search that finds
            # nothing suggests them; test_search counts a search that finds)
            ("/de/search/?q=zeppelin", 5),
        ):
            with self.subTest(url):
                with CaptureQueriesContext(connection) as ctx:
                    self.client.get(url)
                self.assertEqual(len(ctx.captured_queries), expected, [q["sql"][:80] for q in ctx.captured_queries])
                with CaptureQueriesContext(connection) as ctx:
                    self.client.get(url)
                self.assertEqual(len(ctx.captured_queries), 1, [q["sql"][:80] for q in ctx.captured_queries])
