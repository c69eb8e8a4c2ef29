"""The seed content: what the fixtures hold, loading them, failing safely, exporting them back."""

import json
import re
import shutil
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from wagtail.models import Page, Revision, Site

from news.models import NewsPage
from portal.fixtures import FixtureError, export_all, load_all, write_all
from portal.models import HomePage, Topic
from tests.helpers import LANGUAGES, h1, html_lang, url_in
from zones.models import DelegationPage, ZonePage

FIXTURES = Path(settings.FIXTURE_DIRS[0])
CJK = re.compile(r"[\u4e00-\u9fff]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def zone(title_en: str) -> ZonePage:
    return ZonePage.objects.get(title_en__contains=title_en)


def snapshot() -> dict:
    """Everything a load could change, to prove a failed load changed nothing."""
    return {
        "pages": list(
            Page.objects.rewrite(False).order_by("path").values_list("path", "title", "live", "latest_revision_id")
        ),
        "revisions": Revision.objects.count(),
        "topics": list(Topic.objects.values_list("slug", "name_en")),
        "sites": list(Site.objects.values_list("hostname", "root_page_id")),
    }


class SeedContentTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.welcome_ids = list(Page.objects.filter(depth=2).values_list("pk", flat=True))
        cls.report = load_all(FIXTURES)

    def test_counts(self):
        self.assertEqual(HomePage.objects.count(), 1)
        self.assertEqual(NewsPage.objects.count(), 4)
        self.assertGreaterEqual(ZonePage.objects.count(), 8)
        self.assertEqual(DelegationPage.objects.count(), 2)
        self.assertEqual(len(self.report.created) + len(self.report.updated), Page.objects.filter(depth__gte=2).count())

    def test_welcome_page_is_gone_and_home_is_the_site_root(self):
        self.assertTrue(self.report.removed_welcome_page)
        self.assertFalse(Page.objects.filter(pk__in=self.welcome_ids).exists())
        self.assertIsInstance(Site.objects.get(is_default_site=True).root_page.specific, HomePage)

    def test_every_page_is_live_and_in_its_own_language(self):
        pages = Page.objects.filter(depth__gte=2).specific()
        for page in pages:
            self.assertTrue(page.live, page)
            self.assertIsNotNone(page.latest_revision_id, page)
            self.assertTrue(CJK.search(page.title_zh_hans), page.title_zh_hans)
            self.assertTrue(CYRILLIC.search(page.title_ru), page.title_ru)
            for lang in LANGUAGES:
                own_title = getattr(page, "title_" + lang.replace("-", "_"))
                self.assertTrue(own_title, f"{page.title_en} has no {lang} title")
                response = self.client.get(url_in(page, lang))
                self.assertEqual(response.status_code, 200, url_in(page, lang))
                html = response.content.decode()
                self.assertEqual(html_lang(html), lang)
                self.assertEqual(h1(html), own_title)

    def test_every_visitor_facing_field_is_filled_in_all_languages(self):
        from portal.fixtures import translated_fields

        for page in Page.objects.filter(depth__gte=2).specific():
            for name in translated_fields(type(page)) - {"seo_title", "search_description"}:
                values = {lang: getattr(page, f"{name}_{lang.replace('-', '_')}") for lang in LANGUAGES}
                if any(values.values()):
                    self.assertTrue(
                        all(values.values()),
                        f"{page.title_en}.{name} is missing in {[k for k, v in values.items() if not v]}",
                    )

    def test_news_articles(self):
        liangjiang = NewsPage.objects.get(date="2021-04-12")
        self.assertIn("160 Fortune 500", liangjiang.body_en)
        self.assertIn("160 Fortune-500-Unternehmen", liangjiang.body_de)
        self.assertEqual(liangjiang.press_contact_phone, "+86-10-63074558")
        self.assertIn("Fu", liangjiang.press_contact_en)
        self.assertEqual(liangjiang.source_en, "PRNewswire")
        peoples_daily = NewsPage.objects.get(date="2023-12-31")
        self.assertEqual(str(peoples_daily.source_date), "2023-11-15")
        self.assertIn("Zhang Xinzhu", peoples_daily.byline_en)
        self.assertTrue(NewsPage.objects.filter(date="2023-01-30").exists())
        self.assertTrue(NewsPage.objects.filter(date="2021-05-25").exists())

    def test_zone_facts_on_the_right_pages(self):
        scoda = zone("(SCODA)")
        self.assertEqual(scoda.kind, "demonstration_area")
        self.assertEqual(zone("SCODA Xinjiang Branch Park").get_parent().pk, scoda.pk)
        html = self.client.get(url_in(scoda, "en")).content.decode()
        for figure in ["21", "180", "13,800"]:
            self.assertIn(figure, html)
        facts = {f.value_en: f for f in scoda.facts.all()}
        self.assertEqual(facts["21"].source_page.date.isoformat(), "2023-12-31")
        self.assertEqual(str(facts["21"].as_of), "2023-11-15")
        liangjiang = ZonePage.objects.get(title_en__contains="Liangjiang New Area")
        self.assertIn("160", self.client.get(url_in(liangjiang, "de")).content.decode())
        self.assertEqual(liangjiang.title_zh_hans.count("两江新区"), 1)
        self.assertIn("Лянцзян", liangjiang.title_ru)
        self.assertEqual(
            ZonePage.objects.get(title_en__contains="Jeminay Port").get_parent().specific.kind, "border_zone"
        )
        for kind in ["hitech_zone", "free_trade_zone", "city", "new_area"]:
            self.assertTrue(ZonePage.objects.filter(kind=kind).exists(), kind)
        self.assertIsNotNone(scoda.latitude)

    def test_delegations_link_to_zones_and_news(self):
        march = DelegationPage.objects.get(start_date="2021-03-09")
        self.assertEqual(str(march.end_date), "2021-03-10")
        self.assertIn("Zhu Jidong", march.leader_name_en)
        self.assertEqual(march.leader_name_ru, "Чжу Цзидун")
        self.assertEqual(march.host_zone.pk, zone("(SCODA)").pk)
        sending = {z.title_en for z in march.sending_zones.all()}
        self.assertTrue(
            any("Jeminay" in t for t in sending)
            and any("Zibo" in t for t in sending)
            and any("Linyi" in t for t in sending),
            sending,
        )
        self.assertEqual([n.date.isoformat() for n in march.related_news.all()], ["2021-05-25"])
        karamay = DelegationPage.objects.exclude(pk=march.pk).get()
        self.assertEqual(karamay.host_zone.kind, "city")
        self.assertIn("Wen Jixu", karamay.leader_name_en)
        members = " ".join(m.name_en for m in karamay.members.all())
        self.assertIn("Yang Lu", members)
        self.assertIn("Hu Kaiqiang", members)
        self.assertIn("Zhao Wenquan", karamay.summary_en + karamay.outcomes_en)
        self.assertEqual([n.date.isoformat() for n in karamay.related_news.all()], ["2023-01-30"])
        # and the news page shows its delegation
        self.assertIn(march.title_de, self.client.get(url_in(march.related_news.get(), "de")).content.decode())

    def test_names_are_the_same_wherever_they_recur(self):
        texts = {
            lang: " ".join(
                getattr(p, f"{f}_{lang.replace('-', '_')}") or ""
                for p in Page.objects.filter(depth__gte=2).specific()
                for f in ("title", "summary", "body")
                if hasattr(p, f"{f}_en")
            )
            for lang in LANGUAGES
        }
        self.assertIn("两江新区", texts["zh-hans"])
        self.assertIn("Neues Gebiet Liangjiang", texts["de"])
        self.assertIn("Новый район Лянцзян", texts["ru"])
        self.assertNotIn("Лянцзянский новый район", texts["ru"])

    def test_search_index_was_updated(self):
        results = Page.objects.live().search("Karamay")
        self.assertTrue(len(results) >= 1)

    def test_reloading_changes_nothing(self):
        before = snapshot()
        report = load_all(FIXTURES)
        self.assertEqual(report.created, [])
        self.assertEqual(report.updated, [])
        self.assertEqual(snapshot(), before)

    def test_editing_then_reloading_restores_the_fixture(self):
        news = NewsPage.objects.get(date="2021-04-12")
        news.title_de = "Bearbeitet"
        news.save_revision().publish()
        report = load_all(FIXTURES)
        self.assertEqual(report.updated, ["xinwen/" + news.slug_zh_hans])
        news.refresh_from_db()
        self.assertNotEqual(news.title_de, "Bearbeitet")

    def test_export_round_trip(self):
        exported = export_all()
        for name, document in exported.items():
            self.assertEqual(json.loads((FIXTURES / name).read_text(encoding="utf-8")), document, name)

    def test_export_files_are_byte_identical(self):
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            write_all(Path(tmp))
            for name in ["site.json", "zones.json", "news.json", "delegations.json"]:
                self.assertEqual((Path(tmp) / name).read_bytes(), (FIXTURES / name).read_bytes(), name)


class FreshDatabaseRoundTripTests(TestCase):
    """export → load into a fresh database → export again gives identical files."""

    def test_round_trip_through_a_fresh_database(self):
        import tempfile

        load_all(FIXTURES)
        with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second:
            write_all(Path(first))
            # back to a fresh database: no site, no pages but the root, no topics
            Site.objects.all().delete()
            for page in Page.objects.filter(depth=2):
                page.delete()
            Topic.objects.all().delete()
            Revision.objects.all().delete()
            load_all(Path(first))
            write_all(Path(second))
            for name in sorted(p.name for p in Path(first).iterdir()):
                self.assertEqual((Path(first) / name).read_bytes(), (Path(second) / name).read_bytes(), name)


class BrokenFixtureTests(TestCase):
    """A broken fixture stops the load with an error naming the file and object, and changes nothing."""

    def broken_copy(self, tmp: Path, name: str, edit) -> Path:
        for file in FIXTURES.glob("*.json"):
            shutil.copy(file, tmp / file.name)
        if callable(edit):
            document = json.loads((tmp / name).read_text(encoding="utf-8"))
            edit(document)
            (tmp / name).write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        else:
            (tmp / name).write_text(edit, encoding="utf-8")
        return tmp

    def assert_fails_cleanly(self, name, edit, *expected):
        import tempfile

        for preloaded in (False, True):
            with self.subTest(preloaded=preloaded), tempfile.TemporaryDirectory() as tmp:
                if preloaded:
                    load_all(FIXTURES)
                before = snapshot()
                directory = self.broken_copy(Path(tmp), name, edit)
                # an earlier file also changes, to prove the whole load is one transaction
                site = json.loads((directory / "site.json").read_text(encoding="utf-8"))
                site["pages"][0]["fields"]["title"]["en"] = "Changed before the error"
                if name != "site.json":
                    (directory / "site.json").write_text(json.dumps(site, ensure_ascii=False), encoding="utf-8")
                with self.assertRaises(FixtureError) as caught:
                    load_all(directory)
                message = str(caught.exception)
                self.assertIn(name, message)
                for text in expected:
                    self.assertIn(text, message)
                self.assertEqual(snapshot(), before)
                self.assertFalse(Page.objects.filter(title_en="Changed before the error").exists())
                # the command says the same, in words for a person
                with self.assertRaises(CommandError) as command_error:
                    call_command("load_initial_data", directory=str(directory), stdout=StringIO())
                self.assertIn("Nothing was loaded", str(command_error.exception))
                self.assertIn(name, str(command_error.exception))
                self.assertEqual(snapshot(), before)
            if preloaded:
                break

    def first_news(self, document):
        return document["pages"][0]

    def test_bad_json(self):
        self.assert_fails_cleanly("news.json", '{"pages": [ {"key": "x",, }', "invalid JSON", "line 1")

    def test_missing_parent(self):
        def edit(document):
            self.first_news(document)["parent"] = "no-such-index"

        self.assert_fails_cleanly("news.json", edit, "parent 'no-such-index'", self.first_key("news.json"))

    def test_unknown_field(self):
        def edit(document):
            self.first_news(document)["fields"]["colour"] = "blue"

        self.assert_fails_cleanly("news.json", edit, "unknown field 'colour'", self.first_key("news.json"))

    def test_wrong_language_code(self):
        def edit(document):
            fields = self.first_news(document)["fields"]
            fields["summary"]["fr"] = fields["summary"].pop("de")

        self.assert_fails_cleanly(
            "news.json", edit, "unknown language code(s) fr", "'summary'", self.first_key("news.json")
        )

    def test_unknown_link_target(self):
        def edit(document):
            document["pages"][0]["links"]["host_zone"] = "yuanqu/nowhere"

        self.assert_fails_cleanly(
            "delegations.json", edit, "unknown page 'yuanqu/nowhere'", self.first_key("delegations.json")
        )

    def test_invalid_value(self):
        def edit(document):
            self.first_news(document)["fields"]["date"] = "30 January"

        self.assert_fails_cleanly("news.json", edit, "'date'", self.first_key("news.json"))

    def first_key(self, name):
        return json.loads((FIXTURES / name).read_text(encoding="utf-8"))["pages"][0]["key"]


class CommandTests(TestCase):
    def test_load_initial_data_and_demo_users(self):
        out = StringIO()
        call_command("load_initial_data", stdout=out)
        self.assertIn("created", out.getvalue())
        call_command("create_demo_users", stdout=out)
        from django.contrib.auth import get_user_model

        admin = get_user_model().objects.get(username="admin")
        self.assertTrue(admin.is_superuser and admin.check_password("changeme"))
        translator = get_user_model().objects.get(username="translator-de")
        self.assertEqual(list(translator.groups.values_list("name", flat=True)), ["Translators – Deutsch"])
        self.assertTrue(translator.check_password("changeme"))
        call_command("create_demo_users", stdout=out)
        self.assertEqual(get_user_model().objects.count(), 5, "a second run creates nobody")
        out = StringIO()
        call_command("load_initial_data", stdout=out)
        self.assertIn("0 created, 0 updated", out.getvalue())

    def test_demo_users_refused_outside_development(self):
        with self.settings(PORTAL_CREATE_DEMO_USERS=False), self.assertRaises(CommandError):
            call_command("create_demo_users", stdout=StringIO())


class SanitisedFixtureTests(TestCase):
    def test_rich_text_from_fixtures_is_cleaned(self):
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            for file in FIXTURES.glob("*.json"):
                shutil.copy(file, Path(tmp) / file.name)
            document = json.loads((Path(tmp) / "news.json").read_text(encoding="utf-8"))
            document["pages"][0]["fields"]["body"]["en"] = (
                '<p onclick="steal()">Safe text <a href="javascript:alert(1)">link</a></p><script>alert(2)</script>'
            )
            (Path(tmp) / "news.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
            load_all(Path(tmp))
            body = NewsPage.objects.get(slug_zh_hans=document["pages"][0]["fields"]["slug"]["zh-hans"]).body_en
        self.assertIn("Safe text", body)
        for bad in ("onclick", "javascript:", "<script", "alert(2)"):
            self.assertNotIn(bad, body)
