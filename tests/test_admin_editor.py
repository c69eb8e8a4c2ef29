"""The page editor and the admin around it: slugs, one-line texts, page names in the admin user's
language, the translations report's defaults and drafts, and the newcomer's documentation."""

import csv
import io
import os
import re
import shutil
import subprocess
import sys
from html import escape
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from wagtail.admin.widgets import AdminAutoHeightTextInput
from wagtail.test.utils.form_data import querydict_from_html, rich_text
from wagtail.users.models import UserProfile

import pytest

from news.models import NewsPage
from portal import i18n
from portal.fixtures import load_all
from portal.l10n.permissions import TRANSLATOR_GROUPS
from tests.factories import build_site
from tests.helpers import form_data

ROOT = Path(__file__).resolve().parent.parent
TITLE_2024 = "2024年上合示范区经贸洽谈会"
SLUG_2024 = "2024-nian-shang-he-shi-fan-qu-jing-mao-qia-tan-hui"


def prefer(user, language: str) -> None:
    """`user`'s Wagtail admin language (Account → Preferred language)."""
    UserProfile.get_for_user(user).__class__.objects.filter(user=user).update(preferred_language=language)


# --- The slug rule (portal/i18n.py) --------------------------------------------------------------


def test_chinese_title_with_digits_and_latin_letters_is_pinyin_whole():
    assert i18n.ascii_slug(TITLE_2024) == SLUG_2024
    assert i18n.ascii_slug("SCO峰会2025") == "sco-feng-hui-2025"
    assert i18n.ascii_slug("第21条国际班列") == "di-21-tiao-guo-ji-ban-lie"


def test_latin_and_german_titles():
    assert i18n.ascii_slug("Liangjiang New Area 2024") == "liangjiang-new-area-2024"
    assert i18n.ascii_slug("Neues Gebiet Größe") == "neues-gebiet-groesse"


def test_russian_is_the_one_scheme_the_fixtures_use():
    """Words of the fixtures' Russian titles, transliterated, are the words of their slugs: one scheme
    (ICAO: ц → ts, я → ia, й → i, х → kh) for the editor, the fixtures and every other way in."""
    import json

    pairs = {
        "Цзимунай": "tszimunai",
        "Линьи": "lini",
        "Карамай": "karamai",
        "Лянцзян": "liantszian",
        "ШОС": "shos",
        "Жэньминь жибао": "zhenmin-zhibao",
        "Чжан Синьчжу": "chzhan-sinchzhu",
        "Синьцзянский филиал": "sintszianskii-filial",
        "высоких технологий": "vysokikh-tekhnologii",
        "Главная": "glavnaia",
        "Новый район": "novyi-raion",
    }
    fixture_slugs = []
    for path in (ROOT / "fixtures").glob("*.json"):
        fixture_slugs += [page["fields"]["slug"]["ru"] for page in json.loads(path.read_text())["pages"]]
    for words, slug in pairs.items():
        assert i18n.ascii_slug(words) == slug
        assert any(slug in fixture_slug for fixture_slug in fixture_slugs), slug


def test_made_slugs_get_a_number_given_ones_do_not():
    taken = {"shang-he-shi-fan-qu", "shang-he-shi-fan-qu-2"}
    made = i18n.complete_slugs({"zh-hans": "上合师范区", "en": "", "de": "", "ru": ""}, {}, lambda code, slug: taken)
    assert made["zh-hans"] == "shang-he-shi-fan-qu-3"
    given = i18n.complete_slugs({"zh-hans": "上合师范区"}, {"zh-hans": "shang-he-shi-fan-qu"}, lambda code, slug: taken)
    assert given["zh-hans"] == "shang-he-shi-fan-qu", "the editor's own slug is theirs: the clash is shown"
    assert i18n.unique_slug("a", set()) == "a"


# --- The editor's form (portal/forms.py) ----------------------------------------------------------


class EditorTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=2)
        cls.editor = get_user_model().objects.create_superuser("editor", "editor@example.com", "pw")
        prefer(cls.editor, "en")
        cls.colleague = get_user_model().objects.create_superuser("colleague", "colleague@example.com", "pw")
        prefer(cls.colleague, "en")

    def setUp(self):
        self.client.force_login(self.editor)

    @property
    def add_url(self):
        return f"/admin/pages/add/news/newspage/{self.site['news_index'].pk}/"

    def form(self, url=None, **values):
        response = self.client.get(url or self.add_url)
        self.assertEqual(response.status_code, 200)
        data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
        data["date"] = "2024-05-01"
        data["summary_zh_hans"] = "摘要"
        data["body_zh_hans"] = rich_text("<p>正文</p>")
        for key, value in values.items():
            data[key] = value
        return form_data(data)

    def create(self, title, action="action-publish", **values):
        values.setdefault("title_zh_hans", title)
        values.setdefault("slug_zh_hans", "")
        if action:
            values[action] = "1"
        return self.client.post(self.add_url, self.form(**values))

    @staticmethod
    def draft(page):
        return NewsPage.objects.get(pk=page.pk).get_latest_revision_as_object()

    def test_chinese_title_with_digits_gets_the_whole_pinyin_slug(self):
        response = self.create(TITLE_2024)
        self.assertEqual(response.status_code, 302)
        page = NewsPage.objects.get(title_zh_hans=TITLE_2024)
        self.assertEqual(page.slug_zh_hans, SLUG_2024)
        self.assertEqual(page.slug_en, SLUG_2024, "no English title: the Chinese slug, as routing falls back")

    def test_russian_title_gets_the_fixtures_scheme(self):
        self.create("两江新区", title_ru="Новый район Лянцзян")
        page = NewsPage.objects.get(title_zh_hans="两江新区")
        self.assertEqual(page.slug_ru, "novyi-raion-liantszian")

    def test_two_titles_that_read_alike_never_clash(self):
        self.assertEqual(self.create("上合示范区会议").status_code, 302)
        self.assertEqual(self.create("上合师范区会议").status_code, 302)
        slugs = sorted(NewsPage.objects.filter(title_zh_hans__startswith="上合").values_list("slug_zh_hans", flat=True))
        self.assertEqual(slugs, ["shang-he-shi-fan-qu-hui-yi", "shang-he-shi-fan-qu-hui-yi-2"])

    def test_the_same_title_again_beside_a_forgotten_draft_is_saved_and_explained(self):
        # the draft Wagtail's autosave made when the editor first typed the title on "add page"
        self.assertEqual(self.create(TITLE_2024, action=None).status_code, 302)
        draft = NewsPage.objects.get(title_zh_hans=TITLE_2024)
        self.assertFalse(draft.live)
        response = self.create(TITLE_2024, action=None)
        self.assertEqual(response.status_code, 302, "saved, not 'This slug is already in use' ×8")
        page = NewsPage.objects.exclude(pk=draft.pk).get(title_zh_hans=TITLE_2024)
        self.assertEqual(page.slug_zh_hans, SLUG_2024 + "-2")
        shown = self.client.get(response["Location"]).content.decode()
        self.assertIn("Your earlier draft", shown)
        self.assertIn(f"/admin/pages/{draft.pk}/edit/", shown)

    def test_a_typed_slug_that_a_draft_has_is_explained_once(self):
        self.create(TITLE_2024, action=None, slug_zh_hans="expo")
        response = self.create("另一个标题", slug_zh_hans="expo")
        self.assertEqual(response.status_code, 200)
        errors = response.context["form"].errors
        self.assertEqual(list(errors), ["slug_zh_hans"], errors)
        self.assertEqual(len(errors["slug_zh_hans"]), 1)
        self.assertIn("Your draft", errors["slug_zh_hans"][0])
        self.assertIn("never published", errors["slug_zh_hans"][0])
        self.assertNotIn("already in use", response.content.decode())
        # someone else's page: named, without "your"
        self.client.force_login(self.colleague)
        response = self.create("第三个标题", slug_zh_hans="expo")
        self.assertIn("The draft", response.context["form"].errors["slug_zh_hans"][0])

    def test_a_draft_slug_follows_its_title_until_the_editor_types_one(self):
        self.create("初稿标题", action=None)
        page = NewsPage.objects.get(title_zh_hans="初稿标题")
        self.assertEqual(page.slug_zh_hans, "chu-gao-biao-ti")
        edit = f"/admin/pages/{page.pk}/edit/"
        # an autosave may post the slug of the title before
        self.client.post(edit, self.form(edit, title_zh_hans="新的标题", slug_zh_hans="chu-gao-biao-ti"))
        self.assertEqual(self.draft(page).slug_zh_hans, "xin-de-biao-ti")
        self.client.post(edit, self.form(edit, slug_zh_hans="my-own"))
        self.client.post(edit, self.form(edit, title_zh_hans="第三个标题", slug_zh_hans="my-own"))
        self.assertEqual(self.draft(page).title_zh_hans, "第三个标题")
        self.assertEqual(self.draft(page).slug_zh_hans, "my-own", "typed: kept")
        html = self.client.get(edit).content.decode()
        self.assertRegex(html, r'name="slug_zh_hans"[^>]*data-portal-slug-edited-value="true"')

    def test_a_live_page_keeps_its_slug(self):
        news = self.site["news"][0]
        edit = f"/admin/pages/{news.pk}/edit/"
        self.client.post(edit, self.form(edit, title_zh_hans="改了标题", **{"action-publish": "1"}))
        news.refresh_from_db()
        self.assertEqual(news.title_zh_hans, "改了标题")
        self.assertNotEqual(news.slug_zh_hans, "gai-le-biao-ti")

    def test_autosave_brings_the_slug_made_into_the_editor(self):
        data = self.form(title_zh_hans=TITLE_2024, slug_zh_hans="")
        response = self.client.post(self.add_url, data, headers={"Accept": "application/json"})
        self.assertEqual(response.status_code, 200, response.content[:500])
        updates = response.json()["field_updates"]
        self.assertEqual(updates["slug_zh_hans"], SLUG_2024)

    def test_titles_are_read_whole_and_only_the_required_one_says_so(self):
        html = self.client.get(self.add_url).content.decode()
        for suffix in ("zh_hans", "en", "de", "ru"):
            tag = re.search(rf'<textarea[^>]*name="title_{suffix}"[^>]*>', html)
            self.assertIsNotNone(tag, f"title_{suffix} grows with its text")
            self.assertIn("w-autosize", tag.group(0))
            self.assertIn("w-sync", tag.group(0), "the title still drives the slug controller")
            self.assertIn("data-portal-one-line", tag.group(0))
            if suffix == "zh_hans":
                self.assertIn('placeholder="Page title*"', tag.group(0))
            else:
                self.assertNotIn("placeholder", tag.group(0))
        self.assertRegex(html, r'<textarea[^>]*name="source_en"')
        self.assertRegex(html, r'<input[^>]*name="source_url"', "URLs stay inputs")
        self.assertRegex(html, r'<input[^>]*name="slug_ru"[^>]*data-controller="portal-slug w-slug"')
        self.assertIn("portal/admin/editor.js", html)
        self.assertIn("portal/admin/editor.css", html)

    def test_line_breaks_in_one_line_texts_become_spaces(self):
        self.create("换行\r\n标题", source_en="People's\nDaily")
        page = NewsPage.objects.get(title_zh_hans="换行 标题")
        self.assertEqual(page.source_en, "People's Daily")

    def test_inline_items_one_line_texts_grow_too(self):
        """A zone's facts and a visit's members (InlinePanel child forms, the add button's empty one
        included) show their labels, sources and names as growing text areas, like the page's own."""
        from portal.forms import OneLineTexts
        from zones.models import DelegationPage, ZonePage

        for model, relation, names in (
            (ZonePage, "facts", ("label", "value", "source")),
            (DelegationPage, "members", ("name", "position", "organisation")),
        ):
            formset_class = model.get_edit_handler().get_form_class().formsets[relation]
            for form in (formset_class(prefix=relation).empty_form, formset_class.form()):
                with self.subTest(relation, form=form.prefix):
                    self.assertIsInstance(form, OneLineTexts)
                    for name in names:
                        for suffix in ("zh_hans", "en", "de", "ru"):
                            widget = form.fields[f"{name}_{suffix}"].widget
                            self.assertIsInstance(widget, AdminAutoHeightTextInput, f"{name}_{suffix}")
                            self.assertIn("data-portal-one-line", widget.attrs)
                            self.assertEqual(widget.attrs.get("maxlength"), "255" if name != "position" else "500")
        zone = self.site["zone"]
        html = self.client.get(f"/admin/pages/{zone.pk}/edit/").content.decode()
        self.assertRegex(html, r'<textarea[^>]*name="facts-0-label_zh_hans"[^>]*data-portal-one-line')
        self.assertRegex(html, r'<input[^>]*name="facts-0-as_of"', "dates stay inputs")

    def test_line_breaks_in_an_inline_items_texts_become_spaces(self):
        zone = self.site["zone"]
        url = f"/admin/pages/{zone.pk}/edit/"
        data = querydict_from_html(self.client.get(url).content.decode(), form_id="page-edit-form")
        data["facts-0-label_zh_hans"] = "中欧班列\r\n线路"
        data["action-publish"] = "1"
        response = self.client.post(url, form_data(data))
        self.assertEqual(response.status_code, 302, response.content[:2000])
        self.assertEqual(zone.facts.get().label_zh_hans, "中欧班列 线路")


