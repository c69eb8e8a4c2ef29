"""bench.generate: a complete, deterministic site whose bulk-written rows equal what the portal writes."""

import json
import re
import shutil
import tempfile

from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import Q
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from wagtail.images import get_image_model
from wagtail.models import Page

from bench.generate import Command as GenerateCommand
from bench.sitedata import FIRST_REVISION_STATE
from news.models import NewsIndexPage, NewsPage
from portal import i18n
from portal.l10n import status
from portal.l10n.models import TranslationRecord, TranslationState, TranslationStatus
from portal.models import HomePage, Topic
from portal.search import index as search
from portal.search.models import SearchEntry
from portal.search.query import search_entries
from tests.helpers import LANGUAGES, h1, url_in
from zones.models import DelegationIndexPage, DelegationMember, DelegationPage, ZoneFact, ZoneIndexPage, ZonePage

SMALL = {"news": 60, "zones": 6, "delegations": 8, "images": 2}
PAGE_TYPES = [HomePage, NewsIndexPage, NewsPage, ZoneIndexPage, ZonePage, DelegationIndexPage, DelegationPage]
MEDIA = tempfile.mkdtemp(prefix="benchdata-media-")


def generate(**options):
    sizes = SMALL | options
    args = [f"--{name}={value}" for name, value in sizes.items() if name not in ("replace", "verify")]
    flags = ["--replace"] if options.get("replace") else []
    flags += ["--verify-sample=1"] if options.get("verify") else ["--no-verify"]
    call_command(GenerateCommand(), *args, *flags, stdout=open("/dev/null", "w"))  # noqa: SIM115


def site_text() -> list[tuple]:
    columns = [i18n.localized(name, code) for name in ("title", "slug", "url_path") for code in LANGUAGES]
    return list(Page.objects.filter(depth__gt=1).order_by("path").values_list("path", *columns))


