"""The Translations report, its CSV, the confirm action, and status in the editor and listing."""

import csv
import io
from html import escape
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import TestCase

from wagtail.models import Page, Revision
from wagtail.users.models import UserProfile

from news.models import NewsPage
from portal.fixtures import load_all
from portal.l10n import report
from portal.l10n.models import TranslationStatus
from portal.l10n.permissions import TRANSLATOR_GROUPS


class ReportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_all(Path(settings.FIXTURE_DIRS[0]))
        cls.admin = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw")
        UserProfile.get_for_user(cls.admin).__class__.objects.filter(user=cls.admin).update(preferred_language="en")
        cls.news = NewsPage.objects.get(date="2021-04-12")
        cls.other = NewsPage.objects.get(date="2023-01-30")
        cls.russian = get_user_model().objects.create_user("ru-translator", password="pw")
        cls.russian.groups.add(Group.objects.get(name=TRANSLATOR_GROUPS["ru"]))

    def setUp(self):
        self.client.force_login(self.admin)

    def get(self, **params):
        response = self.client.get("/admin/translations/", params)
        self.assertEqual(response.status_code, 200)
        return response

    def test_seed_site_is_complete_in_every_language(self):
        response = self.get()
        for lang in response.context["summary"]:
            self.assertEqual(lang["percent"], 100.0, lang["code"])
            self.assertEqual(lang["counts"]["missing"] + lang["counts"]["outdated"], 0)
        # pages are named in the admin user's language (English here)
        self.assertContains(response, f'lang="en">{escape(self.news.title_en)}</a>', html=False)

    def test_missing_and_outdated_show_with_their_fields(self):
        page = self.news.get_latest_revision_as_object()
        page.summary_de = ""
        page.title_zh_hans = page.title_zh_hans + "（修订）"
        page.save_revision()
        response = self.get(language="de")
        de = next(lang for lang in response.context["summary"] if lang["code"] == "de")
        self.assertLess(de["percent"], 100.0)
        html = response.content.decode()
        self.assertIn("l10n-state--missing", html)
        missing = self.get(language="de", state="missing").context["table"]
        self.assertEqual([row.page.pk for row in missing], [self.news.pk])
        self.assertIn("Summary", missing[0].cells[0]["missing"])
        outdated = self.get(language="ru", state="outdated").context["table"]
        self.assertEqual([row.page.pk for row in outdated], [self.news.pk])
        self.assertEqual([key for key, _label in outdated[0].cells[0]["outdated"]], ["title"])
        self.assertEqual(self.get(language="en", state="missing").context["table"], [])

    def test_filters_by_type_and_section(self):
        news_rows = self.get(type="news").context["table"]
        self.assertEqual({type(r.page).__name__ for r in news_rows}, {"NewsPage"})
        self.assertEqual(len(news_rows), NewsPage.objects.count())
        zones_index = Page.objects.get(depth=3, url_path_en__endswith="/zones/")
        section_rows = self.get(section=zones_index.pk).context["table"]
        self.assertTrue(all(r.page.path.startswith(zones_index.path) for r in section_rows))
        self.assertGreater(len(section_rows), 5)

    def test_bad_filters_get_a_message(self):
        for params in (
            {"language": "fr"},
            {"state": "broken"},
            {"type": "x"},
            {"section": "abc"},
            {"section": "99999"},
            {"page": "-3"},
        ):
            with self.subTest(params=params):
                response = self.get(**params)
                if "page" not in params:
                    self.assertContains(response, 'role="alert"')

    def test_csv_download(self):
        response = self.client.get("/admin/translations/", {"format": "csv"})
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        self.assertEqual(len(rows), TranslationStatus.objects.count())
        self.assertEqual(
            set(rows[0]),
            {"page_id", "title", "type", "path", "language", "state", "filled", "expected", "missing", "outdated"}
            | {"live"},
        )
        only_de = list(
            csv.DictReader(
                io.StringIO(
                    self.client.get("/admin/translations/", {"format": "csv", "language": "de"}).content.decode(
                        "utf-8-sig"
                    )
                )
            )
        )
        self.assertEqual({r["language"] for r in only_de}, {"de"})

    def test_csv_cells_never_start_a_formula(self):
        titles = {
            '=HYPERLINK("https://evil.example/","x")': "'=HYPERLINK(",
            "+1+1": "'+1+1",
            "-2+3": "'-2+3",
            "@SUM(A1)": "'@SUM(A1)",
            "\tTab": "'\tTab",
            "\rCR": "'\rCR",
        }
        for title, expected in titles.items():
            Page.objects.filter(pk=self.news.pk).update(draft_title=title)
            response = self.client.get("/admin/translations/", {"format": "csv", "language": "de"})
            rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
            [row] = [r for r in rows if r["page_id"] == str(self.news.pk)]
            self.assertTrue(row["title"].startswith(expected), (title, row["title"]))
        self.assertEqual(report.spreadsheet_safe("Plain – text"), "Plain – text")
        self.assertEqual(report.spreadsheet_safe(12), 12, "numbers stay numbers")

    def test_confirm_goes_back_only_to_this_site(self):
        page = self.news.get_latest_revision_as_object()
        page.summary_zh_hans = "新摘要"
        page.save_revision()
        url = f"/admin/translations/confirm/{self.news.pk}/ru/"
        for hostile in ("//evil.example/x", "https://evil.example/x", "/\\evil.example/x", "javascript:alert(1)"):
            response = self.client.post(url, {"next": hostile})
            self.assertEqual((response.status_code, response["Location"]), (302, "/admin/translations/"), hostile)
        response = self.client.post(url, {"next": "/admin/translations/?language=ru"})
        self.assertEqual(response["Location"], "/admin/translations/?language=ru")

    def test_confirm_clears_outdated_and_respects_languages(self):
        page = self.news.get_latest_revision_as_object()
        page.summary_zh_hans = "新摘要"
        page.save_revision()
        self.assertEqual(TranslationStatus.objects.get(page=self.news, language="de").state, "outdated")
        self.client.force_login(self.russian)
        refused = self.client.post(f"/admin/translations/confirm/{self.news.pk}/de/")
        self.assertEqual(
            (refused.status_code, refused["Location"]), (302, "/admin/"), "the admin's permission-denied redirect"
        )
        self.assertEqual(TranslationStatus.objects.get(page=self.news, language="de").state, "outdated")
        response = self.client.post(f"/admin/translations/confirm/{self.news.pk}/ru/", {"next": "/admin/translations/"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(TranslationStatus.objects.get(page=self.news, language="ru").state, "complete")
        self.assertEqual(TranslationStatus.objects.get(page=self.news, language="de").state, "outdated")
        self.assertEqual(self.client.get(f"/admin/translations/confirm/{self.news.pk}/ru/").status_code, 302)

    def test_editor_and_listing_show_the_state(self):
        page = self.news.get_latest_revision_as_object()
        page.summary_ru = ""
        page.save_revision()
        edit = self.client.get(f"/admin/pages/{self.news.pk}/edit/").content.decode()
        self.assertIn("l10n-panel", edit)
        listing = self.client.get(f"/admin/pages/{self.news.get_parent().pk}/").content.decode()
        self.assertIn("RU ✗", listing)
        self.assertIn("DE ✓", listing)

    def test_translators_can_open_the_report(self):
        self.client.force_login(self.russian)
        response = self.get()
        self.assertEqual(response.context["translator_languages"], ["Русский"])


class XliffAdminTests(TestCase):
    """Download from the report, upload back in the admin."""

    @classmethod
    def setUpTestData(cls):
        load_all(Path(settings.FIXTURE_DIRS[0]))
        cls.admin = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw")
        cls.german = get_user_model().objects.create_user("de-translator", password="pw")
        cls.german.groups.add(Group.objects.get(name=TRANSLATOR_GROUPS["de"]))
        UserProfile.get_for_user(cls.german).__class__.objects.filter(user=cls.german).update(preferred_language="de")
        cls.news = NewsPage.objects.get(date="2021-04-12")

    def download(self, **params):
        return self.client.get("/admin/translations/xliff/", params)

    def test_download_follows_the_filters(self):
        self.client.force_login(self.german)
        response = self.download(language="de", type="news")
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        import xml.etree.ElementTree as ET

        root = ET.fromstring(response.content)
        files = root.findall("{urn:oasis:names:tc:xliff:document:1.2}file")
        self.assertEqual(len(files), NewsPage.objects.count())
        self.assertEqual({f.get("target-language") for f in files}, {"de"})
        refused = self.download(language="ru")
        self.assertEqual((refused.status_code, refused["Location"]), (302, "/admin/"))
        own = self.download()
        self.assertEqual(own.status_code, 200, "no language: the translator's own")
        self.assertIn('target-language="de"', own.content.decode())
        self.client.force_login(self.admin)
        self.assertEqual(self.download().status_code, 302, "no language: back to the report with a message")

    def test_upload_writes_a_draft_revision(self):
        self.client.force_login(self.german)
        data = self.download(language="de", type="news").content.decode()
        old = self.news.title_de
        self.assertIn(f">{old}</target>", data)
        changed = data.replace(f">{old}</target>", ">Titel von der Agentur</target>", 1)
        self.assertNotEqual(changed, data)
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("work.xlf", changed.encode(), content_type="application/xml")
        response = self.client.post("/admin/translations/xliff/import/", {"file": upload, "publish": "1"}, follow=True)
        self.assertEqual(response.status_code, 200)
        draft = NewsPage.objects.get(pk=self.news.pk).get_latest_revision_as_object()
        self.assertEqual(draft.title_de, "Titel von der Agentur")
        self.assertEqual(NewsPage.objects.get(pk=self.news.pk).title_de, old, "a translator's import is a draft")

    def test_translator_cannot_upload_another_language(self):
        self.client.force_login(self.admin)
        data = self.download(language="ru", type="news").content
        self.client.force_login(self.german)
        from django.core.files.uploadedfile import SimpleUploadedFile

        response = self.client.post(
            "/admin/translations/xliff/import/", {"file": SimpleUploadedFile("ru.xlf", data)}, follow=True
        )
        self.assertContains(response, "nicht importiert")


class XliffUploadSafetyTests(TestCase):
    """An upload is checked before anything is written, and a hostile file gets messages, not a 500."""

    @classmethod
    def setUpTestData(cls):
        load_all(Path(settings.FIXTURE_DIRS[0]))
        cls.admin = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw")
        UserProfile.get_for_user(cls.admin).__class__.objects.filter(user=cls.admin).update(preferred_language="en")
        cls.two_languages = get_user_model().objects.create_user("de-ru", password="pw")
        cls.two_languages.groups.add(
            Group.objects.get(name=TRANSLATOR_GROUPS["de"]), Group.objects.get(name=TRANSLATOR_GROUPS["ru"])
        )
        UserProfile.get_for_user(cls.two_languages).__class__.objects.filter(user=cls.two_languages).update(
            preferred_language="en"
        )
        cls.news = NewsPage.objects.get(date="2021-04-12")

    def export(self, language: str) -> str:
        self.client.force_login(self.admin)
        return self.client.get("/admin/translations/xliff/", {"language": language, "type": "news"}).content.decode()

    def upload(self, data: str):
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("work.xlf", data.encode(), content_type="application/xml")
        return self.client.post("/admin/translations/xliff/import/", {"file": upload}, follow=True)

    def revisions(self) -> int:
        return Revision.objects.count()

    def test_translator_of_two_languages_cannot_import_a_third(self):
        old = self.news.title_en
        data = self.export("en").replace(f">{old}</target>", ">Hijacked English title</target>", 1)
        self.client.force_login(self.two_languages)
        before = self.revisions()
        response = self.upload(data)
        self.assertEqual(self.revisions(), before, "no revision is saved")
        self.assertEqual(NewsPage.objects.get(pk=self.news.pk).get_latest_revision_as_object().title_en, old)
        self.assertContains(response, "The file was not imported")
        self.assertContains(response, "English")
        # their own languages still import
        ok = self.export("ru").replace(f">{self.news.title_ru}</target>", ">Новый заголовок</target>", 1)
        self.client.force_login(self.two_languages)
        self.upload(ok)
        self.assertEqual(
            NewsPage.objects.get(pk=self.news.pk).get_latest_revision_as_object().title_ru, "Новый заголовок"
        )

    def test_hostile_upload_is_reported_unit_by_unit(self):
        data = self.export("de")
        old = self.news.title_de
        data = data.replace(f">{old}</target>", ">Neuer Titel</target>", 1)
        nested = "".join(f'<g id="{i}">' for i in range(5000)) + "tief" + "</g>" * 5000
        target = f'<target xml:lang="de" state="translated">{nested}</target>'
        other = NewsPage.objects.exclude(pk=self.news.pk).order_by("path").last()
        unit = f'id="{other.pk}:summary"'
        start = data.index("<target", data.index(unit))
        end = data.index("</target>", start) + len("</target>")
        data = data[:start] + target + data[end:]
        link = '&lt;p&gt;&lt;a linktype="page" id="1 onerror=x"&gt;Link&lt;/a&gt;&lt;/p&gt;'
        unit = f'id="{other.pk}:body"'
        start = data.index("<target", data.index(unit))
        end = data.index("</target>", start) + len("</target>")
        data = data[:start] + f'<target xml:lang="de" state="translated">{link}</target>' + data[end:]
        response = self.upload(data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f"{other.pk}:summary: markup nested deeper than")
        draft = NewsPage.objects.get(pk=other.pk).get_latest_revision_as_object()
        self.assertEqual(draft.body_de, "<p>Link</p>")
        self.assertEqual(NewsPage.objects.get(pk=self.news.pk).get_latest_revision_as_object().title_de, "Neuer Titel")


class PageRightsTests(TestCase):
    """The report, its CSV and the XLIFF export and import show and change only pages the user may edit."""

    @classmethod
    def setUpTestData(cls):
        from django.contrib.auth.models import Permission

        from wagtail.models import GroupPagePermission

        from zones.models import ZonePage

        load_all(Path(settings.FIXTURE_DIRS[0]))
        cls.news = NewsPage.objects.get(date="2021-04-12")
        cls.zone = ZonePage.objects.get(title_en__contains="(SCODA)")
        access_admin = Permission.objects.get(codename="access_admin")
        cls.nobody = get_user_model().objects.create_user("nobody", password="pw")
        cls.nobody.user_permissions.add(access_admin)
        cls.zones = get_user_model().objects.create_user("zones-only", password="pw")
        cls.zones.user_permissions.add(access_admin)
        group = Group.objects.create(name="Zone editors")
        GroupPagePermission.objects.create(
            group=group, page=cls.zone.get_parent(), permission=Permission.objects.get(codename="change_page")
        )
        cls.zones.groups.add(group)
        for user in (cls.nobody, cls.zones):
            UserProfile.get_for_user(user).__class__.objects.filter(user=user).update(preferred_language="en")
        # a draft title nobody outside the news section should read
        draft = cls.news.get_latest_revision_as_object()
        draft.title_zh_hans = "未发布的草稿标题"
        draft.title_de = "Geheimer Entwurfstitel"
        draft.save_revision()

    def xliff(self, user, language="de"):
        self.client.force_login(user)
        return self.client.get("/admin/translations/xliff/", {"language": language}).content.decode()

    def test_export_holds_only_pages_the_user_may_edit(self):
        self.assertNotIn(f'original="page/{self.news.pk}"', self.xliff(self.nobody))
        self.assertNotIn("Geheimer Entwurfstitel", self.xliff(self.nobody))
        data = self.xliff(self.zones)
        self.assertIn(f'original="page/{self.zone.pk}"', data)
        self.assertNotIn(f'original="page/{self.news.pk}"', data)
        self.assertNotIn("Geheimer Entwurfstitel", data)

    def test_report_and_csv_list_only_pages_the_user_may_edit(self):
        self.client.force_login(self.zones)
        response = self.client.get("/admin/translations/")
        self.assertEqual(response.status_code, 200)
        shown = {row.page.pk for row in response.context["table"]}
        self.assertIn(self.zone.pk, shown)
        self.assertNotIn(self.news.pk, shown)
        self.assertNotContains(response, "未发布的草稿标题")
        rows = list(
            csv.reader(
                io.StringIO(self.client.get("/admin/translations/", {"format": "csv"}).content.decode("utf-8-sig"))
            )
        )
        ids = {int(row[0]) for row in rows[1:]}
        self.assertIn(self.zone.pk, ids)
        self.assertNotIn(self.news.pk, ids)
        self.client.force_login(self.nobody)
        self.assertEqual(self.client.get("/admin/translations/").context["table"], [])
        self.assertEqual(
            len(self.client.get("/admin/translations/", {"format": "csv"}).content.decode().splitlines()), 1
        )

    def test_import_refuses_pages_the_user_may_not_edit(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from portal.l10n.xliff import export_xliff

        data = export_xliff("de", page_ids=[self.news.pk, self.zone.pk]).decode()
        data = data.replace(">Geheimer Entwurfstitel</target>", ">Überschrieben</target>", 1)
        old_zone = self.zone.title_de
        data = data.replace(f">{old_zone}</target>", ">Zonentitel</target>", 1)
        self.client.force_login(self.zones)
        before = Revision.page_revisions.filter(object_id=str(self.news.pk)).count()
        response = self.client.post(
            "/admin/translations/xliff/import/", {"file": SimpleUploadedFile("de.xlf", data.encode())}, follow=True
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f"{self.news.pk}:title: you may not edit page {self.news.pk}")
        self.assertEqual(Revision.page_revisions.filter(object_id=str(self.news.pk)).count(), before)
        self.assertEqual(
            NewsPage.objects.get(pk=self.news.pk).get_latest_revision_as_object().title_de, "Geheimer Entwurfstitel"
        )
        from zones.models import ZonePage

        self.assertEqual(ZonePage.objects.get(pk=self.zone.pk).get_latest_revision_as_object().title_de, "Zonentitel")
