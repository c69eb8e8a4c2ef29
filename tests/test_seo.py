"""What search engines and feed readers see: head metadata, JSON-LD, sitemap, robots.txt, feeds."""

import datetime
import email.utils
import html
import json
import math
import re
import xml.etree.ElementTree as ET
from unittest import mock
from urllib.parse import urlsplit

from django.db import connection
from django.test import RequestFactory, TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from wagtail.models import Page, PageViewRestriction, Site

import wagtail_factories
from bs4 import BeautifulSoup

from news.models import NewsPage
from portal import i18n
from portal.fixtures import load_all
from portal.inquiries.pages import QuestionIndexPage, QuestionPage
from portal.models import SiteSettings
from portal.seo.head import page_language_urls
from portal.seo.sitemap import LanguagePaths, PageSitemap
from tests.factories import add_news, build_site
from tests.helpers import LANGUAGES, url_in
from zones.models import DelegationPage, ZonePage

HOST = "http://testserver"
X_DEFAULT = "x-default"
OG_LOCALES = {"zh-hans": "zh_CN", "en": "en_US", "de": "de_DE", "ru": "ru_RU"}
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "xhtml": "http://www.w3.org/1999/xhtml",
    "atom": "http://www.w3.org/2005/Atom",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# Pinned: raise these only with a reason in the commit message.
MAX_QUERIES = {"sitemap_index": 3, "sitemap_page": 4, "sitemap_last_page": 4, "news_feed": 4, "zone_feed": 5}


def absolute(page, lang: str) -> str:
    return HOST + url_in(page, lang)


def public_pages() -> list[Page]:
    home = Site.objects.get(is_default_site=True).root_page
    return list(home.get_descendants(inclusive=True).live().public().specific().order_by("path"))


class Head:
    """The parts of a rendered page's <head> this file checks."""

    def __init__(self, response):
        self.status_code = response.status_code
        self.text = response.content.decode()
        self.soup = BeautifulSoup(self.text, "html.parser")
        self.head = self.soup.head

    def links(self, rel: str, **attrs) -> list:
        return [tag for tag in self.head.find_all("link", attrs=attrs) if rel in (tag.get("rel") or [])]

    @property
    def canonical(self) -> str | None:
        links = self.links("canonical")
        assert len(links) <= 1, "more than one canonical link"
        return links[0]["href"] if links else None

    @property
    def hreflangs(self) -> dict[str, str]:
        links = [tag for tag in self.links("alternate") if tag.get("hreflang")]
        result = {tag["hreflang"]: tag["href"] for tag in links}
        assert len(result) == len(links), "an hreflang is listed twice"
        return result

    def feeds(self, mime: str) -> list[str]:
        return [tag["href"] for tag in self.links("alternate", type=mime)]

    def meta(self, key: str, attr: str = "property") -> list[str]:
        return [tag["content"] for tag in self.head.find_all("meta", attrs={attr: key})]

    def json_ld(self) -> list[dict]:
        return [json.loads(tag.string) for tag in self.head.find_all("script", type="application/ld+json")]

    def json_ld_of_type(self, schema_type: str) -> dict:
        found = [block for block in self.json_ld() if schema_type in _types(block)]
        assert len(found) == 1, f"expected one {schema_type}, got {[b.get('@type') for b in self.json_ld()]}"
        return found[0]


def _types(block: dict) -> list[str]:
    value = block.get("@type")
    return value if isinstance(value, list) else [value]