@override_settings(MEDIA_ROOT=MEDIA)
class GeneratedSiteTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        generate(verify=True)  # the command's own check: tree and a page of each type in every language

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def one_of_each_type(self) -> list[Page]:
        branch = ZonePage.objects.filter(kind="branch_park").order_by("path").first()
        return [model.objects.order_by("path").last() for model in PAGE_TYPES] + [branch]

    def test_counts(self):
        self.assertEqual(NewsPage.objects.live().count(), 60)
        self.assertEqual(ZonePage.objects.live().count(), 6)
        self.assertEqual(DelegationPage.objects.live().count(), 8)
        for model in (HomePage, NewsIndexPage, ZoneIndexPage, DelegationIndexPage):
            self.assertEqual(model.objects.count(), 1, model)
        self.assertTrue(ZonePage.objects.filter(kind="branch_park", depth=5).exists(), "branch parks nest in zones")
        self.assertEqual(get_image_model().objects.count(), 2)
        self.assertGreater(Topic.objects.count(), 3)
        self.assertTrue(ZoneFact.objects.exists())
        self.assertTrue(DelegationMember.objects.exists())
        for news in NewsPage.objects.all()[:10]:
            self.assertTrue(news.topics.exists() and news.related_zones.exists())
        delegation = DelegationPage.objects.first()
        self.assertIsNotNone(delegation.host_zone)
        self.assertTrue(delegation.related_news.exists())

    def test_every_text_field_is_filled_in_every_language_at_realistic_length(self):
        for model in [*PAGE_TYPES, ZoneFact, DelegationMember]:
            for name in i18n.translated_fields(model):
                for code in LANGUAGES:
                    column = i18n.localized(name, code)
                    empty = model.objects.filter(Q(**{column: ""}) | Q(**{f"{column}__isnull": True})).count()
                    self.assertEqual(empty, 0, f"{model.__name__}.{column} is empty on {empty} rows")
        news = NewsPage.objects.order_by("path").first()
        for code in LANGUAGES:
            with translation.override(code):
                self.assertTrue(40 <= len(news.title) <= 70, (code, news.title))
                self.assertTrue(250 <= len(news.summary) <= 500, (code, len(news.summary)))
                self.assertTrue(2500 <= len(news.body) <= 4000, (code, len(news.body)))
        self.assertRegex(news.body_zh_hans, r"[\u4e00-\u9fff]{20}")
        self.assertRegex(news.body_ru, r"[а-яА-Я]{5}")
        self.assertRegex(news.body_de, r"\b(und|der|die|das)\b")
        self.assertTrue(all(c.isascii() for c in news.slug_zh_hans + news.slug_ru), "slugs are ASCII")

    def test_same_seed_same_site_and_another_seed_another(self):
        first = site_text()
        generate(replace=True)
        self.assertEqual(site_text(), first)
        generate(replace=True, seed=2)
        self.assertNotEqual([row[1:] for row in site_text()], [row[1:] for row in first])

    def test_refuses_to_add_to_existing_content(self):
        with self.assertRaisesMessage(CommandError, "already has content"):
            generate()

    def test_every_page_type_serves_its_own_title_in_every_language(self):
        for page in self.one_of_each_type():
            for code in LANGUAGES:
                url = url_in(page, code)
                with translation.override(code):
                    title, slug = page.title, page.slug
                self.assertTrue(url.startswith(f"/{code}/") and url.endswith(f"/{slug}/") or page.depth == 2, url)
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200, url)
                self.assertEqual(h1(response.content.decode()), title, url)

    def test_tree_is_valid(self):
        self.assertEqual(Page.find_problems(), ([], [], [], [], []))
        news_index = NewsIndexPage.objects.get()
        self.assertEqual(news_index.numchild, 60)
        self.assertEqual(news_index.get_children().count(), 60)
        for page in NewsPage.objects.all()[:5]:
            parent = page.get_parent()
            for code in LANGUAGES:
                self.assertEqual(
                    getattr(page, i18n.localized("url_path", code)),
                    getattr(parent, i18n.localized("url_path", code))
                    + getattr(page, i18n.localized("slug", code))
                    + "/",
                )
        # The untranslated columns hold the default language (read raw: modeltranslation would rewrite "title").
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT title, slug, url_path, draft_title,"
                " title_zh_hans, slug_zh_hans, url_path_zh_hans, title_zh_hans FROM wagtailcore_page WHERE depth > 1"
            )
            for row in cursor.fetchall():
                self.assertEqual(row[:4], row[4:])

    def test_revisions_hold_what_wagtail_serialises(self):
        for page in self.one_of_each_type():
            page = page.specific
            self.assertEqual(page.latest_revision_id, page.live_revision_id)
            with translation.override(i18n.default_language()):
                expected = json.loads(json.dumps(page.serializable_data(), cls=DjangoJSONEncoder))
            stored = page.latest_revision.content
            # the tree position and publishing dates of the page itself are not taken from a revision
            for key in (*FIRST_REVISION_STATE, "numchild"):
                expected.pop(key), stored.pop(key)
            self.assertEqual(stored, expected, type(page).__name__)

    def test_search_index_and_status_equal_the_portals_own_rebuild(self):
        columns = ["page_id", "language", "content_type", "title", "body", "search_text", "date"]
        if connection.vendor == "postgresql":
            columns += ["vector", "title_vector"]

        def rows():
            return (
                set(SearchEntry.objects.values_list(*columns)),
                {
                    (s.page_id, s.language, s.state, s.expected, s.filled, tuple(s.missing_fields))
                    for s in TranslationStatus.objects.all()
                },
                set(TranslationRecord.objects.values_list("page_id", "field", "language", "source_digest")),
            )

        generated = rows()
        self.assertEqual(len(generated[0]), 4 * Page.objects.filter(depth__gt=2).count())
        if connection.vendor == "postgresql":
            self.assertFalse(SearchEntry.objects.filter(Q(vector=None) | Q(title_vector=None)).exists())
        self.assertEqual(len(generated[1]), 4 * Page.objects.filter(depth__gt=1).count())
        self.assertEqual({s[2] for s in generated[1]}, {TranslationState.COMPLETE})
        search.rebuild()
        status.rebuild(mark_current=True)
        rebuilt = rows()
        for name, mine, theirs in zip(("search entries", "statuses", "records"), generated, rebuilt, strict=True):
            self.assertEqual(mine, theirs, name)

    def test_search_finds_generated_words(self):
        news = NewsPage.objects.order_by("path")[7]
        for code, word in (
            ("en", news.title_en.split()[0]),
            ("zh-hans", re.search(r"[\u4e00-\u9fff]{2}", news.title_zh_hans).group(0)),
        ):
            response = self.client.get(f"/{code}/search/", {"q": word, "type": "news"})
            self.assertEqual(response.status_code, 200)
            found = list(search_entries(word, code, "news").values_list("page_id", flat=True))
            self.assertIn(news.pk, found, (code, word))
        html = self.client.get("/en/search/", {"q": news.title_en}).content.decode()
        self.assertIn(re.sub("&", "&amp;", news.title_en).replace("'", "&#x27;"), html)

    def test_query_counts_do_not_grow_with_the_site(self):
        def counts():
            result = {}
            index = NewsIndexPage.objects.get()
            news = NewsPage.objects.order_by("path").first()
            for name, url in (
                ("news index", url_in(index, "en")),
                ("news index, deep page", url_in(index, "en") + "?page=5"),
                ("news page", url_in(news, "en")),
                ("home", url_in(HomePage.objects.get(), "en")),
            ):
                self.client.get(url)  # warm the per-process caches (site root paths, renditions)
                with CaptureQueriesContext(connection) as queries:
                    self.assertEqual(self.client.get(url).status_code, 200, url)
                result[name] = len(queries)
            return result

        small = counts()
        generate(replace=True, news=300)
        self.assertEqual(NewsPage.objects.count(), 300)
        self.assertEqual(counts(), small)
