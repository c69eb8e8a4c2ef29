"""The seed content: what the fixtures hold, loading them, failing safely, exporting them back."""

import json
import re
import shutil
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase

from wagtail.models import Page, PageViewRestriction, Revision, Site

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
        "restrictions": list(
            PageViewRestriction.objects.order_by("pk").values_list("page_id", "restriction_type", "password")
        ),
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


class PrivacyRoundTripTests(TestCase):
    """Privacy survives export → load into a fresh database; drafts and pages not live are reported."""

    PASSWORD = "Zq9-never-in-a-file"

    def private_pages(self):
        news = list(NewsPage.objects.order_by("date"))
        return {
            "login": news[0],
            "password": news[1],
            "groups": zone("(SCODA)"),  # with its branch parks below it
            "unpublished": news[2],
            "draft": news[3],
        }

    def make_private(self):
        pages = self.private_pages()
        PageViewRestriction.objects.create(page=pages["login"], restriction_type=PageViewRestriction.LOGIN)
        PageViewRestriction.objects.create(
            page=pages["password"], restriction_type=PageViewRestriction.PASSWORD, password=self.PASSWORD
        )
        groups = PageViewRestriction.objects.create(page=pages["groups"], restriction_type=PageViewRestriction.GROUPS)
        groups.groups.set(Group.objects.filter(name__in=["Editors", "Moderators"]))
        pages["unpublished"].unpublish()
        draft = pages["draft"]
        draft.title_en = "An unpublished change"
        draft.save_revision()
        return {name: keys_of(page) for name, page in pages.items()}

    def wipe(self):
        Site.objects.all().delete()
        for page in Page.objects.filter(depth=2):
            page.delete()
        Topic.objects.all().delete()
        Revision.objects.all().delete()

    def test_private_pages_stay_private_through_a_fresh_database(self):
        import tempfile

        load_all(FIXTURES)
        keys = self.make_private()
        with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second:
            warnings = []
            write_all(Path(first), warnings=warnings)
            text = "\n".join(p.read_text(encoding="utf-8") for p in Path(first).glob("*.json"))
            self.assertNotIn(self.PASSWORD, text)
            news = {spec["key"]: spec for spec in json.loads((Path(first) / "news.json").read_text())["pages"]}
            zones = {spec["key"]: spec for spec in json.loads((Path(first) / "zones.json").read_text())["pages"]}
            self.assertEqual(news[keys["login"]]["privacy"], {"restriction": "login"})
            self.assertEqual(news[keys["password"]]["privacy"], {"restriction": "password"})
            self.assertEqual(
                zones[keys["groups"]]["privacy"], {"restriction": "groups", "groups": ["Editors", "Moderators"]}
            )
            self.assertNotIn(keys["unpublished"], news)
            self.assertNotIn("An unpublished change", text)
            said = "\n".join(warnings)
            for name, words in (("password", "password"), ("unpublished", "not live"), ("draft", "unpublished")):
                self.assertRegex(said, f"{re.escape(keys[name])}[^\n]*{words}")

            self.wipe()
            report = load_all(Path(first))
            restrictions = {r.page.specific: r for r in PageViewRestriction.objects.select_related("page")}
            by_key = {keys_of(page): r for page, r in restrictions.items()}
            self.assertEqual(set(by_key), {keys["login"], keys["password"], keys["groups"]})
            self.assertEqual(by_key[keys["login"]].restriction_type, "login")
            self.assertEqual(by_key[keys["groups"]].restriction_type, "groups")
            self.assertEqual(
                sorted(by_key[keys["groups"]].groups.values_list("name", flat=True)), ["Editors", "Moderators"]
            )
            # the password was not kept: a new one nobody knows, and the load says so
            password = by_key[keys["password"]]
            self.assertEqual(password.restriction_type, "password")
            self.assertNotEqual(password.password, self.PASSWORD)
            self.assertGreaterEqual(len(password.password), 20)
            self.assertRegex("\n".join(report.warnings), f"{re.escape(keys['password'])}[^\n]*password")

            # an anonymous visitor finds none of them, nor what lies below the private zone
            scoda = zone("(SCODA)")
            branch = scoda.get_children().first()
            news_index = NewsPage.objects.get(pk=by_key[keys["login"]].page_id).get_parent()
            for lang in LANGUAGES:
                self.assertEqual(self.client.get(url_in(scoda, lang)).status_code, 302)
                self.assertEqual(self.client.get(url_in(branch, lang)).status_code, 302)
                listing = self.client.get(url_in(news_index, lang)).content.decode()
                for key in (keys["login"], keys["password"]):
                    page = Page.objects.get(pk=by_key[key].page_id)
                    self.assertNotIn(f'href="{url_in(page, lang)}"', listing)
                zones_html = self.client.get(url_in(scoda.get_parent(), lang)).content.decode()
                self.assertNotIn(f'href="{url_in(branch, lang)}"', zones_html)

            # export again: the same files; load again: nothing changes, nothing to warn about
            write_all(Path(second))
            for name in sorted(p.name for p in Path(first).iterdir()):
                self.assertEqual((Path(first) / name).read_bytes(), (Path(second) / name).read_bytes(), name)
            report = load_all(Path(first))
            self.assertEqual((report.created, report.updated, report.warnings), ([], [], []))
            self.assertEqual(PageViewRestriction.objects.get(pk=password.pk).password, password.password)

    def test_loading_never_makes_a_private_page_public(self):
        load_all(FIXTURES)
        page = self.private_pages()["login"]
        PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
        report = load_all(FIXTURES)
        self.assertTrue(PageViewRestriction.objects.filter(page=page).exists())
        self.assertRegex("\n".join(report.warnings), f"{re.escape(keys_of(page))}[^\n]*private")

    def test_the_commands_say_what_is_not_kept(self):
        import tempfile

        load_all(FIXTURES)
        keys = self.make_private()
        with tempfile.TemporaryDirectory() as tmp:
            out, err = StringIO(), StringIO()
            call_command("export_fixtures", directory=tmp, stdout=out, stderr=err)
            for name in ("password", "unpublished", "draft"):
                self.assertIn(keys[name], err.getvalue())
            self.wipe()
            out, err = StringIO(), StringIO()
            call_command("load_initial_data", directory=tmp, stdout=out, stderr=err)
            self.assertIn(keys["password"], err.getvalue())
            self.assertIn("WARNING", err.getvalue())