class SeedHeadTests(TestCase):
    """Head metadata of the seed content (fixtures/), every page type in every language."""

    @classmethod
    def setUpTestData(cls):
        load_all()
        cls.pages = public_pages()

    def head(self, page, lang: str) -> Head:
        response = self.client.get(url_in(page, lang))
        self.assertEqual(response.status_code, 200, url_in(page, lang))
        return Head(response)

    def test_seed_site_has_every_page_type(self):
        labels = {page._meta.label for page in self.pages}
        types = {"portal.HomePage", "news.NewsPage", "zones.ZonePage", "zones.DelegationPage", "inquiries.QuestionPage"}
        self.assertLessEqual(types, labels)
        self.assertEqual(len(self.pages), 23)

    def test_canonical_and_hreflang_are_reciprocal_on_every_page(self):
        expected_keys = {*LANGUAGES, X_DEFAULT}
        for page in self.pages:
            expected = {lang: absolute(page, lang) for lang in LANGUAGES}
            expected[X_DEFAULT] = expected["zh-hans"]
            seen = []
            for lang in LANGUAGES:
                with self.subTest(page=page.title, lang=lang):
                    head = self.head(page, lang)
                    self.assertEqual(head.canonical, absolute(page, lang))
                    self.assertEqual(set(head.hreflangs), expected_keys)
                    self.assertEqual(head.hreflangs, expected)
                    self.assertEqual(head.hreflangs[lang], head.canonical, "each version lists itself")
                    self.assertEqual(head.meta("og:url"), [head.canonical])
                    seen.append(head.hreflangs)
            self.assertTrue(all(alternates == seen[0] for alternates in seen), page.title)

    def test_every_alternate_is_served_in_its_language(self):
        news = NewsPage.objects.live().first()
        for lang, href in self.head(news, "ru").hreflangs.items():
            with self.subTest(hreflang=lang):
                response = self.client.get(href.removeprefix(HOST))
                self.assertEqual(response.status_code, 200)
                self.assertEqual(Head(response).canonical, href)

    def test_open_graph_and_twitter_card(self):
        news = NewsPage.objects.live().first()
        zone = ZonePage.objects.live().first()
        for lang in LANGUAGES:
            with translation.override(lang):
                title, summary = news.title, news.summary
            with self.subTest(lang=lang):
                head = self.head(news, lang)
                self.assertEqual(head.meta("og:type"), ["article"])
                self.assertEqual(head.meta("og:title"), [title])
                self.assertEqual(len(head.meta("og:description")), 1)
                self.assertTrue(summary.startswith(head.meta("og:description")[0].rstrip("…")))
                self.assertEqual(head.meta("og:locale"), [OG_LOCALES[lang]])
                self.assertEqual(
                    sorted(head.meta("og:locale:alternate")), sorted(v for k, v in OG_LOCALES.items() if k != lang)
                )
                self.assertEqual(len(head.meta("og:site_name")), 1)
                self.assertEqual(head.meta("article:published_time"), [news.date.isoformat()])
                # No picture of its own: its share card (tests/test_identity.py), a large card too.
                self.assertEqual(head.meta("twitter:card", "name"), ["summary_large_image"])
                self.assertEqual(len(head.meta("og:image")), 1)
                self.assertEqual(self.head(zone, lang).meta("og:type"), ["website"])

    def test_one_meta_description_per_page(self):
        news = NewsPage.objects.live().first()
        html_ = self.head(news, "en")
        self.assertEqual(len(html_.meta("description", "name")), 1)
        news.search_description_en = "Editor's description"
        news.save()  # as a script would; the remembered page and head follow
        head = self.head(news, "en")
        self.assertEqual(head.meta("description", "name"), ["Editor's description"])
        self.assertEqual(head.meta("og:description"), ["Editor's description"])

    def test_news_article_json_ld(self):
        organisation = SiteSettings.for_site(Site.objects.get(is_default_site=True))
        for news in NewsPage.objects.live():
            for lang in ("zh-hans", "en"):
                with self.subTest(news=news.slug, lang=lang):
                    head = self.head(news, lang)
                    article = head.json_ld_of_type("NewsArticle")
                    with translation.override(lang):
                        title, byline, source = news.title, news.byline, news.source
                        publisher_name = organisation.organisation
                    self.assertEqual(article["@context"], "https://schema.org")
                    self.assertEqual(article["headline"], title)
                    self.assertEqual(article["datePublished"], news.date.isoformat())
                    self.assertGreaterEqual(article["dateModified"][:10], news.date.isoformat())
                    self.assertEqual(article["inLanguage"], lang)
                    self.assertTrue(article["description"])
                    self.assertEqual(article["url"], head.canonical)
                    self.assertEqual(article["mainEntityOfPage"]["@id"], head.canonical)
                    self.assertEqual(
                        article["publisher"],
                        {
                            "@type": "Organization",
                            "name": publisher_name,
                            "url": absolute(Site.objects.get(is_default_site=True).root_page, lang),
                        },
                    )
                    author = article["author"][0]
                    if byline:
                        self.assertEqual(author, {"@type": "Person", "name": byline})
                    else:
                        self.assertEqual(author, {"@type": "Organization", "name": source})
                    self.assertNotIn("isBasedOn", article)

    def test_news_source_url_is_the_article_it_is_based_on(self):
        news = NewsPage.objects.live().first()
        NewsPage.objects.filter(pk=news.pk).update(source_url="https://example.com/original?a=1&b=2")
        article = self.head(news, "en").json_ld_of_type("NewsArticle")
        self.assertEqual(article["isBasedOn"]["url"], "https://example.com/original?a=1&b=2")

    def test_zone_json_ld(self):
        for zone in ZonePage.objects.live():
            with self.subTest(zone=zone.slug):
                head = self.head(zone, "en")
                place = head.json_ld_of_type("Place")
                self.assertIn("GovernmentOrganization", place["@type"])
                with translation.override("en"):
                    self.assertEqual(place["name"], zone.title)
                    address = {
                        "addressLocality": zone.city,
                        "addressRegion": zone.province,
                        "addressCountry": zone.country,
                    }
                self.assertEqual(place["url"], head.canonical)
                for key, value in address.items():
                    self.assertEqual(place["address"].get(key), value or None, key)
                if zone.latitude is not None:
                    self.assertEqual(
                        place["geo"],
                        {
                            "@type": "GeoCoordinates",
                            "latitude": float(zone.latitude),
                            "longitude": float(zone.longitude),
                        },
                    )
                else:
                    self.assertNotIn("geo", place)
                parent = zone.get_parent().specific
                if isinstance(parent, ZonePage):
                    self.assertEqual(place["containedInPlace"]["url"], absolute(parent, "en"))

    def test_delegation_event_json_ld(self):
        for delegation in DelegationPage.objects.live():
            for lang in ("en", "ru"):
                with self.subTest(delegation=delegation.slug, lang=lang):
                    event = self.head(delegation, lang).json_ld_of_type("Event")
                    with translation.override(lang):
                        self.assertEqual(event["name"], delegation.title)
                        host = {"name": delegation.host_zone.title, "url": absolute(delegation.host_zone, lang)}
                        sending = {zone.title for zone in delegation.sending_zones.all()}
                        leader = delegation.leader_name
                    self.assertEqual(event["startDate"], delegation.start_date.isoformat())
                    self.assertEqual(event["endDate"], (delegation.end_date or delegation.start_date).isoformat())
                    self.assertEqual(event["location"][0]["@type"], "Place")
                    self.assertEqual({k: event["location"][0][k] for k in host}, host)
                    self.assertLessEqual(sending, {org["name"] for org in event["organizer"]})
                    self.assertLessEqual(sending, {who["name"] for who in event["attendee"]})
                    self.assertIn(
                        {"@type": "Person", "name": leader},
                        [{k: v for k, v in who.items() if k in ("@type", "name")} for who in event["attendee"]],
                    )
                    self.assertTrue(event["description"])

    def test_breadcrumb_list_on_every_page(self):
        home = Site.objects.get(is_default_site=True).root_page
        for page in self.pages:
            with self.subTest(page=page.title):
                head = self.head(page, "de")
                crumbs = head.json_ld_of_type("BreadcrumbList")["itemListElement"]
                trail = [*page.get_ancestors().filter(depth__gte=home.depth).specific(), page]
                self.assertEqual([c["position"] for c in crumbs], list(range(1, len(trail) + 1)))
                self.assertEqual([c["item"] for c in crumbs], [absolute(p, "de") for p in trail])
                with translation.override("de"):
                    self.assertEqual([c["name"] for c in crumbs], [p.title for p in trail])
                self.assertEqual(crumbs[-1]["item"], head.canonical)
                self.assertTrue(all(c["@type"] == "ListItem" for c in crumbs))

    def test_json_ld_cannot_close_its_script_element(self):
        news = NewsPage.objects.live().first()
        evil = "</script><script>alert(1)</script><!-- & \u2028 '\""
        NewsPage.objects.filter(pk=news.pk).update(title_en=evil, byline_en=evil)
        head = self.head(news, "en")
        source = head.text[: head.text.index("</head>")]
        # Only the script elements' own end tags close anything; no comment opens.
        self.assertEqual(source.count("</script"), len(head.json_ld()))
        self.assertNotIn("<!--", source)
        self.assertIn("<\\/script>", source)
        article = head.json_ld_of_type("NewsArticle")
        self.assertEqual(article["headline"], evil)
        self.assertEqual(article["author"][0]["name"], evil)
        self.assertEqual(head.meta("og:title"), [evil])

    def test_feed_discovery_links(self):
        zone = ZonePage.objects.live().first()
        for page in self.pages:
            for lang in LANGUAGES:
                with self.subTest(page=page.title, lang=lang):
                    head = self.head(page, lang)
                    rss = [HOST + f"/{lang}/feeds/news.rss"]
                    atom = [HOST + f"/{lang}/feeds/news.atom"]
                    if isinstance(page, ZonePage):
                        rss.append(HOST + f"/{lang}/feeds/zones/{page.pk}.rss")
                        atom.append(HOST + f"/{lang}/feeds/zones/{page.pk}.atom")
                    if isinstance(page, QuestionIndexPage | QuestionPage):  # and the Q&A pages' own
                        rss.append(HOST + f"/{lang}/feeds/questions.rss")
                        atom.append(HOST + f"/{lang}/feeds/questions.atom")
                    self.assertEqual(head.feeds("application/rss+xml"), rss)
                    self.assertEqual(head.feeds("application/atom+xml"), atom)
                    for tag in head.links("alternate", type="application/rss+xml"):
                        self.assertTrue(tag.get("title"))
        for href in self.head(zone, "de").feeds("application/atom+xml"):
            response = self.client.get(href.removeprefix(HOST))
            self.assertEqual(response.status_code, 200, href)
            self.assertTrue(response["Content-Type"].startswith("application/atom+xml"))

    def test_head_is_well_formed(self):
        quoted = re.compile(r'^(\s+[a-z:-]+="[^"<>]*")+\s*$')
        for page in [self.pages[0], NewsPage.objects.live().first(), DelegationPage.objects.live().first()]:
            with self.subTest(page=page.title):
                head = self.head(page, "ru")
                ids = [tag["id"] for tag in head.soup.find_all(id=True)]
                self.assertEqual(len(ids), len(set(ids)), "duplicate ids")
                source = head.text[: head.text.index("</head>")]
                for attributes in re.findall(r"<(?:link|meta)\b([^>]*)>", source):
                    self.assertRegex(attributes, quoted)
                scripts = head.head.find_all("script", type="application/ld+json")
                self.assertEqual(source.count('<script type="application/ld+json">'), len(scripts))
                self.assertEqual(source.count("</script>"), len(scripts))

    def test_search_page_has_translated_canonical_and_alternates(self):
        for lang in LANGUAGES:
            with self.subTest(lang=lang):
                response = self.client.get(f"/{lang}/search/", {"q": "SCODA"})
                self.assertEqual(response.status_code, 200)
                head = Head(response)
                self.assertEqual(head.canonical, f"{HOST}/{lang}/search/")
                expected = {code: f"{HOST}/{code}/search/" for code in LANGUAGES}
                expected[X_DEFAULT] = f"{HOST}/zh-hans/search/"
                self.assertEqual(head.hreflangs, expected)
                self.assertEqual(head.feeds("application/rss+xml"), [f"{HOST}/{lang}/feeds/news.rss"])
                self.assertEqual(head.json_ld(), [])

    def test_not_found_pages_have_no_canonical_and_do_not_crash(self):
        for path in ["/en/no-such-page/", "/de/nachrichten/no-such-news/", "/fr/"]:
            with self.subTest(path=path):
                response = self.client.get(path, follow=True)  # /fr/ redirects to /zh-hans/fr/ first
                self.assertEqual(response.status_code, 404)
                head = Head(response)
                self.assertIsNone(head.canonical)
                self.assertEqual(head.hreflangs, {})
                self.assertEqual(head.json_ld(), [])

    def test_page_works_on_any_host(self):
        news = NewsPage.objects.live().first()
        response = self.client.get(url_in(news, "en"), headers={"host": "portal.example.org"})
        self.assertEqual(response.status_code, 200)
        head = Head(response)
        self.assertEqual(head.canonical, "http://portal.example.org" + url_in(news, "en"))
        self.assertTrue(all(href.startswith("http://portal.example.org/") for href in head.hreflangs.values()))


class ImageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=1)
        cls.news = cls.site["news"][0]
        cls.news.lead_image = wagtail_factories.ImageFactory()
        cls.news.lead_image_alt_en = "Harbour cranes"
        cls.news.save()

    def test_image_gives_a_large_card(self):
        head = Head(self.client.get(url_in(self.news, "en")))
        self.assertEqual(head.meta("twitter:card", "name"), ["summary_large_image"])
        (image,) = head.meta("og:image")
        self.assertTrue(image.startswith(HOST + "/"))
        self.assertEqual(head.meta("og:image:alt"), ["Harbour cranes"])
        self.assertEqual(head.json_ld_of_type("NewsArticle")["image"], [image])


# --- Sitemap and robots.txt --------------------------------------------------------


def parse_xml(content: bytes) -> ET.Element:
    return ET.fromstring(content)  # noqa: S314 (the test client's own responses, not untrusted input)


def parse_sitemap(content: bytes) -> dict[str, dict]:
    """{loc: {"lastmod": ..., "alternates": {hreflang: href}}}."""
    root = parse_xml(content)
    assert root.tag == f"{{{NS['sm']}}}urlset", root.tag
    result = {}
    for url in root.findall("sm:url", NS):
        loc = url.findtext("sm:loc", namespaces=NS)
        alternates = {}
        for link in url.findall("xhtml:link", NS):
            assert link.get("rel") == "alternate"
            assert link.get("hreflang") not in alternates, f"{loc}: {link.get('hreflang')} twice"
            alternates[link.get("hreflang")] = link.get("href")
        assert loc not in result, f"{loc} listed twice"
        result[loc] = {"lastmod": url.findtext("sm:lastmod", namespaces=NS), "alternates": alternates}
    return result


