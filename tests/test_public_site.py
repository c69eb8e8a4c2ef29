"""What a visitor finds: filters, archive, grouped listings, neighbours, fallback notices."""

import datetime
import re
from unittest import mock

from django.test import TestCase

from news.models import NewsPage
from tests.factories import NewsPageFactory, TopicFactory, ZonePageFactory, build_site
from tests.helpers import h1, url_in


def card_titles(html: str) -> list[str]:
    return re.findall(r'<h3[^>]*><a href="[^"]+">(.*?)</a></h3>', html)


class NewsIndexTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=0)
        index, cls.zone, cls.other = cls.site["news_index"], cls.site["zone"], cls.site["other_zone"]
        cls.trade, cls.training = TopicFactory(slug="trade"), TopicFactory(slug="training")
        cls.news = []
        # 30 articles: zone × topic × year combinations
        for i in range(30):
            page = NewsPageFactory(parent=index, date=datetime.date(2021 + i % 3, 1 + i % 12, 1 + i % 28))
            page.related_zones.set([cls.zone if i % 2 == 0 else cls.other])
            page.topics.set([cls.trade if i % 5 else cls.training])
            page.save()
            cls.news.append(page)

    def get(self, lang="en", **params):
        response = self.client.get(url_in(self.site["news_index"], lang), params)
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def expected(self, zone=None, topic=None, year=None):
        pages = NewsPage.objects.live()
        if zone:
            pages = pages.filter(related_zones=zone)
        if topic:
            pages = pages.filter(topics=topic)
        if year:
            pages = pages.filter(date__year=year)
        return [p.title_en for p in pages.order_by("-date", "-pk")]

    def test_newest_first_and_paginated(self):
        html = self.get()
        self.assertEqual(card_titles(html), self.expected()[:10])
        self.assertIn('rel="next" href="?page=2"', html)

    def test_filters_combine(self):
        html = self.get(zone=self.zone.pk, topic="trade", year=2022)
        wanted = self.expected(zone=self.zone, topic=self.trade, year=2022)
        self.assertTrue(wanted)
        self.assertEqual(card_titles(html), wanted[:10])
        self.assertIn(f'<option value="{self.zone.pk}" selected>', html)

    def test_filters_survive_pagination(self):
        wanted = self.expected(zone=self.zone)
        self.assertGreater(len(wanted), 10)
        html = self.get(zone=self.zone.pk)
        self.assertIn(f'href="?zone={self.zone.pk}&amp;page=2"', html)
        self.assertEqual(card_titles(self.get(zone=self.zone.pk, page=2)), wanted[10:20])

    def test_archive_by_year_with_counts(self):
        html = self.get()
        for year in (2021, 2022, 2023):
            count = NewsPage.objects.filter(date__year=year).count()
            self.assertIn(f'<a href="?year={year}">{year}</a> <span class="meta">({count})</span>', html)

    def test_bad_filter_values_get_a_message_not_an_error(self):
        for params in ({"zone": "abc"}, {"zone": "99999"}, {"topic": "<b>x</b>"}, {"year": "20x1"}, {"year": "99999"}):
            with self.subTest(params=params):
                html = self.get(**params)
                self.assertIn('class="notice" role="alert"', html)
                self.assertEqual(card_titles(html), self.expected()[:10])
                self.assertNotIn("<b>x</b>", html)

    def test_filters_work_in_every_language(self):
        html = self.get("ru", year=2021)
        self.assertEqual(len(card_titles(html)), min(10, len(self.expected(year=2021))))
        self.assertIn("Архив", html)

    def test_previous_next_and_related(self):
        ordered = list(NewsPage.objects.order_by("-date", "-pk"))
        middle = ordered[5]
        html = self.client.get(url_in(middle, "de")).content.decode()
        self.assertIn(f'rel="prev" href="{url_in(ordered[6], "de")}"', html)
        self.assertIn(f'rel="next" href="{url_in(ordered[4], "de")}"', html)
        related = re.search(r'<section class="related".*?</section>', html, re.S).group(0)
        self.assertEqual(len(card_titles(related)), 3)
        self.assertNotIn(middle.title_de, related)


class ListingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=2)
        ZonePageFactory(parent=cls.site["zone_index"], kind="free_trade_zone", title_en="Linyi FTZ")

    def test_zones_grouped_by_kind_in_declared_order(self):
        html = self.client.get(url_in(self.site["zone_index"], "en")).content.decode()
        headings = re.findall(r'<h2 id="kind-([a-z_]+)">', html)
        self.assertEqual(headings, ["demonstration_area", "border_zone", "free_trade_zone", "branch_park"])
        self.assertIn(self.site["branch"].title_en, html, "nested zones are listed too")

    def test_delegations_timeline_and_filters(self):
        from tests.factories import DelegationPageFactory

        index = self.site["delegation_index"]
        DelegationPageFactory(
            parent=index, start_date=datetime.date(2023, 1, 30), end_date=None, host_zone=self.site["other_zone"]
        )
        html = self.client.get(url_in(index, "en")).content.decode()
        self.assertEqual(re.findall(r'class="timeline-year" id="year-(\d+)"', html), ["2023", "2021"])
        filtered = self.client.get(url_in(index, "en"), {"host": self.site["zone"].pk}).content.decode()
        self.assertIn(self.site["delegation"].title_en, filtered)
        self.assertNotIn("2023", re.findall(r'class="timeline-year" id="year-(\d+)"', filtered))
        by_year = self.client.get(url_in(index, "en"), {"year": "2023"}).content.decode()
        self.assertEqual(re.findall(r'class="timeline-year" id="year-(\d+)"', by_year), ["2023"])
        self.assertIn('role="alert"', self.client.get(url_in(index, "en"), {"host": "x"}).content.decode())

    def test_zone_page_shows_location_and_links(self):
        zone = self.site["zone"]
        html = self.client.get(url_in(zone, "en")).content.decode()
        self.assertIn("geo:36.26", html)
        self.assertIn(self.site["branch"].title_en, html, "sub-zones")
        self.assertIn(self.site["delegation"].title_en, html, "delegations hosted")
        self.assertIn(self.site["news"][0].title_en, html, "its news")


class FallbackNoticeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=1)

    def test_whole_page_notice_in_the_visitors_language(self):
        news = self.site["news"][0]
        for field in ("title", "summary", "body", "source", "byline", "dateline", "press_contact"):
            setattr(news, f"{field}_de", "")
        news.save_revision().publish()
        html = self.client.get(url_in(news, "de")).content.decode()
        self.assertIn("Diese Seite ist noch nicht auf Deutsch verfügbar; angezeigt wird English.", html)
        self.assertIn(f'<h1 lang="en">{news.title_en}</h1>', html)
        self.assertNotIn("fallback-notice", self.client.get(url_in(news, "en")).content.decode())

    def test_partial_notice(self):
        zone = self.site["zone"]
        zone.summary_ru = ""
        zone.summary_en = ""
        zone.save_revision().publish()
        html = self.client.get(url_in(zone, "ru")).content.decode()
        self.assertIn("fallback-notice", html)
        self.assertIn("中文", html)
        self.assertEqual(h1(html), zone.title_ru)
        self.assertIn(f'class="summary" lang="zh-hans">{zone.summary_zh_hans}', html)

    def test_listing_titles_carry_their_language(self):
        news = self.site["news"][0]
        news.title_ru = ""
        news.save_revision().publish()
        html = self.client.get(url_in(self.site["news_index"], "ru")).content.decode()
        self.assertIn(f'<h3 lang="en"><a href="{url_in(news, "ru")}">{news.title_en}</a></h3>', html)


class PlaceTests(TestCase):
    def test_location_in_each_languages_order(self):
        from types import SimpleNamespace

        from django.utils import translation

        from portal.templatetags.portal_tags import place

        zone = SimpleNamespace(city="青岛", province="山东省", country="中国")
        with translation.override("zh-hans"):
            self.assertEqual(place(zone), "中国山东省青岛")
        zone = SimpleNamespace(city="Qingdao", province="Shandong", country="")
        with translation.override("en"):
            self.assertEqual(place(zone), "Qingdao, Shandong")


def switcher_links(html: str) -> dict[str, str]:
    """{language: href} of the language switcher."""
    import html as html_lib

    nav = re.search(r'<nav class="lang-switcher".*?</nav>', html, re.S).group(0)
    return {lang: html_lib.unescape(href) for href, lang in re.findall(r'<a href="([^"]*)" hreflang="([^"]+)"', nav)}


class SwitcherOnViewsTests(TestCase):
    """Views that are not pages (search, the 404 page): each language's link leads to the same view
    in that language; the search keeps its query."""

    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=1)

    def test_search_keeps_the_query_in_every_language(self):
        for current in ("de", "zh-hans"):
            html = self.client.get(f"/{current}/search/", {"q": "Zone 4 & co", "type": "zone"}).content.decode()
            links = switcher_links(html)
            self.assertEqual(sorted(links), sorted(["zh-hans", "en", "de", "ru"]))
            for lang, href in links.items():
                with self.subTest(current=current, lang=lang):
                    self.assertEqual(href, f"/{lang}/search/?q=Zone+4+%26+co&type=zone")
                    response = self.client.get(href)
                    self.assertEqual(response.status_code, 200)
                    self.assertIn(f'<html lang="{lang}">', response.content.decode())
                    self.assertIn('value="Zone 4 &amp; co"', response.content.decode())

    def test_not_found_page_leads_to_the_not_found_page_of_each_language(self):
        html = self.client.get("/ru/no-such-page/").content.decode()
        for lang, href in switcher_links(html).items():
            with self.subTest(lang=lang):
                self.assertEqual(href, f"/{lang}/no-such-page/")
                response = self.client.get(href)
                self.assertEqual(response.status_code, 404)
                self.assertIn(f'<html lang="{lang}">', response.content.decode())

    def test_an_address_nothing_answers_leads_to_each_languages_home(self):
        html = self.client.get("/en/no.such.file").content.decode()
        links = switcher_links(html)
        self.assertEqual(links["en"], "/en/no.such.file")
        for lang in ("zh-hans", "de", "ru"):
            self.assertEqual(links[lang], url_in(self.site["home"], lang))


class HomePageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=3)

    def test_featured_news_and_highlighted_zones_are_shown(self):
        html = self.client.get(url_in(self.site["home"], "en")).content.decode()
        featured = html.split('id="featured-news"', 1)
        self.assertEqual(len(featured), 2, "the home page has a featured news section")
        self.assertIn(url_in(self.site["news"][0], "en"), featured[1].split("</section>", 1)[0])
        self.assertIn(url_in(self.site["zone"], "en"), html)


class HomeVisitsTests(TestCase):
    """The home page's upcoming (or ongoing) visits, soonest first, and its recent ones, latest
    first, four each, as of the day in the site's time zone; the index marks the upcoming ones."""

    today = datetime.date(2025, 6, 15)

    @classmethod
    def setUpTestData(cls):
        from portal import pagecache
        from tests.factories import DelegationPageFactory

        cls.site = build_site(news_count=1)
        index, day = cls.site["delegation_index"], datetime.timedelta(days=1)

        def visit(start: int, end: int | None):
            return DelegationPageFactory(
                parent=index,
                start_date=cls.today + start * day,
                end_date=None if end is None else cls.today + end * day,
                title_en=f"Visit {start:+d}",
                title_de=f"Besuch {start:+d}",
                slug_en=f"visit-{'in' if start >= 0 else 'ago'}-{abs(start)}",
                slug_de=f"besuch-{'in' if start >= 0 else 'vor'}-{abs(start)}",
            )

        cls.visits = {start: visit(start, end) for start, end in ((-3, 1), (30, None), (1, 2), (10, None), (40, 41))}
        cls.visits.update({start: visit(start, end) for start, end in ((-2, -1), (-30, None), (-1, None), (-10, -8))})
        cls.visits[0] = visit(0, None)  # today: upcoming all day
        pagecache.invalidate()  # the factories save without publishing

    def home(self, lang="en", today=None) -> str:
        with mock.patch("django.utils.timezone.localdate", return_value=today or self.today):
            response = self.client.get(url_in(self.site["home"], lang))
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def listed(self, html: str, heading: str) -> list[str]:
        start = html.find(f'<h3 class="visits-head" id="{heading}">')
        if start == -1:
            return []
        return re.findall(r"<h4><a [^>]*>(.*?)</a></h4>", html[start : html.index("</ul>", start)])

    def test_upcoming_soonest_first_and_recent_latest_first(self):
        html = self.home()
        self.assertEqual(self.listed(html, "upcoming-visits"), ["Visit -3", "Visit +0", "Visit +1", "Visit +10"])
        self.assertEqual(self.listed(html, "recent-visits"), ["Visit -1", "Visit -2", "Visit -10", "Visit -30"])
        self.assertIn(">Upcoming visits</h3>", html)
        self.assertIn(">Recent visits</h3>", html)
        self.assertIn(">即将进行的访问</h3>", self.home("zh-hans"))
        self.assertIn(">Bevorstehende Besuche</h3>", self.home("de"))
        self.assertIn(">Недавние визиты</h3>", self.home("ru"))

    def test_no_upcoming_heading_without_upcoming_visits(self):
        html = self.home(today=datetime.date(2030, 1, 1))
        self.assertNotIn('id="upcoming-visits"', html)
        self.assertEqual(self.listed(html, "recent-visits"), ["Visit +40", "Visit +30", "Visit +10", "Visit +1"])

    def test_the_index_marks_upcoming_visits(self):
        for lang, label in (("en", "upcoming"), ("de", "bevorstehend"), ("zh-hans", "即将进行"), ("ru", "предстоящий")):
            with self.subTest(lang), mock.patch("django.utils.timezone.localdate", return_value=self.today):
                html = self.client.get(url_in(self.site["delegation_index"], lang)).content.decode()
                marked = re.findall(r'>([^<>]*)</a> <span class="upcoming-label">([^<]*)</span>', html)
                self.assertEqual({text for _title, text in marked}, {label})
                self.assertEqual(len(marked), 6, "ongoing, today's and four later visits")
        html = self.client.get(url_in(self.site["delegation_index"], "en")).content.decode()
        self.assertNotIn('class="upcoming-label"', html, "as of the real today all these visits are past")