# --- Page names in the admin user's language (portal/l10n/titles.py) -----------------------------


class AdminTitleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_all(Path(settings.FIXTURE_DIRS[0]))
        cls.news = NewsPage.objects.live().order_by("path").first()
        cls.index = cls.news.get_parent().specific
        cls.user = get_user_model().objects.create_superuser("reader", "reader@example.com", "pw")

    def setUp(self):
        self.client.force_login(self.user)

    def test_listing_breadcrumbs_and_report_follow_the_admin_language(self):
        news, index = self.news, self.index
        for language, suffix in (("de", "de"), ("ru", "ru"), ("en", "en"), ("zh-hans", "zh_hans")):
            prefer(self.user, language)
            title = escape(getattr(news, f"title_{suffix}"))
            listing = self.client.get(f"/admin/pages/{index.pk}/").content.decode()
            self.assertIn(title, listing, language)
            editor = self.client.get(f"/admin/pages/{news.pk}/edit/").content.decode()
            breadcrumbs = re.search(r"<div data-w-breadcrumbs.*?</ol>", editor, re.S).group(0)
            self.assertIn(escape(getattr(index, f"title_{suffix}")), breadcrumbs, language)
            report = self.client.get("/admin/translations/").content.decode()
            self.assertIn(f'lang="{language}">{title}</a>', report)

    def test_an_empty_title_falls_back_along_the_chain(self):
        NewsPage.objects.filter(pk=self.news.pk).update(title_de="")
        prefer(self.user, "de")
        listing = self.client.get(f"/admin/pages/{self.index.pk}/").content.decode()
        self.assertIn(escape(self.news.title_en), listing)

    def test_the_listing_asks_no_more_for_it(self):
        url = f"/admin/pages/{self.index.pk}/"
        counts = {}
        for language in ("zh-hans", "de"):
            prefer(self.user, language)
            self.client.get(url)
            with CaptureQueriesContext(connection) as queries:
                self.client.get(url)
            counts[language] = len(queries)
        self.assertEqual(counts["de"], counts["zh-hans"], "no query for a title in another language")


