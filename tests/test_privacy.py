"""Private pages (password, login or group restrictions) and everything below them, drafts and
unpublished pages never reach an anonymous visitor: not in a listing, a related block, the menu,
a filter option, a year count, an older/newer link, the search, a feed, the sitemap or JSON-LD,
in any language. A restriction takes effect at once, and its removal too, with every cache on.

Drafts (never published, unpublished, a live page's unpublished change) were already absent
before private pages were; the test keeps them so.
"""

import datetime
import re

from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import TestCase, override_settings

from wagtail.models import PageViewRestriction

from portal.models import HomeFeaturedNews, HomeHighlightedZone
from portal.search.index import rebuild
from tests.factories import (
    DelegationPageFactory,
    NewsIndexPageFactory,
    NewsPageFactory,
    TopicFactory,
    ZoneFactFactory,
    ZonePageFactory,
    build_site,
)
from tests.helpers import LANGUAGES, url_in

SUFFIXES = {"zh-hans": "zh_hans", "en": "en", "de": "de", "ru": "ru"}


def marked(marker: str, kind: str, fields=("title", "summary")) -> dict:
    """Factory arguments: every language's text of `fields` carries `marker` (upper case: never in a slug)."""
    values = {}
    for code, suffix in SUFFIXES.items():
        for name in fields:
            values[f"{name}_{suffix}"] = f"{marker} {kind} {name} {code}"
    return values


def zone_options(html: str, name: str = "zone") -> set[str]:
    select = re.search(rf'<select id="filter-{name}".*?</select>', html, re.S)
    return set(re.findall(r'<option value="(\d+)"', select.group(0))) if select else set()


