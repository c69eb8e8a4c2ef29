"""Rendered fragments (portal/fragments.py): the same HTML as without them, byte for byte, in every
language; a change a visitor should see shows at once; nothing is read or kept for previews,
editors, private pages or made-up addresses; a cache that fails is a miss."""

import datetime
from contextlib import contextmanager
from pathlib import Path
from tempfile import TemporaryDirectory
from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import RequestFactory, TestCase, override_settings
from django.utils import timezone, translation

from wagtail.models import PageViewRestriction

import wagtail_factories

from portal import cache as portal_cache
from portal import fragments, pagecache
from portal.models import SiteSettings, today
from tests.factories import DelegationPageFactory, NewsPageFactory, build_site
from tests.helpers import LANGUAGES, url_in


@contextmanager
def recorded():
    """Every key fragments read ("hits": those found) and wrote during the block."""
    calls = {"read": [], "hits": [], "written": []}
    get_many, set_many = fragments.get_many, fragments.set_many

    def read(keys):
        found = get_many(keys)
        calls["read"] += keys
        calls["hits"] += list(found)
        return found

    def write(values):
        calls["written"] += list(values)
        set_many(values)

    with mock.patch.object(fragments, "get_many", read), mock.patch.object(fragments, "set_many", write):
        yield calls


def names(keys) -> set[str]:
    """The fragment names of cache keys (portal:fragment:<release>:<name>:<digest>)."""
    return {key.split(":")[3] for key in keys}


class BrokenCache:
    def __getattr__(self, name):
        raise ConnectionError("the cache is down")


class SiteWithCards(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=12)
        news = cls.site["news"]
        # cards with images, and texts shown in a fallback language (lang attributes, notices)
        for item in news[-4:]:
            item.lead_image = wagtail_factories.ImageFactory()
            item.lead_image_alt_en = f"Picture of {item.title_en}"
            item.save()
        news[-1].title_de = ""
        news[-1].summary_ru = ""
        news[-1].save()
        cls.site["home"].featured_news.create(news=news[-1])
        cls.site["home"].save()
        pagecache.invalidate()  # saved without publishing, as build_site does

    def urls(self, code: str) -> list[str]:
        s = self.site
        index = url_in(s["news_index"], code)
        delegation_index = url_in(s["delegation_index"], code)
        return [
            url_in(s["home"], code),
            index,
            f"{index}?page=2",
            f"{index}?year={s['news'][0].date.year}",
            f"{index}?zone={s['zone'].pk}&page=2",
            f"{index}?zone=nowhere",
            url_in(s["news"][-1], code),
            url_in(s["news"][0], code),
            url_in(s["zone"], code),
            url_in(s["branch"], code),
            url_in(s["zone_index"], code),
            url_in(s["delegation"], code),
            delegation_index,
            f"{delegation_index}?year=1999",
            # a view that is not a page: its header, footer and results are kept, its head is not
            f"/{code}/search/?q=news",
            f"/{code}/search/?q=news&page=2",
            f"/{code}/search/?q=zeppelin",
        ]


class SameHtmlTests(SiteWithCards):
    def test_every_page_is_the_same_with_and_without_fragments_in_every_language(self):
        for code in LANGUAGES:
            for url in self.urls(code):
                with self.subTest(url=url):
                    with override_settings(FRAGMENT_CACHE_SECONDS=0), recorded() as off:
                        plain = self.client.get(url)
                    self.assertEqual(plain.status_code, 200)
                    self.assertEqual(off["read"] + off["written"], [])
                    with recorded() as first:
                        made = self.client.get(url).content
                    with recorded() as second:
                        kept = self.client.get(url).content
                    self.assertEqual(made, plain.content)
                    self.assertEqual(kept, plain.content)
                    self.assertTrue(first["read"])
                    self.assertTrue(second["hits"])
                    self.assertEqual(second["written"], [], "a second visit finds every fragment")

    def test_cards_are_shared_between_listings(self):
        with recorded() as home:
            self.client.get(url_in(self.site["home"], "en"))
        with recorded() as index:
            self.client.get(url_in(self.site["news_index"], "en"))
        cards = {key for key in home["written"] if ":card:" in key}
        # the home page's six cards are its two featured articles (one of them the oldest) and the
        # four newest others: five of them are on the index's first page too
        self.assertGreaterEqual(len(cards & set(index["hits"])), 5)

    def test_a_cache_that_fails_renders_the_same(self):
        for url in self.urls("de")[:8]:
            with self.subTest(url=url):
                with override_settings(FRAGMENT_CACHE_SECONDS=0):
                    plain = self.client.get(url).content
                with mock.patch.object(fragments, "_cache", BrokenCache):
                    self.assertEqual(self.client.get(url).content, plain)
                with mock.patch.object(fragments, "generation", side_effect=ConnectionError):
                    self.assertEqual(self.client.get(url).content, plain)