# --- The translations report (portal/l10n/report.py) ---------------------------------------------


class ReportDefaultsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_all(Path(settings.FIXTURE_DIRS[0]))
        cls.german = get_user_model().objects.create_user("translator-de", password="pw")
        cls.german.groups.add(Group.objects.get(name=TRANSLATOR_GROUPS["de"]))
        cls.editor = get_user_model().objects.create_superuser("editor", "editor@example.com", "pw")

    def test_a_translator_starts_on_their_own_language(self):
        self.client.force_login(self.german)
        response = self.client.get("/admin/translations/")
        self.assertEqual(response.context["selected"]["language"], "de")
        self.assertEqual([code for code, _name in response.context["languages"]], ["de"])
        html = response.content.decode()
        self.assertIn('<option value="de" selected>', html)
        link = re.search(r'href="(/admin/translations/xliff/\?[^"]*)"', html).group(1).replace("&amp;", "&")
        self.assertIn("language=de", link)
        download = self.client.get(link)
        self.assertEqual(download.status_code, 200)
        self.assertIn("attachment", download["Content-Disposition"])
        # "All" is still theirs to choose
        self.assertEqual(self.client.get("/admin/translations/", {"language": ""}).context["selected"]["language"], "")

    def test_an_editor_starts_on_all_languages(self):
        self.client.force_login(self.editor)
        self.assertEqual(self.client.get("/admin/translations/").context["selected"]["language"], "")

    def test_drafts_are_marked(self):
        self.client.force_login(self.editor)
        news = NewsPage.objects.live().order_by("path").first()
        index = news.get_parent()
        draft = index.add_child(instance=NewsPage(title_zh_hans="孤立草稿", date="2024-01-01", live=False))
        draft.save_revision()
        html = self.client.get("/admin/translations/").content.decode()
        row = re.search(r"<tr>\s*<th scope=\"row\">(?:(?!</th>).)*孤立草稿.*?</th>", html, re.S).group(0)
        self.assertIn("w-status", row)
        self.assertIn("draft", row)
        live_row = re.search(
            rf"<tr>\s*<th scope=\"row\">(?:(?!</th>).)*{re.escape(news.title_zh_hans)}.*?</th>",
            html,
            re.S,
        )
        self.assertNotIn("w-status", live_row.group(0))
        rows = list(
            csv.DictReader(
                io.StringIO(self.client.get("/admin/translations/", {"format": "csv"}).content.decode("utf-8-sig"))
            )
        )
        self.assertEqual({row["live"] for row in rows if row["page_id"] == str(draft.pk)}, {"0"})
        self.assertEqual({row["live"] for row in rows if row["page_id"] == str(index.pk)}, {"1"})


