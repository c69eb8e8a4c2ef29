"""The public site's frame and home page as HTML: the header (brand, collapsed menus, a search box on
every page), the key figures drawn from zone facts, the news grid, the zones index by kind, the
Chinese full-width colon after labels. How it looks is measured in Chromium by tests/test_visual.py."""

import datetime
import re

from django.test import TestCase

from wagtail.models import PageViewRestriction

import pytest

from portal import pagecache
from tests.factories import ZoneFactFactory, ZonePageFactory, add_news, build_site
from tests.helpers import LANGUAGES, url_in
from tests.seed import load_seed


def key_figures_band(html: str) -> str:
    match = re.search(r'<section class="key-figures band".*?</section>', html, re.S)
    return match.group(0) if match else ""


def figure_values(html: str) -> list[str]:
    return re.findall(r'<span class="figure-value"><span[^>]*>([^<]*)</span>', key_figures_band(html))


def card_links(html: str) -> list[str]:
    return re.findall(r'<article class="card">.*?<h3[^>]*><a href="([^"]+)"', html, re.S)


class KeyFiguresTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=2)
        zone, other = cls.site["zone"], cls.site["other_zone"]
        zone.facts.all().delete()
        source = {f"source_{code.replace('-', '_')}": f"Daily {code}" for code in LANGUAGES}
        cls.routes = ZoneFactFactory(page=zone, value_en="21", key_figure=True, sort_order=0, **source)
        cls.trainees = ZoneFactFactory(page=zone, value_en="13,800", key_figure=True, sort_order=1, **source)
        cls.plain = ZoneFactFactory(page=zone, value_en="99 plain", key_figure=False, sort_order=2)
        cls.enterprises = ZoneFactFactory(
            page=other,
            value_en="160",
            key_figure=True,
            source_page=cls.site["news"][0],
            as_of=datetime.date(2021, 4, 12),
        )
        pagecache.invalidate()

    def home(self, code="en") -> str:
        return self.client.get(url_in(self.site["home"], code)).content.decode()

    def test_key_figures_in_tree_order_with_their_sources_as_numbered_notes(self):
        html = self.home()
        self.assertEqual(figure_values(html), ["21", "13,800", "160"])
        band = key_figures_band(html)
        # the two figures of one source share its note; the third has its own
        self.assertEqual(re.findall(r'class="note-ref" href="#key-figure-source-(\d)"', band), ["1", "1", "2"])
        notes = re.findall(r'<li id="key-figure-source-(\d)">(.*?)</li>', band, re.S)
        self.assertEqual([number for number, _text in notes], ["1", "2"])
        self.assertIn("Daily en", notes[0][1])
        self.assertIn('as of <time datetime="2023-11-15">', notes[0][1])
        # a source article a visitor may see is linked, its date given in text and on hover
        self.assertIn(f'href="{url_in(self.site["news"][0], "en")}"', notes[1][1])
        self.assertIn('datetime="2021-04-12"', notes[1][1])
        self.assertIn('title="Source English · as of ', band)
        self.assertNotIn("99 plain", band)

    def test_every_language_has_the_band_in_its_own_words(self):
        expected = {"zh-hans": "关键数据", "en": "Key figures", "de": "Kennzahlen", "ru": "Ключевые показатели"}
        for code, heading in expected.items():
            with self.subTest(code=code):
                band = key_figures_band(self.home(code))
                self.assertIn(heading, band)
                self.assertIn(f"Daily {code}", band)

    def test_private_or_unpublished_zones_and_articles_give_no_figure_or_link(self):
        PageViewRestriction.objects.create(page=self.site["other_zone"], restriction_type=PageViewRestriction.LOGIN)
        pagecache.invalidate()
        self.assertEqual(figure_values(self.home()), ["21", "13,800"])
        PageViewRestriction.objects.all().delete()
        PageViewRestriction.objects.create(page=self.site["news"][0], restriction_type=PageViewRestriction.LOGIN)
        pagecache.invalidate()
        band = key_figures_band(self.home())
        self.assertEqual(figure_values(band), ["21", "13,800", "160"])
        self.assertNotIn(url_in(self.site["news"][0], "en"), band)
        self.assertIn("Source English", band, "the figure keeps its source's name")
        type(self.site["zone"]).objects.filter(pk=self.site["zone"].pk).update(live=False)
        pagecache.invalidate()
        self.assertEqual(figure_values(self.home()), ["160"])

    def test_no_band_without_key_figures(self):
        type(self.routes).objects.update(key_figure=False)
        pagecache.invalidate()
        self.assertNotIn("key-figures", self.home())


class NewsGridTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=3)

    def test_featured_first_then_the_latest_at_most_six(self):
        site = self.site
        html = self.client.get(url_in(site["home"], "en")).content.decode()
        newest_first = sorted(site["news"][1:], key=lambda news: (news.date, news.pk), reverse=True)
        expected = [url_in(news, "en") for news in [site["news"][0], *newest_first]]
        self.assertEqual(card_links(html), expected)
        add_news(site["news_index"], 8)
        links = card_links(self.client.get(url_in(site["home"], "en")).content.decode())
        self.assertEqual(len(links), 6)
        self.assertEqual(links[0], url_in(site["news"][0], "en"), "the featured article comes first")


class HeaderTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=1)

    def paths(self, code):
        s = self.site
        pages = ["home", "news_index", "zone_index", "zone", "delegation_index", "delegation"]
        return [*(url_in(s[name], code) for name in pages), url_in(s["news"][0], code), f"/{code}/search/?q=Zone"]

    def test_every_page_has_a_labelled_search_box_in_the_header(self):
        for code in LANGUAGES:
            for path in [*self.paths(code), f"/{code}/no-such-page/"]:
                with self.subTest(path=path):
                    html = self.client.get(path).content.decode()
                    header = re.search(r'<header class="site-header">.*?</header>', html, re.S).group(0)
                    form = re.search(r'<form class="header-search" role="search"[^>]*>.*?</form>', header, re.S)
                    self.assertIsNotNone(form)
                    self.assertIn(f'action="/{code}/search/" method="get"', form.group(0))
                    self.assertIn('<label class="visually-hidden" for="site-search">', form.group(0))
                    self.assertIn('<input id="site-search" type="search" name="q"', form.group(0))

    def test_phone_menus_are_details_toggles_before_their_lists(self):
        html = self.client.get(url_in(self.site["zone"], "ru")).content.decode()
        # site.css shows each list only while the toggle right before it is open
        self.assertRegex(html, r'(?s)<details class="toggle lang-toggle">.*?</details>\s*<nav class="lang-switcher"')
        self.assertRegex(html, r'(?s)<details class="toggle menu-toggle">.*?</details>\s*<nav class="main-nav"')
        self.assertIn('<span lang="ru">RU</span></summary>', html)
        self.assertIn("<span>Меню</span></summary>", html)
        zh = self.client.get(url_in(self.site["zone"], "zh-hans")).content.decode()
        self.assertIn('<span lang="zh-hans">中文</span></summary>', zh)

    def test_brand_has_a_full_and_a_short_name(self):
        expected = {
            "zh-hans": "上合示范区门户网站",
            "en": "SCODA Portal",
            "de": "SCODA-Portal",
            "ru": "Портал SCODA",
        }
        for code, short in expected.items():
            with self.subTest(code=code):
                html = self.client.get(url_in(self.site["home"], code)).content.decode()
                self.assertIn(f'<span class="brand-short">{short}</span>', html)
                self.assertIn('<span class="brand-name">', html)

    def test_labels_take_each_languages_colon(self):
        news = self.site["news"][0]
        zh = self.client.get(url_in(news, "zh-hans")).content.decode()
        self.assertIn("来源：<span", zh)
        self.assertNotIn("来源:", zh)
        self.assertIn("Source: <span", self.client.get(url_in(news, "en")).content.decode())
        self.assertIn("Quelle: <span", self.client.get(url_in(news, "de")).content.decode())


class ZoneIndexTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=1)
        zone = cls.site["zone"]
        zone.facts.all().delete()
        ZoneFactFactory(page=zone, value_en="first", key_figure=False, sort_order=0)
        ZoneFactFactory(page=zone, value_en="second", key_figure=False, sort_order=1)
        ZoneFactFactory(page=zone, value_en="key", key_figure=True, sort_order=2)
        ZonePageFactory(parent=cls.site["zone_index"], kind="free_trade_zone", title_en="Linyi FTZ")
        pagecache.invalidate()

    def test_zones_by_kind_with_two_facts_key_figures_first_and_their_parent(self):
        html = self.client.get(url_in(self.site["zone_index"], "en")).content.decode()
        groups = dict(re.findall(r'<h2 id="kind-([a-z_]+)">.*?</h2>(.*?)</section>', html, re.S))
        self.assertEqual(list(groups), ["demonstration_area", "border_zone", "free_trade_zone", "branch_park"])
        self.assertEqual(re.findall(r"<strong>([^<]*)</strong>", groups["demonstration_area"]), ["key", "first"])
        self.assertIn(f"part of {self.site['zone'].title_en}", groups["branch_park"])
        self.assertIn("Linyi FTZ", groups["free_trade_zone"])

    def test_the_context_lists_every_zone_for_the_map(self):
        response = self.client.get(url_in(self.site["zone_index"], "en"))
        self.assertEqual(len(response.context["zones"]), 4)


@pytest.mark.django_db
def test_the_seed_content_has_its_four_key_figures(client):
    seed = load_seed()
    expected = {
        "zh-hans": ["21条", "180余期", "1.38万名", "160家"],
        "en": ["21", "over 180", "13,800", "160"],
        "de": ["21", "über 180", "13.800", "160"],
        "ru": ["21", "более 180", "13 800", "160"],
    }
    for code, values in expected.items():
        html = client.get(url_in(seed["home"], code)).content.decode()
        assert figure_values(html) == values, code
        band = key_figures_band(html)
        assert 'datetime="2023-11-15"' in band and 'datetime="2021-04-12"' in band, code
