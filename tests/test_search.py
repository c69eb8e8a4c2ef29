"""Public search: the active language only, Chinese words inside phrases, inflected forms on PostgreSQL."""

import re
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.db import connection
from django.test import TestCase
from django.utils import translation

from news.models import NewsPage
from portal import pagecache
from portal.fixtures import load_all
from portal.search import query as search_query
from portal.search.models import SearchEntry
from portal.search.query import search_entries
from zones.models import ZonePage


def result_titles(html: str) -> list[str]:
    import html as html_lib

    titles = re.findall(r'<h2 class="result-title"><a href="[^"]+">(.*?)</a>', html)
    return [html_lib.unescape(t).replace("\u00ad", "") for t in titles]  # soft hyphens: break points, not text


class SearchTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_all(Path(settings.FIXTURE_DIRS[0]))
        from portal.search.index import rebuild

        rebuild()
        cls.karamay_news = NewsPage.objects.get(date="2023-01-30")
        cls.scoda = ZonePage.objects.get(title_en__contains="(SCODA)")

    def search(self, lang, q, **params):
        response = self.client.get(f"/{lang}/search/", {"q": q, **params})
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_every_live_page_is_indexed_once_per_language(self):
        from wagtail.models import Page

        pages = Page.objects.live().filter(depth__gt=2).count()
        self.assertEqual(SearchEntry.objects.count(), pages * 4)

    def test_finds_in_the_active_language_with_title_type_date_excerpt(self):
        html = self.search("en", "Karamay")
        titles = result_titles(html)
        self.assertIn(self.karamay_news.title_en, titles)
        self.assertIn('class="result-type"', html)
        self.assertIn("2023", html)
        self.assertRegex(html, r'class="excerpt">[^<]*<mark>Karamay</mark>')

    def test_other_languages_words_are_not_found(self):
        self.assertEqual(result_titles(self.search("en", "Neues Gebiet Liangjiang")), [])
        self.assertTrue(result_titles(self.search("de", "Neues Gebiet Liangjiang")))
        self.assertEqual(result_titles(self.search("de", "Лянцзян")), [])
        self.assertTrue(result_titles(self.search("ru", "Лянцзян")))
        self.assertEqual(result_titles(self.search("ru", "两江新区")), [])

    def test_results_are_in_the_active_language(self):
        titles = result_titles(self.search("ru", "Карамай"))
        self.assertIn(self.karamay_news.title_ru, titles)
        self.assertTrue(all(re.search(r"[\u0400-\u04ff]", t) for t in titles), titles)

    def test_chinese_word_inside_a_longer_phrase(self):
        # 示范区 is inside 上合示范区 and 经贸合作示范区; 班列 inside 国际班列线路
        self.assertIn(self.scoda.title_zh_hans, result_titles(self.search("zh-hans", "示范区")))
        peoples_daily = NewsPage.objects.get(date="2023-12-31")
        self.assertIn(peoples_daily.title_zh_hans, result_titles(self.search("zh-hans", "班列")))
        self.assertIn(self.karamay_news.title_zh_hans, result_titles(self.search("zh-hans", "克拉玛依")))

    def test_type_filter(self):
        titles = result_titles(self.search("en", "Karamay", type="zone"))
        self.assertTrue(titles)
        zone_titles = set(ZonePage.objects.values_list("title_en", flat=True))
        self.assertTrue(set(titles) <= zone_titles, titles)
        self.assertIn("Unknown result type", self.search("en", "Karamay", type="bogus"))

    def test_all_words_must_match(self):
        self.assertEqual(result_titles(self.search("en", "Karamay zzzqqq")), [])

    def test_inflected_forms_on_postgresql(self):
        if connection.vendor != "postgresql":
            self.skipTest("stemming is a PostgreSQL feature; SQLite matches words as written")
        # English: "trainees" in the text, "trainee" asked; German: "Unternehmen" / "Unternehmens";
        # Russian: "Карамай" / "Карамая"
        self.assertIn(self.scoda.title_en, result_titles(self.search("en", "trainee")))
        self.assertTrue(result_titles(self.search("de", "Unternehmens")))
        self.assertIn(self.karamay_news.title_ru, result_titles(self.search("ru", "Карамая")))

    def test_index_follows_publishing(self):
        news = NewsPage.objects.get(pk=self.karamay_news.pk)
        news.title_de = "Zyxwvut Sonderwort"
        news.save_revision().publish()
        self.assertEqual(result_titles(self.search("de", "Zyxwvut")), ["Zyxwvut Sonderwort"])
        self.assertEqual(result_titles(self.search("en", "Zyxwvut")), [])
        news.unpublish()
        self.assertEqual(result_titles(self.search("de", "Zyxwvut")), [])

    def test_title_matches_come_first_on_postgresql_newest_first_on_sqlite(self):
        older = NewsPage.objects.order_by("date").first()
        newer = NewsPage.objects.order_by("-date").first()
        older.title_en = "Quuxbridge corridor opens"
        older.title_zh_hans = "飞艇走廊开通"
        older.save_revision().publish()
        newer.summary_en = "Trucks use the Quuxbridge corridor."
        newer.summary_zh_hans = "卡车经飞艇走廊运输。"
        newer.save_revision().publish()
        newer.refresh_from_db()
        for code, word in (("en", "quuxbridge"), ("zh-hans", "飞艇走廊")):
            with translation.override(code):
                by_title, by_body = older.title, newer.title
            expected = [by_title, by_body] if connection.vendor == "postgresql" else [by_body, by_title]
            self.assertEqual(result_titles(self.search(code, word)), expected, code)

    def test_result_count_is_the_number_of_matches(self):
        html = self.search("en", "cooperation")
        total = search_entries("cooperation", "en").count()
        self.assertGreater(total, 10)
        self.assertIn(f"{total} results for", html)
        self.assertEqual(len(result_titles(html)), 10)
        last = self.search("en", "cooperation", page=(total + 9) // 10)
        self.assertEqual(len(result_titles(last)), total % 10 or 10)

    def test_no_match_reads_the_index_once(self):
        from django.test.utils import CaptureQueriesContext

        pagecache.invalidate()  # a new content generation: no query's results are kept yet
        self.search("en", "zzqqxx")  # warm: the header, menu and footer
        with CaptureQueriesContext(connection) as queries:
            html = self.search("en", "zzqqyy")
        self.assertEqual(result_titles(html), [])
        # the count, then the same query's count in each other language (an empty search suggests them)
        self.assertEqual(len([q for q in queries if SearchEntry._meta.db_table in q["sql"]]), 4)
        with CaptureQueriesContext(connection) as again:
            self.assertEqual(self.search("en", "zzqqyy"), html)
        # asked again: the results part is kept (per query, type and page) and the index not read
        self.assertEqual(len([q for q in again if SearchEntry._meta.db_table in q["sql"]]), 0)

    def test_no_match_says_so_in_every_language(self):
        self.assertIn("0 results for “zzqqxx”", self.search("en", "zzqqxx"))
        for code in ("zh-hans", "de", "ru"):
            with self.subTest(code):
                self.assertIn('class="result-count" role="status"', self.search(code, "zzqqxx"))

    def test_search_text_is_the_title_then_the_body(self):
        entry = SearchEntry.objects.get(page=self.karamay_news, language="ru")
        title_line, body = entry.search_text.split("\n")
        if connection.vendor == "postgresql":
            # each word once: the vectors keep no positions
            words = body.split()
            self.assertEqual(len(words), len(set(words)))
            self.assertEqual((title_line, set(words)), (" ".join(entry.title.split()), set(entry.body.split())))
            zh = SearchEntry.objects.get(page=self.karamay_news, language="zh-hans")
            self.assertIn(" 克拉 ", zh.search_text.split("\n")[0])  # Chinese in bigrams for the 'simple' configuration
        else:
            self.assertEqual((title_line, body), (" ".join(entry.title.split()).lower(), entry.body.lower()))

    def test_postgresql_finds_matches_through_the_languages_index(self):
        if connection.vendor != "postgresql":
            self.skipTest("PostgreSQL only")
        with connection.cursor() as cursor:
            # With the fixtures' few rows, reading all of a language's rows is as cheap: take the indexes
            # on the language away (inside the test's transaction) and ask whether the partial index fits
            # the query as it is sent. (At 10,000 pages the planner takes it by itself.)
            cursor.execute("DROP INDEX search_entry_language_date")
            # the titles' own indexes (search 0002) serve the title-first scan, not the match itself
            for code in ("en", "zh_hans"):
                cursor.execute(f"DROP INDEX search_entry_title_{code}")
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign key checks, for ALTER TABLE
            cursor.execute(f"ALTER TABLE {SearchEntry._meta.db_table} DROP CONSTRAINT search_entry_page_language")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            for code, word in (("en", "logistics"), ("zh-hans", "物流")):
                plan = search_entries(word, code).explain()
                self.assertIn(f"search_entry_vector_{code.replace('-', '_')}", plan, plan)
                self.assertNotIn("ts_rank", str(search_entries(word, code).query))

    def test_query_count_does_not_depend_on_result_count(self):
        from django.test.utils import CaptureQueriesContext

        pagecache.invalidate()  # a new content generation: no query's results are kept yet
        self.search("en", "Liangjiang")  # warm: the header, menu and footer
        with CaptureQueriesContext(connection) as few:
            self.search("en", "Karamay")
        with CaptureQueriesContext(connection) as many:
            html = self.search("en", "SCO")
        self.assertGreater(len(result_titles(html)), 3)
        self.assertEqual(len(few.captured_queries), len(many.captured_queries))


class ResultCapTests(TestCase):
    """A search counts and pages through at most MAX_RESULTS results (made small here): past it the
    visitor reads "more than", is told to add a word, and the pages stop at the cap."""

    @classmethod
    def setUpTestData(cls):
        load_all(Path(settings.FIXTURE_DIRS[0]))
        from portal.search.index import rebuild

        rebuild()
        cls.total = search_entries("cooperation", "en").count()
        cls.in_order = [e.title for e in search_entries("cooperation", "en")]

    def search(self, **params):
        response = self.client.get("/en/search/", {"q": "cooperation", **params})
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def all_pages(self, pages: int) -> list[str]:
        return [title for page in range(1, pages + 1) for title in result_titles(self.search(page=page))]

    def test_more_matches_than_the_cap_say_so_and_page_within_it(self):
        self.assertGreater(self.total, 12)
        with mock.patch.object(search_query, "MAX_RESULTS", 12):
            html = self.search()
            self.assertIn("More than 12 results for “cooperation”", html)
            self.assertIn("Only the first 12 are shown: add a word to narrow your search.", html)
            self.assertIn("Page 1 of 2", html)
            self.assertEqual(self.all_pages(2), self.in_order[:12])  # best first, as search_entries() orders them
            self.assertEqual(result_titles(self.search(page=3)), self.in_order[10:12])  # past the cap: its last page

    def test_as_many_matches_as_the_cap_are_counted_exactly(self):
        with mock.patch.object(search_query, "MAX_RESULTS", self.total):
            html = self.search()
            self.assertIn(f"{self.total} results for “cooperation”", html)
            self.assertNotIn("More than", html)
            self.assertEqual(self.all_pages((self.total + 9) // 10), self.in_order)

    def test_a_private_page_never_counts(self):
        from wagtail.models import PageViewRestriction

        entries = list(search_entries("cooperation", "en"))
        private = next(e for e in entries if NewsPage.objects.filter(pk=e.page_id).exists())  # a page without children
        PageViewRestriction.objects.create(page_id=private.page_id, restriction_type="password", password="x")
        # one public match fewer: as many as the cap, so the count is exact and the private page is on no page
        with mock.patch.object(search_query, "MAX_RESULTS", self.total - 1):
            html = self.search()
            self.assertIn(f"{self.total - 1} results for “cooperation”", html)
            self.assertNotIn("More than", html)
            public = [e.title for e in entries if e is not private]
            self.assertEqual(self.all_pages((self.total + 8) // 10), public)