# --- Development settings, the Makefile, the documents a newcomer reads --------------------------


def test_admin_links_follow_the_development_port():
    code = "from django.conf import settings; print(settings.WAGTAILADMIN_BASE_URL)"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.dev", "PORT": "8123"}
    env.pop("WAGTAILADMIN_BASE_URL", None)
    run = [sys.executable, "-c", f"import django; django.setup(); {code}"]
    out = subprocess.run(run, cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert out == "http://127.0.0.1:8123"
    env.pop("PORT")
    out = subprocess.run(run, cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert out == "http://127.0.0.1:8000"


@pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")
def test_make_help_and_run_use_the_port():
    help_text = subprocess.run(
        ["make", "-s", "help", "PORT=8123"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "http://127.0.0.1:8123" in help_text
    assert "$(" not in help_text
    plan = subprocess.run(["make", "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True, text=True).stdout
    assert "PORT=8123 .venv/bin/python manage.py runserver 127.0.0.1:8123" in plan


def test_documents_point_only_inside_the_repository():
    readme = (ROOT / "README.md").read_text()
    assert "../" not in readme, "a clone has nothing outside the repository"
    assert "SECURE_SSL_REDIRECT=0" in readme.split("## Production", 1)[1]
    fixtures_readme = (ROOT / "fixtures" / "README.md").read_text()
    for folder in re.findall(r"`([\w-]+)/`", fixtures_readme):
        assert (ROOT / "fixtures" / folder).is_dir(), f"fixtures/README.md names {folder}/, which does not exist"
