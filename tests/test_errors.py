"""A visitor's bad URL or query gets a 404 or the nearest valid page, never a 500."""

from django.test import TestCase, override_settings

from tests.factories import add_news, build_site
from tests.helpers import h1, html_lang, url_in

NOT_FOUND = {"zh-hans": "页面未找到", "en": "Page not found", "de": "Seite nicht gefunden", "ru": "Страница не найдена"}


class BadInputTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=3)
        add_news(cls.site["news_index"], 12)  # 15 news: two pages of 10

    def test_unknown_language_prefix(self):
        response = self.client.get("/fr/", follow=True)
        self.assertEqual(response.status_code, 404)
        response = self.client.get("/xx-yy/nachrichten/", headers={"accept-language": "de"}, follow=True)
        self.assertEqual(response.status_code, 404)

    def test_missing_page_is_a_404_in_the_visitors_language(self):
        for lang, text in NOT_FOUND.items():
            response = self.client.get(f"/{lang}/no-such-page/deeper/")
            self.assertEqual(response.status_code, 404)
            html = response.content.decode()
            self.assertEqual(html_lang(html), lang)
            self.assertEqual(h1(html), text)
            self.assertIn('class="main-nav"', html, "the 404 page keeps the navigation")

    def test_slug_of_another_language_is_not_found(self):
        news = self.site["news"][0]
        german_slug = url_in(news, "de").rstrip("/").rsplit("/", 1)[-1]
        self.assertEqual(self.client.get(url_in(self.site["news_index"], "ru") + german_slug + "/").status_code, 404)

    def test_bad_page_numbers_give_the_nearest_page(self):
        index_url = url_in(self.site["news_index"], "en")
        newest = self.client.get(index_url).content.decode()
        last = self.client.get(index_url + "?page=2").content.decode()
        for bad, expected in [
            ("abc", newest),
            ("-1", newest),
            ("0", newest),
            ("999999", last),
            ("1e9", newest),
            ("%00", newest),
        ]:
            with self.subTest(page=bad):
                response = self.client.get(f"{index_url}?page={bad}")
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.content.decode(), expected)

    def test_search_bad_queries(self):
        for query in ["", "x" * 10_000, "' OR 1=1 --", "<script>alert(1)</script>", "\x00", "上合 AND (", "*"]:
            with self.subTest(query=query[:20]):
                response = self.client.get("/en/search/", {"q": query, "page": "abc"})
                self.assertEqual(response.status_code, 200)
                self.assertNotIn("<script>alert", response.content.decode())
        long = self.client.get("/de/search/", {"q": "x" * 10_000}).content.decode()
        self.assertIn('role="alert"', long)

    def test_unpublished_page_is_a_404(self):
        news = self.site["news"][1]
        url = url_in(news, "en")
        news.unpublish()
        self.assertEqual(self.client.get(url).status_code, 404)

    @override_settings(DEBUG=False)
    def test_server_error_page_is_translated(self):
        from django.test import RequestFactory
        from django.utils import translation

        from portal.views import server_error

        with translation.override("de"):
            response = server_error(RequestFactory().get("/de/"))
        self.assertEqual(response.status_code, 500)
        self.assertIn("Serverfehler", response.content.decode())
        self.assertIn('lang="de"', response.content.decode())