class ChangesShowAtOnceTests(SiteWithCards):
    """Every listing and page that shows an article changes with it, in every language."""

    def setUp(self):
        news = self.site["news"]
        self.news = news[-1]  # featured, newest (home, index page 1), related to the others, in a zone
        self.shown_on = [
            self.site["home"],
            self.site["news_index"],
            news[-2],  # its newer neighbour and related news
            self.site["zone"],
        ]
        for code in LANGUAGES:
            for page in self.shown_on:
                self.client.get(url_in(page, code))  # kept
                self.assertIn(url_in(self.news, code), self.html(page, code))

    def html(self, page, code: str) -> str:
        # without the soft hyphens of Russian and German headings (break points, not text)
        return self.client.get(url_in(page, code)).content.decode().replace("\u00ad", "")

    def test_publishing(self):
        self.news.title_en = "A headline published just now"
        self.news.title_ru = "Заголовок, опубликованный сейчас"
        self.news.save_revision().publish()
        for page in [*self.shown_on, self.news]:
            with self.subTest(page=page.title_en):
                self.assertIn("A headline published just now", self.html(page, "en"))
                self.assertIn("A headline published just now", self.html(page, "de"))  # de falls back to en
                self.assertIn("Заголовок, опубликованный сейчас", self.html(page, "ru"))

    def test_unpublishing(self):
        urls = {code: url_in(self.news, code) for code in LANGUAGES}
        self.news.unpublish()
        for code in LANGUAGES:
            for page in self.shown_on:
                with self.subTest(code=code, page=page.title_en):
                    self.assertNotIn(urls[code], self.html(page, code))
            self.assertEqual(self.client.get(urls[code]).status_code, 404)

    def test_privacy(self):
        restriction = PageViewRestriction.objects.create(
            page=self.news, restriction_type=PageViewRestriction.PASSWORD, password="secret"
        )
        for code in LANGUAGES:
            for page in self.shown_on:
                with self.subTest(code=code, page=page.title_en):
                    self.assertNotIn(url_in(self.news, code), self.html(page, code))
            self.assertNotIn(self.news.summary_en, self.client.get(url_in(self.news, "en")).content.decode())
        restriction.delete()
        for code in LANGUAGES:
            for page in self.shown_on:
                with self.subTest(code=code, page=page.title_en, restriction="removed"):
                    self.assertIn(url_in(self.news, code), self.html(page, code))

    def test_search_results(self):
        self.news.title_en = "Quasarfield harbour opens"
        self.news.save_revision().publish()
        url, link = "/en/search/?q=Quasarfield", url_in(self.news, "en")
        with recorded() as calls:
            self.assertIn(link, self.client.get(url).content.decode())
            self.assertIn(link, self.client.get(url).content.decode())
        self.assertIn("search-results", names(calls["hits"]))
        self.news.title_en = "Nebulafield harbour opens"
        self.news.save_revision().publish()
        self.assertNotIn(link, self.client.get(url).content.decode())
        url = "/en/search/?q=Nebulafield"
        self.assertIn(link, self.client.get(url).content.decode())
        PageViewRestriction.objects.create(page=self.news, restriction_type=PageViewRestriction.PASSWORD, password="x")
        self.assertNotIn(link, self.client.get(url).content.decode())
        PageViewRestriction.objects.all().delete()
        self.assertIn(link, self.client.get(url).content.decode())
        self.news.unpublish()
        self.assertNotIn(link, self.client.get(url).content.decode())

    def test_a_script_saving_a_live_page(self):
        self.news.summary_en = "A summary a script wrote"
        self.news.save()
        self.assertIn("A summary a script wrote", self.html(self.site["news_index"], "en"))
        self.assertIn("A summary a script wrote", self.html(self.news, "en"))

    def test_a_new_article(self):
        fresh = NewsPageFactory.build(title_en="Fresh off the press", date=datetime.date(2099, 1, 1), live=False)
        self.site["news_index"].add_child(instance=fresh)
        fresh.save_revision().publish()
        for page in (self.site["home"], self.site["news_index"]):
            self.assertIn("Fresh off the press", self.html(page, "en"))

    def test_site_settings(self):
        settings_row = SiteSettings.for_site(self.site["home"].get_site())
        settings_row.organisation_en = "Organisation renamed"
        settings_row.save()
        self.assertIn("Organisation renamed", self.html(self.site["zone"], "en"))