def parse_index(content: bytes) -> list[tuple[str, str | None]]:
    """[(loc, lastmod)] of a sitemap index."""
    root = parse_xml(content)
    assert root.tag == f"{{{NS['sm']}}}sitemapindex", root.tag
    return [
        (item.findtext("sm:loc", namespaces=NS), item.findtext("sm:lastmod", namespaces=NS))
        for item in root.findall("sm:sitemap", NS)
    ]


def local(url: str) -> str:
    """The path and query of an absolute URL, as the test client takes it."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def section_urls(count: int) -> list[str]:
    """The section pages Django's index lists: the first without ?p=."""
    return [f"{HOST}/sitemap-pages.xml"] + [f"{HOST}/sitemap-pages.xml?p={n}" for n in range(2, count + 1)]


class SitemapReader:
    """For a TestCase that reads the whole sitemap the way a crawler does: the index, then its section pages."""

    def read_sitemap(self, **kwargs) -> tuple[dict[str, dict], list[dict[str, dict]]]:
        """Every entry of every section page the index lists, and each section page's entries."""
        response = self.client.get("/sitemap.xml", **kwargs)
        self.assertEqual(response.status_code, 200)
        entries, sections = {}, []
        for loc, _lastmod in parse_index(response.content):
            section = self.client.get(local(loc), **kwargs)
            self.assertEqual(section.status_code, 200, loc)
            self.assertTrue(section["Content-Type"].startswith("application/xml"))
            part = parse_sitemap(section.content)
            self.assertFalse(set(part) & set(entries), f"{loc} repeats entries of an earlier section page")
            entries |= part
            sections.append(part)
        return entries, sections