@override_settings(PAGE_CACHE_SECONDS=300)
class PrivacyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        site = cls.site = build_site(news_count=4)
        home, news_index, zone, other = site["home"], site["news_index"], site["zone"], site["other_zone"]
        topic, delegation, public_news = site["topic"], site["delegation"], site["news"]
        body = {f"body_{s}": f"<p>SECRET body {c}</p>" for c, s in SUFFIXES.items()}

        # A private news article: newest of all (home, top of the index, the newer link of the last
        # public one), featured, in its own year, with a topic and a zone only it has.
        cls.only_zone = ZonePageFactory(parent=site["zone_index"], kind="port")
        cls.secret_topic = TopicFactory(
            slug="secret", **{f"name_{s}": f"SECRET topic {c}" for c, s in SUFFIXES.items()}
        )
        cls.private_news = NewsPageFactory(
            parent=news_index, date=datetime.date(2030, 6, 1), **marked("SECRET", "news"), **body
        )
        cls.private_news.related_zones.set([zone, cls.only_zone])
        cls.private_news.topics.set([topic, cls.secret_topic])
        cls.private_news.save()
        HomeFeaturedNews.objects.create(page=home, news=cls.private_news)  # saved (.create() on the page is not)
        delegation.related_news.add(cls.private_news)
        delegation.save()
        ZoneFactFactory(page=zone, source_page=cls.private_news, **{f"source_{s}": "" for s in SUFFIXES.values()})

        # A private news index (in the menu) and the news below it.
        cls.private_index = NewsIndexPageFactory(parent=home, **marked("SECRET", "index", ("title",)))
        cls.hidden_news = []
        for day in range(3):
            page = NewsPageFactory(
                parent=cls.private_index, date=datetime.date(2029, 1, 1 + day), **marked("SECRET", f"hidden {day}")
            )
            page.related_zones.set([zone])
            page.topics.set([topic])
            page.save()
            cls.hidden_news.append(page)

        # A private zone with a sub-zone, linked from a public article, a public visit and the home page.
        cls.private_zone = ZonePageFactory(parent=site["zone_index"], kind="port", **marked("SECRET", "zone"))
        cls.sub_zone = ZonePageFactory(parent=cls.private_zone, kind="branch_park", **marked("SECRET", "subzone"))
        public_news[0].related_zones.add(cls.private_zone)
        public_news[0].save()
        delegation.sending_zones.add(cls.private_zone)
        delegation.save()
        HomeHighlightedZone.objects.create(page=home, zone=cls.private_zone)
        cls.hosted_by_private = DelegationPageFactory(
            parent=site["delegation_index"],
            host_zone=cls.private_zone,
            start_date=datetime.date(2022, 5, 5),
            end_date=None,
        )

        # A private visit, the newest, in its own year, hosted and sent by public zones, about public news.
        cls.private_visit = DelegationPageFactory(
            parent=site["delegation_index"],
            host_zone=zone,
            start_date=datetime.date(2031, 5, 1),
            end_date=datetime.date(2031, 5, 2),
            **marked("SECRET", "visit"),
        )
        cls.private_visit.sending_zones.set([other])
        cls.private_visit.related_news.set([public_news[0]])
        cls.private_visit.save()

        # Drafts: never published, unpublished, and a live article with an unpublished change.
        cls.draft = NewsPageFactory(
            parent=news_index, live=False, date=datetime.date(2032, 1, 1), **marked("DRAFT", "n")
        )
        cls.draft.related_zones.set([zone])
        cls.draft.save()
        cls.unpublished = NewsPageFactory(parent=news_index, date=datetime.date(2033, 1, 1), **marked("DRAFT", "u"))
        cls.unpublished.related_zones.set([zone])
        cls.unpublished.save()
        cls.unpublished.unpublish()
        cls.draft_zone = ZonePageFactory(parent=site["zone_index"], live=False, **marked("DRAFT", "zone"))
        # Future visits (the home page's upcoming ones, marked upcoming in the index): a draft, an unpublished one.
        visits, later = site["delegation_index"], {"start_date": datetime.date(2031, 6, 1), "end_date": None}
        cls.draft_visit = DelegationPageFactory(parent=visits, live=False, **later, **marked("DRAFT", "v"))
        cls.unpublished_visit = DelegationPageFactory(parent=visits, **later, **marked("DRAFT", "uv"))
        cls.unpublished_visit.unpublish()
        changed = public_news[1]
        changed.title_en = changed.title_de = "DRAFT changed title"
        changed.save_revision()
        rebuild()

    @classmethod
    def restrict(cls):
        group = Group.objects.create(name="Zone staff")
        restrictions = [
            PageViewRestriction.objects.create(
                page=cls.private_news, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
            ),
            PageViewRestriction.objects.create(page=cls.private_index, restriction_type=PageViewRestriction.LOGIN),
            PageViewRestriction.objects.create(page=cls.private_zone, restriction_type=PageViewRestriction.GROUPS),
            PageViewRestriction.objects.create(
                page=cls.private_visit, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
            ),
        ]
        restrictions[2].groups.set([group])
        return restrictions

    def public_urls(self, lang: str) -> list[str]:
        s = self.site
        pages = [
            s["home"],
            s["news_index"],
            s["zone_index"],
            s["delegation_index"],
            s["zone"],
            s["branch"],
            s["other_zone"],
            self.only_zone,
            s["delegation"],
            self.hosted_by_private,
            *s["news"],
        ]
        urls = [url_in(page, lang) for page in pages]
        index = url_in(s["news_index"], lang)
        visits = url_in(s["delegation_index"], lang)
        urls += [
            f"{index}?zone={s['zone'].pk}",
            f"{index}?topic={s['topic'].slug}",
            f"{index}?year=2030",
            f"{index}?zone={self.only_zone.pk}",
            f"{index}?page=2",
            f"{visits}?year=2031",
            f"{visits}?host={s['zone'].pk}",
            f"/{lang}/search/?q=secret",
            f"/{lang}/search/?q=draft",
            f"/{lang}/search/?q=body",
            f"/{lang}/search/?q=body&type=news",
            f"/{lang}/feeds/news.rss",
            f"/{lang}/feeds/news.atom",
            f"/{lang}/feeds/zones/{s['zone'].pk}.rss",
            f"/{lang}/feeds/zones/{s['zone'].pk}.atom",
        ]
        return urls

    def private_pages(self):
        return [
            self.private_news,
            self.private_index,
            *self.hidden_news,
            self.private_zone,
            self.sub_zone,
            self.private_visit,
        ]

    def draft_pages(self):
        return [self.draft, self.unpublished, self.draft_zone, self.draft_visit, self.unpublished_visit]

    def visit_everything(self) -> dict[str, str]:
        """Every public address in every language and the sitemap, as an anonymous visitor (twice: the
        second answer may come from the page cache)."""
        self.client.logout()
        pages = {}
        for lang in LANGUAGES:
            for url in self.public_urls(lang):
                for _attempt in range(2):
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 200, url)
                pages[url] = response.content.decode()
            response = self.client.get(f"/{lang}/no-such-page/")
            self.assertEqual(response.status_code, 404)
            pages[f"/{lang}/no-such-page/"] = response.content.decode()
        for url in ("/sitemap.xml", "/sitemap-pages.xml?p=1"):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200, url)
            pages[url] = response.content.decode()
        return pages

    def assert_absent(self, pages: dict[str, str], hidden: list, marker: str):
        for url, html in pages.items():
            with self.subTest(url=url, marker=marker):
                found = html.find(marker)
                self.assertEqual(found, -1, f"{marker} in …{html[max(found - 150, 0) : found + 50]}…")
                for page in hidden:
                    for lang in LANGUAGES:
                        for link in (f'{url_in(page, lang)}"', f"{url_in(page, lang)}<"):
                            self.assertFalse(link in html, f"a link to {page.title_en}")

    def search_count(self, lang: str, query: str) -> int:
        html = self.client.get(f"/{lang}/search/", {"q": query}).content.decode()
        return int(re.search(r'class="result-count"[^>]*>[^<\d]*(\d+)', html).group(1))

    def test_private_pages_and_their_subtrees_are_absent_everywhere_until_the_restriction_goes(self):
        self.visit_everything()  # every cache filled while everything is public
        before = {lang: self.search_count(lang, "body") for lang in LANGUAGES}
        restrictions = self.restrict()

        pages = self.visit_everything()
        self.assert_absent(pages, self.private_pages(), "SECRET")
        self.assert_absent(pages, self.draft_pages(), "DRAFT")
        for lang in LANGUAGES:
            index = url_in(self.site["news_index"], lang)
            self.assertEqual(zone_options(pages[index]), {str(self.site["zone"].pk), str(self.site["other_zone"].pk)})
            self.assertEqual(self.search_count(lang, "secret"), 0)
            # the future visits are private or drafts: no upcoming visits at all
            self.assertNotIn('id="upcoming-visits"', pages[url_in(self.site["home"], lang)])
            self.assertNotIn('class="upcoming-label"', pages[url_in(self.site["delegation_index"], lang)])
            # the counts: the private article and the three below the private index are not counted
            self.assertEqual(self.search_count(lang, "body"), before[lang] - 4 - 2)  # zone and sub-zone bodies
        for page in self.private_pages():
            for lang in LANGUAGES:
                response = self.client.get(url_in(page, lang))
                self.assertIn(response.status_code, (200, 302), "the page itself asks for a password or a login")
                self.assertNotIn("SECRET body", response.content.decode())
        self.assertEqual(self.client.get(f"/en/feeds/zones/{self.private_zone.pk}.rss").status_code, 404)

        for restriction in restrictions:
            restriction.delete()
        pages = self.visit_everything()
        self.assert_absent(pages, self.draft_pages(), "DRAFT")
        for lang in LANGUAGES:
            home, index = url_in(self.site["home"], lang), url_in(self.site["news_index"], lang)
            zone_index, visits = url_in(self.site["zone_index"], lang), url_in(self.site["delegation_index"], lang)
            suffix = f" {lang}"
            self.assertIn(f"SECRET news title{suffix}", pages[home])  # featured, latest
            self.assertIn(f"SECRET index title{suffix}", pages[home])  # menu
            self.assertIn(f"SECRET visit title{suffix}", pages[home])
            self.assertLess(pages[home].index('id="upcoming-visits"'), pages[home].index(f"SECRET visit title{suffix}"))
            self.assertIn(f"SECRET zone title{suffix}", pages[home])
            self.assertIn(f"SECRET news title{suffix}", pages[index])
            self.assertIn(f"SECRET topic {lang}", pages[index])
            self.assertIn(">2030 (1)<", pages[index])
            self.assertIn(str(self.only_zone.pk), zone_options(pages[index]))
            self.assertIn(f"SECRET subzone title{suffix}", pages[zone_index])
            self.assertIn(f"SECRET visit title{suffix}", pages[visits])
            self.assertIn(f"SECRET hidden 2 title{suffix}", pages[url_in(self.site["zone"], lang)])
            self.assertIn(f"SECRET news title{suffix}", pages[f"/{lang}/feeds/news.rss"])
            self.assertEqual(self.search_count(lang, "body"), before[lang])
            self.assertGreater(self.search_count(lang, "secret"), 0)
        self.assertIn(url_in(self.sub_zone, "ru"), pages["/sitemap-pages.xml?p=1"])

    def test_someone_allowed_in_sees_the_private_section_listed(self):
        """Inside a private news index its own articles are listed for whoever may see it."""
        from django.contrib.auth import get_user_model

        self.restrict()
        cache.clear()
        self.client.force_login(get_user_model().objects.create_user("reader"))
        html = self.client.get(url_in(self.private_index, "de")).content.decode()
        for page in self.hidden_news:
            self.assertIn(page.title_de, html)
        html = self.client.get(url_in(self.hidden_news[1], "de")).content.decode()
        self.assertIn(f'rel="prev" href="{url_in(self.hidden_news[0], "de")}"', html)
        self.assertIn(f'rel="next" href="{url_in(self.hidden_news[2], "de")}"', html)
        # the private article elsewhere stays out even for this reader (another restriction)
        self.assertNotIn("SECRET news", html)