class NeverKeptTests(SiteWithCards):
    def test_previews(self):
        news = self.site["news"][-1]
        self.client.get(url_in(news, "en"))
        news.title_en = "An unpublished draft title"
        with recorded() as calls:
            revision = news.save_revision()
            response = revision.as_object().make_preview_request()
        self.assertIn("An unpublished draft title", response.content.decode())
        self.assertEqual(calls["read"] + calls["written"], [])
        self.assertNotIn("An unpublished draft title", self.client.get(url_in(news, "en")).content.decode())

    def test_editors(self):
        editor = get_user_model().objects.create_superuser("editor", "editor@example.org", "pw")
        self.client.force_login(editor)
        with recorded() as calls:
            self.assertEqual(self.client.get(url_in(self.site["news_index"], "en")).status_code, 200)
            self.client.get(url_in(self.site["news"][0], "en"))
        self.assertEqual(calls["read"] + calls["written"], [])

    def test_private_pages(self):
        news = self.site["news"][0]
        PageViewRestriction.objects.create(page=news, restriction_type=PageViewRestriction.PASSWORD, password="x")
        request = RequestFactory().get("/", HTTP_HOST="localhost")
        self.assertIsNone(fragments.request_parts({"request": request, "page": news}))
        self.assertIsNotNone(fragments.request_parts({"request": request, "page": self.site["news"][1]}))

    def test_the_head_only_at_addresses_a_site_has(self):
        url = url_in(self.site["zone"], "en")
        with recorded() as odd:
            self.client.get(url, HTTP_HOST="LOCALHOST")
        with recorded() as known:
            self.client.get(url, HTTP_HOST="localhost")
        self.assertNotIn("seo-head", names(odd["read"] + odd["written"]))
        self.assertIn("main-nav", names(odd["written"]))
        self.assertIn("seo-head", names(known["written"]))

    def test_views_that_are_not_pages_keep_only_what_does_not_quote_the_address(self):
        with recorded() as calls:
            self.client.get("/en/search/?q=news")
        # the head and the language links carry the query in their URLs: made afresh
        self.assertEqual(names(calls["read"]), {"brand", "main-nav", "footer", "search-results"})
        with recorded() as again:
            self.client.get("/en/search/?q=news&type=news")
        self.assertEqual(len(set(again["hits"])), 3, "the same header and footer, other results")
        self.assertNotIn("search-results", names(again["hits"]))

    @override_settings(PAGE_CACHE_NEW_PAGES_PER_CLIENT=3)
    def test_made_up_queries_count_against_the_clients_budget(self):
        with recorded() as calls:
            for n in range(6):
                self.assertEqual(self.client.get(f"/en/search/?q=word{n}").status_code, 200)
        self.assertEqual(sum(1 for key in calls["written"] if ":search-results:" in key), 3)