class SitemapTests(SitemapReader, TestCase):
    @classmethod
    def setUpTestData(cls):
        load_all()
        cls.pages = public_pages()

    def test_index_lists_the_section_pages(self):
        response = self.client.get("/sitemap.xml")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("application/xml"))
        index = parse_index(response.content)
        self.assertEqual([loc for loc, _ in index], section_urls(1))
        newest = max(page.last_published_at for page in self.pages)
        self.assertEqual({datetime.datetime.fromisoformat(lastmod) for _, lastmod in index}, {newest})
        self.assertEqual(email.utils.parsedate_to_datetime(response["Last-Modified"]), newest.replace(microsecond=0))
        self.assertIn(f"Sitemap: {HOST}/sitemap.xml", self.client.get("/robots.txt").content.decode())

    def test_every_page_in_every_language_with_reciprocal_alternates(self):
        entries, _sections = self.read_sitemap()
        expected_locs = {absolute(page, lang) for page in self.pages for lang in LANGUAGES}
        self.assertEqual(set(entries), expected_locs)
        self.assertEqual(len(entries), len(self.pages) * len(LANGUAGES))
        for page in self.pages:
            alternates = {lang: absolute(page, lang) for lang in LANGUAGES}
            alternates[X_DEFAULT] = alternates["zh-hans"]
            for lang in LANGUAGES:
                with self.subTest(page=page.title, lang=lang):
                    entry = entries[absolute(page, lang)]
                    self.assertEqual(entry["alternates"], alternates)
                    self.assertEqual(entry["lastmod"], timezone.localtime(page.last_published_at).date().isoformat())

    def test_language_paths_agree_with_get_url(self):
        """The sitemap works out the URLs Page.get_url gives, fallbacks included."""
        news = NewsPage.objects.live().order_by("path").first()
        Page.objects.filter(pk=news.pk).update(url_path_ru="")  # read through the fallback chain
        paths = LanguagePaths(Site.objects.get(is_default_site=True).root_page)
        request = RequestFactory().get("/")
        for page in Page.objects.live().order_by("path"):
            with self.subTest(page=page.title):
                self.assertEqual(paths.urls(page), page_language_urls(page, request))
        # The sitemap's rows (the url_path columns only) and every page of the tree, live or not.
        rows = Page.objects.filter(depth__gt=1).values_list("pk", *i18n.localized_columns("url_path"), named=True)
        for row in rows:
            page = Page.objects.get(pk=row.pk)
            with self.subTest(page=page.title, row=True):
                self.assertEqual(paths.urls(row), i18n.page_urls(page, request))
                self.assertEqual(paths.urls(page), i18n.page_urls(page))

    def test_a_small_limit_pages_through_every_page_once_per_language(self):
        # A limit not divisible by the number of languages is rounded down to whole pages.
        for limit, pages_per_section in [(8, 2), (10, 2), (3, 1), (12, 3)]:
            with self.subTest(limit=limit), mock.patch.object(PageSitemap, "limit", limit):
                sections_count = math.ceil(len(self.pages) / pages_per_section)
                index = parse_index(self.client.get("/sitemap.xml").content)
                self.assertEqual([loc for loc, _ in index], section_urls(sections_count))
                entries, sections = self.read_sitemap()
                self.assertEqual(set(entries), {absolute(page, lang) for page in self.pages for lang in LANGUAGES})
                for number, section in enumerate(sections):
                    # Whole pages in path order: a page's language versions share a section page.
                    expected = self.pages[number * pages_per_section : (number + 1) * pages_per_section]
                    self.assertEqual(list(section), [absolute(page, lang) for page in expected for lang in LANGUAGES])
                page = self.client.get(f"/sitemap-pages.xml?p={sections_count + 1}")
                self.assertEqual(page.status_code, 404)

    def test_bad_page_numbers_and_sections_are_404(self):
        self.assertEqual(
            self.client.get("/sitemap-pages.xml?p=1").content, self.client.get("/sitemap-pages.xml").content
        )
        for number in ["0", "-1", "2", "abc", "", "1.5", "1e3", "%00", "9" * 30]:
            with self.subTest(p=number):
                self.assertEqual(self.client.get(f"/sitemap-pages.xml?p={number}").status_code, 404)
        for path in ["/sitemap-news.xml", "/sitemap-.xml", "/sitemap-pages.xml/"]:
            with self.subTest(path=path):
                self.assertEqual(self.client.get(path).status_code, 404)

    def test_drafts_and_private_pages_are_left_out(self):
        news = list(NewsPage.objects.live().order_by("pk"))
        news[0].unpublish()
        PageViewRestriction.objects.create(page=news[1], restriction_type=PageViewRestriction.PASSWORD, password="x")
        locs = set(self.read_sitemap()[0])
        for page in news[:2]:
            for lang in LANGUAGES:
                self.assertNotIn(absolute(page, lang), locs)
        self.assertIn(absolute(news[2], "ru"), locs)
        self.assertEqual(len(locs), (len(self.pages) - 2) * len(LANGUAGES))

    def test_urls_use_the_requests_host(self):
        host = {"headers": {"host": "portal.example.org"}}
        index = parse_index(self.client.get("/sitemap.xml", **host).content)
        self.assertTrue(all(loc.startswith("http://portal.example.org/") for loc, _ in index))
        entries, _sections = self.read_sitemap(**host)
        self.assertTrue(all(loc.startswith("http://portal.example.org/") for loc in entries))
        index = parse_index(self.client.get("/sitemap.xml", secure=True).content)
        self.assertTrue(all(loc.startswith("https://testserver/") for loc, _ in index))
        entries, _sections = self.read_sitemap(secure=True)
        self.assertTrue(all(loc.startswith("https://testserver/") for loc in entries))

    def test_robots_txt(self):
        response = self.client.get("/robots.txt", headers={"host": "portal.example.org"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/plain; charset=utf-8")
        lines = response.content.decode().splitlines()
        self.assertEqual(lines[0], "User-agent: *")
        self.assertIn("Disallow: /admin/", lines)
        self.assertIn("Sitemap: http://portal.example.org/sitemap.xml", lines)
        self.assertNotIn("Disallow: /", lines)


# --- Feeds -------------------------------------------------------------------------


def parse_rss(content: bytes) -> tuple[ET.Element, list[ET.Element]]:
    root = parse_xml(content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    return channel, channel.findall("item")


def parse_atom(content: bytes) -> tuple[ET.Element, list[ET.Element]]:
    root = parse_xml(content)
    assert root.tag == f"{{{NS['atom']}}}feed", root.tag
    return root, root.findall("atom:entry", NS)


class FeedTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_all()
        cls.news = list(NewsPage.objects.live().order_by("-date", "-pk"))

    def test_rss_per_language(self):
        for lang in LANGUAGES:
            with self.subTest(lang=lang):
                response = self.client.get(f"/{lang}/feeds/news.rss")
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response["Content-Type"].startswith("application/rss+xml"))
                channel, items = parse_rss(response.content)
                self.assertEqual(channel.findtext("language"), lang)
                self.assertTrue(channel.findtext("title"))
                self.assertTrue(channel.findtext("description"))
                self.assertTrue(channel.findtext("link").startswith(f"{HOST}/{lang}/"))
                self.assertEqual(len(items), len(self.news))
                guids = set()
                for item, page in zip(items, self.news, strict=True):
                    with translation.override(lang):
                        title, summary = page.title, page.summary
                    self.assertEqual(item.findtext("title"), title)
                    self.assertEqual(item.findtext("link"), absolute(page, lang))
                    self.assertEqual(html.unescape(item.findtext("description")), summary)
                    published = email.utils.parsedate_to_datetime(item.findtext("pubDate"))
                    self.assertEqual(published.date(), page.date)
                    guid = item.find("guid")
                    self.assertEqual(guid.get("isPermaLink"), "false")
                    guids.add(guid.text)
                    self.assertTrue(item.findall("category"))
                self.assertEqual(len(guids), len(items))

    def test_atom_per_language(self):
        all_ids = set()
        for lang in LANGUAGES:
            with self.subTest(lang=lang):
                response = self.client.get(f"/{lang}/feeds/news.atom")
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response["Content-Type"].startswith("application/atom+xml"))
                feed, entries = parse_atom(response.content)
                self.assertEqual(feed.get(XML_LANG), lang)
                self.assertTrue(feed.findtext("atom:title", namespaces=NS))
                self.assertTrue(feed.findtext("atom:updated", namespaces=NS))
                self_link = [link for link in feed.findall("atom:link", NS) if link.get("rel") == "self"]
                self.assertEqual(self_link[0].get("href"), f"{HOST}/{lang}/feeds/news.atom")
                self.assertEqual(len(entries), len(self.news))
                for entry, page in zip(entries, self.news, strict=True):
                    with translation.override(lang):
                        self.assertEqual(entry.findtext("atom:title", namespaces=NS), page.title)
                    link = entry.find("atom:link", NS)
                    self.assertEqual((link.get("rel"), link.get("href")), ("alternate", absolute(page, lang)))
                    self.assertTrue(entry.findtext("atom:updated", namespaces=NS))
                    self.assertTrue(entry.findtext("atom:published", namespaces=NS).startswith(page.date.isoformat()))
                    all_ids.add(entry.findtext("atom:id", namespaces=NS))
        self.assertEqual(len(all_ids), len(self.news) * len(LANGUAGES), "ids are unique per page and language")

    def test_ids_are_the_same_in_rss_and_atom(self):
        _channel, items = parse_rss(self.client.get("/de/feeds/news.rss").content)
        _feed, entries = parse_atom(self.client.get("/de/feeds/news.atom").content)
        self.assertEqual(
            [item.findtext("guid") for item in items], [entry.findtext("atom:id", namespaces=NS) for entry in entries]
        )

    def test_zone_feed_lists_the_zones_news(self):
        for zone in ZonePage.objects.live():
            expected = list(zone.news.live().order_by("-date", "-pk"))
            for lang, kind in (("en", "rss"), ("ru", "atom")):
                with self.subTest(zone=zone.slug, kind=kind):
                    response = self.client.get(f"/{lang}/feeds/zones/{zone.pk}.{kind}")
                    self.assertEqual(response.status_code, 200)
                    if kind == "rss":
                        channel, items = parse_rss(response.content)
                        links = [item.findtext("link") for item in items]
                        self.assertEqual(channel.findtext("link"), absolute(zone, lang))
                    else:
                        feed, entries = parse_atom(response.content)
                        links = [entry.find("atom:link", NS).get("href") for entry in entries]
                        self.assertEqual(feed.get(XML_LANG), lang)
                    self.assertEqual(links, [absolute(page, lang) for page in expected])

    def test_unknown_zone_is_a_404(self):
        news = self.news[0]
        draft = ZonePage.objects.live().first()
        draft.unpublish()
        for zone_id in [999999, news.pk, draft.pk, 2**31, 10**30]:
            for kind in ("rss", "atom"):
                with self.subTest(zone_id=zone_id, kind=kind):
                    self.assertEqual(self.client.get(f"/en/feeds/zones/{zone_id}.{kind}").status_code, 404)
        self.assertEqual(self.client.get("/en/feeds/zones/abc.rss").status_code, 404)

    def test_drafts_and_private_news_are_left_out(self):
        self.news[0].unpublish()
        PageViewRestriction.objects.create(
            page=self.news[1], restriction_type=PageViewRestriction.PASSWORD, password="x"
        )
        _channel, items = parse_rss(self.client.get("/en/feeds/news.rss").content)
        self.assertEqual([item.findtext("link") for item in items], [absolute(p, "en") for p in self.news[2:]])


class SizeTests(SitemapReader, TestCase):
    """The sitemap and the feeds make the same number of queries at 5 and at 50 news."""

    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=5)

    def count(self, url: str) -> tuple[int, bytes]:
        self.client.get(url)  # warm per-process caches (site root paths)
        with CaptureQueriesContext(connection) as ctx:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        return len(ctx.captured_queries), response.content

    def urls(self) -> dict[str, str]:
        return {
            "sitemap_index": "/sitemap.xml",
            "sitemap_page": "/sitemap-pages.xml",
            "sitemap_last_page": local(parse_index(self.client.get("/sitemap.xml").content)[-1][0]),
            "news_feed": "/de/feeds/news.atom",
            "zone_feed": f"/ru/feeds/zones/{self.site['zone'].pk}.rss",
        }

    # Two pages a section page: several section pages at both sizes.
    @mock.patch.object(PageSitemap, "limit", 2 * len(LANGUAGES))
    def test_query_counts_do_not_grow(self):
        small = {name: self.count(url) for name, url in self.urls().items()}
        add_news(self.site["news_index"], 45, zone=self.site["zone"])
        large = {name: self.count(url) for name, url in self.urls().items()}
        self.assertEqual(len(parse_sitemap(large["sitemap_page"][1])), 2 * len(LANGUAGES))
        self.assertEqual(len(parse_index(large["sitemap_index"][1])), math.ceil(len(public_pages()) / 2))
        self.assertEqual(len(self.read_sitemap()[0]), len(public_pages()) * len(LANGUAGES))
        for name in small:
            with self.subTest(name=name):
                self.assertEqual(small[name][0], large[name][0], f"{name}: {small[name][0]} → {large[name][0]}")
                self.assertLessEqual(large[name][0], MAX_QUERIES[name], f"{name}: {large[name][0]} queries")

    def test_feed_holds_the_30_newest(self):
        add_news(self.site["news_index"], 45)
        _feed, entries = parse_atom(self.client.get("/en/feeds/news.atom").content)
        newest = NewsPage.objects.live().order_by("-date", "-pk")[:30]
        self.assertEqual(len(entries), 30)
        self.assertEqual(
            [entry.find("atom:link", NS).get("href") for entry in entries], [absolute(p, "en") for p in newest]
        )
        dates = [entry.findtext("atom:published", namespaces=NS) for entry in entries]
        self.assertEqual(dates, sorted(dates, reverse=True))

    def test_head_metadata_adds_no_query_per_news(self):
        news = self.site["news"][0]
        url = url_in(news, "de")
        before, _ = self.count(url)
        add_news(self.site["news_index"], 45, zone=self.site["zone"])
        after, content = self.count(url)
        self.assertEqual(before, after)
        self.assertIn(b"application/ld+json", content)
        self.assertEqual(
            datetime.date.fromisoformat(Head(self.client.get(url)).json_ld_of_type("NewsArticle")["datePublished"]),
            news.date,
        )