def keys_of(page) -> str:
    from portal.fixtures import KeyIndex, find_home

    return KeyIndex(find_home()).key_for(page)


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

    def test_nul_and_other_control_characters_in_a_text(self):
        """PostgreSQL cannot store NUL: it gave a raw DataError. Every control character but tab and
        line breaks is refused up front, wherever it is (a text, a link, a key), on every database."""
        key = self.first_key("news.json")

        def nul_in_summary(document):
            self.first_news(document)["fields"]["summary"]["en"] = "Trade\u0000 grows"

        self.assert_fails_cleanly("news.json", nul_in_summary, key, "summary", "U+0000")

        def bell_in_topic_link(document):
            self.first_news(document)["links"]["topics"] = ["trade\u0007"]

        self.assert_fails_cleanly("news.json", bell_in_topic_link, key, "topics", "U+0007")

        def nul_in_key(document):
            self.first_news(document)["key"] += "\u0000"

        self.assert_fails_cleanly("news.json", nul_in_key, "U+0000", "\\u0000")

        def nul_in_topic(document):
            document["topics"][0]["name"]["de"] = "\u0000"

        self.assert_fails_cleanly("site.json", nul_in_topic, "topic", "U+0000")

    def test_line_breaks_and_tabs_are_text(self):
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:

            def edit(document):
                self.first_news(document)["fields"]["summary"]["en"] = "Line one\r\nLine\ttwo"

            load_all(self.broken_copy(Path(tmp), "news.json", edit))
        self.assertTrue(NewsPage.objects.filter(summary_en="Line one\r\nLine\ttwo").exists())

    def test_a_value_too_long_for_its_column(self):
        """A topic name over 100 characters: a raw DataError on PostgreSQL, stored as it is on SQLite."""

        def edit(document):
            document["topics"][0]["name"]["en"] = "x" * 101

        self.assert_fails_cleanly("site.json", edit, "topic", "'name'")

    def test_a_database_error_names_the_file_and_the_page(self):
        """Whatever the database still refuses is reported like the other errors (no raw DataError)."""
        from unittest import mock

        from django.db import DataError

        from portal.fixtures import Loader

        key = self.first_key("news.json")
        original = Loader.apply

        def refuse_news(loader, page, spec, where):
            if spec["fields"].get("summary", {}).get("en") == "Changed, so that it is applied":
                raise DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
            return original(loader, page, spec, where)

        def edit(document):
            self.first_news(document)["fields"]["summary"]["en"] = "Changed, so that it is applied"

        with mock.patch.object(Loader, "apply", refuse_news):
            self.assert_fails_cleanly("news.json", edit, key, "the database refused", "NUL")

    def test_rich_text_nested_too_deeply(self):
        """Markup nested deeper than the cleaner's recursion gave a raw RecursionError; now an error naming
        the file, the page and the field, and nothing is loaded."""
        key = self.first_key("news.json")
        for opening, closing in [("<b>", "</b>"), ("<ul><li>", "</li></ul>")]:

            def edit(document, opening=opening, closing=closing):
                self.first_news(document)["fields"]["body"]["en"] = f"<p>{opening * 3000}deep{closing * 3000}</p>"

            with self.subTest(opening):
                self.assert_fails_cleanly("news.json", edit, key, "'body' [en]", "nested too deeply")
        # JSON deeper than json.loads goes (a raw RecursionError too)
        nested = '{"pages": [' + "[" * 100_000 + "]" * 100_000 + "]}"
        self.assert_fails_cleanly("news.json", nested, "JSON is nested too deeply")

    def test_privacy_that_cannot_be_loaded(self):
        def unknown_group(document):
            self.first_news(document)["privacy"] = {"restriction": "groups", "groups": ["Nobody's group"]}

        self.assert_fails_cleanly("news.json", unknown_group, self.first_key("news.json"), "Nobody's group")

        def password_in_clear(document):
            self.first_news(document)["privacy"] = {"restriction": "password", "password": "hunter2"}

        self.assert_fails_cleanly("news.json", password_in_clear, self.first_key("news.json"), "password")

        def unknown_kind(document):
            self.first_news(document)["privacy"] = {"restriction": "secret"}

        self.assert_fails_cleanly("news.json", unknown_kind, self.first_key("news.json"), "'secret'")

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
        from wagtail.users.models import UserProfile

        # each translator sees the admin in their own language (a code WAGTAILADMIN_PERMITTED_LANGUAGES has)
        languages = {
            name: UserProfile.get_for_user(get_user_model().objects.get(username=name)).preferred_language
            for name in ("translator-zh", "translator-en", "translator-de", "translator-ru")
        }
        expected = {"translator-zh": "zh-hans", "translator-en": "en", "translator-de": "de", "translator-ru": "ru"}
        self.assertEqual(languages, expected)
        self.assertLessEqual(set(expected.values()), dict(settings.WAGTAILADMIN_PERMITTED_LANGUAGES).keys())
        self.assertEqual(UserProfile.get_for_user(admin).preferred_language, "", "the admin follows the browser")
        for name, code in expected.items():
            self.client.force_login(get_user_model().objects.get(username=name))
            self.assertIn(f'<html lang="{code}"', self.client.get("/admin/").content.decode(), name)
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