class KeyTests(SiteWithCards):
    def key(self, item, code="en"):
        request = RequestFactory().get("/", HTTP_HOST="localhost")
        with translation.override(code):
            parts = fragments.request_parts({"request": request, "page": item})
            return fragments.card_key(item, parts, fragments._site_paths(item, request))

    def test_a_card_is_keyed_on_what_it_shows(self):
        item = self.site["news"][-1]
        key = self.key(item)
        self.assertEqual(self.key(item), key)
        self.assertNotEqual(self.key(item, "de"), key)
        for field, value in (("summary_de", "Neu"), ("title_zh_hans", "新的"), ("lead_image_alt_en", "New text")):
            with self.subTest(field):
                original = getattr(item, field)
                setattr(item, field, value)
                self.assertNotEqual(self.key(item), key)
                setattr(item, field, original)
        item.lead_image.focal_point_x = 10
        self.assertNotEqual(self.key(item), key)

    def test_keys_hold_the_release(self):
        with TemporaryDirectory() as directory:
            template = Path(directory) / "probe.html"
            template.write_text("one")
            templates = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], directory]}]
            with override_settings(TEMPLATES=templates, RELEASE=""):
                portal_cache.release.cache_clear()
                before = fragments.make_key("probe", ())
                template.write_text("two")
                portal_cache.release.cache_clear()
                after = fragments.make_key("probe", ())
        portal_cache.release.cache_clear()
        self.assertNotEqual(before, after)
        self.assertIn(portal_cache.release(), fragments.make_key("probe", ()))


class VisitsByDayTests(TestCase):
    """A visit stops being upcoming at midnight in the site's time zone, with nothing published:
    the parts that show the difference (the home page's, the visits index's listing) are kept per day."""

    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=1)
        cls.visit = DelegationPageFactory(
            parent=cls.site["delegation_index"],
            start_date=datetime.date(2030, 5, 10),
            end_date=datetime.date(2030, 5, 11),
            title_en="The May visit",
        )
        pagecache.invalidate()  # saved without publishing, as build_site does

    def get(self, page, day: datetime.date) -> str:
        with mock.patch("django.utils.timezone.localdate", return_value=day):
            return self.client.get(url_in(page, "en")).content.decode()

    def test_the_day_after_its_last_day_a_visit_is_recent(self):
        home, index, last_day = self.site["home"], self.site["delegation_index"], datetime.date(2030, 5, 11)
        self.get(home, last_day), self.get(index, last_day)  # kept
        with recorded() as calls:
            html, listing = self.get(home, last_day), self.get(index, last_day)
        self.assertLessEqual({"home", "delegation-index-listing"}, names(calls["hits"]))
        self.assertLess(html.index('id="upcoming-visits"'), html.index("The May visit"))
        self.assertNotIn('id="recent-visits"', html[: html.index("The May visit")])
        self.assertIn('The May visit</a> <span class="upcoming-label">upcoming</span>', listing)

        html, listing = self.get(home, last_day + datetime.timedelta(days=1)), self.get(index, last_day.replace(day=12))
        self.assertFalse('id="upcoming-visits"' in html, "still upcoming the day after its last day")
        self.assertLess(html.index('id="recent-visits"'), html.index("The May visit"))
        self.assertIn("The May visit</a></h3>", listing)
        self.assertFalse('class="upcoming-label"' in listing, "still marked upcoming the day after")

    def test_today_is_the_day_in_the_sites_time_zone(self):
        evening_in_utc = datetime.datetime(2030, 5, 11, 17, 0, tzinfo=datetime.UTC)  # 01:00 on the 12th in Qingdao
        with mock.patch("django.utils.timezone.now", return_value=evening_in_utc), timezone.override("UTC"):
            self.assertEqual(today(), datetime.date(2030, 5, 12))
