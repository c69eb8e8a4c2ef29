"""Rich text that is not what the editor would store never breaks the editor or the public page.

- the page editor refuses, with an error on the field, contentstate that is not JSON or whose
  links and images name no real id (nothing is saved);
- text already stored with such references renders on the public page and opens in the editor;
- `validate_rich_text` / `sanitise_rich_text` for importers.
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import SimpleTestCase, TestCase
from django.utils import translation

from wagtail.models import Page
from wagtail.rich_text import expand_db_html
from wagtail.test.utils.form_data import querydict_from_html

from portal.l10n.permissions import TRANSLATOR_GROUPS
from portal.models import RICH_TEXT_FEATURES
from portal.sanitise import sanitise_rich_text, validate_rich_text
from tests.factories import build_site
from tests.helpers import form_data, url_in

NO_RANGES = {"entityRanges": []}


def contentstate(*entities: dict) -> str:
    """Draftail's contentstate: a paragraph, then one atomic block per image/link entity given."""
    blocks = [{"key": "a1", "type": "unstyled", "depth": 0, "text": "Text", "inlineStyleRanges": [], **NO_RANGES}]
    entity_map = {}
    for n, entity in enumerate(entities):
        entity_map[str(n)] = {"mutability": "IMMUTABLE" if entity["type"] == "IMAGE" else "MUTABLE", **entity}
        if entity["type"] == "IMAGE":
            blocks.append(
                {
                    "key": f"b{n}",
                    "type": "atomic",
                    "depth": 0,
                    "text": " ",
                    "inlineStyleRanges": [],
                    "entityRanges": [{"offset": 0, "length": 1, "key": n}],
                }
            )
        else:
            blocks.append(
                {
                    "key": f"b{n}",
                    "type": "unstyled",
                    "depth": 0,
                    "text": "link",
                    "inlineStyleRanges": [],
                    "entityRanges": [{"offset": 0, "length": 4, "key": n}],
                }
            )
    return json.dumps({"blocks": blocks, "entityMap": entity_map})


BAD_ENTITIES = {
    "image id": {"type": "IMAGE", "data": {"id": "1 or 1=1", "format": "fullwidth", "alt": "x", "src": ""}},
    "image format": {"type": "IMAGE", "data": {"id": 1, "format": "bogus", "alt": "x", "src": ""}},
    "image without id": {"type": "IMAGE", "data": {"format": "fullwidth", "alt": "x", "src": ""}},
    "page link id": {"type": "LINK", "data": {"id": "x", "url": "/"}},
    "document link id": {"type": "DOCUMENT", "data": {"id": "1)"}},
    "huge id": {"type": "LINK", "data": {"id": "99999999999999999999", "url": "/"}},
}

STORED_BAD = [
    '<p>Text</p><embed alt="x" embedtype="image" format="fullwidth" id="1 or 1=1"/>',
    '<p>Text</p><embed alt="x" embedtype="image" format="bogus" id="1"/>',
    '<p>Text</p><embed alt="x" embedtype="image" id="1"/>',
    '<p>Text <a linktype="page" id="x">link</a></p>',
    '<p>Text <a linktype="page">link</a></p>',
    '<p>Text <a linktype="document" id="1)">doc</a></p>',
    '<p>Text <a linktype="page" id="99999999999999999999">link</a></p>',
]


class RichTextInTheEditorTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=1)
        cls.admin = get_user_model().objects.create_superuser("admin", "admin@example.com", "pw")

    def setUp(self):
        self.client.force_login(self.admin)
        self.news = self.site["news"][0]
        self.edit_url = f"/admin/pages/{self.news.pk}/edit/"

    def edit_form(self, **fields) -> dict:
        response = self.client.get(self.edit_url)
        self.assertEqual(response.status_code, 200)
        data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
        data = form_data(data)
        data.update(fields)
        data["action-publish"] = "publish"
        return data

    def test_non_json_is_a_form_error_on_the_field(self):
        before = self.news.body_en
        missing_entity = {"type": "unstyled", "text": "x", "entityRanges": [{"offset": 0, "length": 1, "key": 9}]}
        unknown_entity = json.dumps({"blocks": [missing_entity], "entityMap": {}})
        for value in ["not json", "{", "[]", '{"blocks": 3}', unknown_entity]:
            with self.subTest(value=value):
                response = self.client.post(self.edit_url, self.edit_form(body_en=value))
                self.assertEqual(response.status_code, 200)
                self.assertIn("body_en", response.context["form"].errors)
                self.news.refresh_from_db()
                self.assertEqual(self.news.body_en, before)

    def test_bad_links_and_images_are_a_form_error_on_the_field(self):
        before = self.news.body_de
        for name, entity in BAD_ENTITIES.items():
            with self.subTest(name):
                response = self.client.post(self.edit_url, self.edit_form(body_de=contentstate(entity)))
                self.assertEqual(response.status_code, 200)
                errors = response.context["form"].errors
                self.assertEqual(list(errors), ["body_de"])
                self.news.refresh_from_db()
                self.assertEqual(self.news.body_de, before)
                self.assertFalse(self.news.has_unpublished_changes)

    def test_lists_nested_too_deeply_are_a_form_error_on_the_field(self):
        """Draftail nests lists 4 deep at most; a post of list items deeper than MAX_LIST_DEPTH is refused
        (the converter builds one wrapper per level, and markup nested ~100 deep broke the cleaners)."""
        from portal.richtext import MAX_LIST_DEPTH, RichTextFormField

        def nested_list(deepest) -> str:
            # Each level in turn, as the editor would nest them; a value it would never post, after a first item.
            depths = [*range(deepest + 1)] if type(deepest) is int and 0 <= deepest <= 200 else [0, deepest]
            blocks = [
                {"key": f"l{n}", "type": "unordered-list-item", "depth": depth, "text": f"level {n}",
                 "inlineStyleRanges": [], **NO_RANGES}
                for n, depth in enumerate(depths)
            ]  # fmt: skip
            return json.dumps({"blocks": blocks, "entityMap": {}})

        before = self.news.body_en
        for deepest in [MAX_LIST_DEPTH + 1, 150, 10**6, -1, "3", 2.5, True]:
            with self.subTest(deepest=deepest):
                response = self.client.post(self.edit_url, self.edit_form(body_en=nested_list(deepest)))
                self.assertEqual(response.status_code, 200)
                self.assertEqual(list(response.context["form"].errors), ["body_en"])
                if deepest in (MAX_LIST_DEPTH + 1, 150, 10**6):
                    # in the admin's language (the default, Chinese, for this user)
                    with translation.override(settings.LANGUAGE_CODE):
                        expected = str(RichTextFormField.default_error_messages["too_deep"] % {"max": MAX_LIST_DEPTH})
                    self.assertIn(expected, str(response.context["form"].errors["body_en"]))
                self.news.refresh_from_db()
                self.assertEqual(self.news.body_en, before)
        # As deep as the editor nests (Wagtail's maxListNesting is 4), and the limit itself, are fine.
        for deepest in [4, MAX_LIST_DEPTH]:
            with self.subTest(deepest=deepest):
                response = self.client.post(self.edit_url, self.edit_form(body_en=nested_list(deepest)))
                self.assertEqual(response.status_code, 302)
                self.news.refresh_from_db()
                self.assertIn(f"level {deepest}", self.news.body_en)

    def test_good_links_and_images_are_kept(self):
        page = self.site["zone"]
        response = self.client.post(
            self.edit_url,
            self.edit_form(body_en=contentstate({"type": "LINK", "data": {"id": page.pk, "url": "/"}})),
        )
        self.assertEqual(response.status_code, 302)
        self.news.refresh_from_db()
        self.assertIn(f'<a linktype="page" id="{page.pk}">link</a>', self.news.body_en)

    def test_stored_bad_references_open_in_the_editor_and_render_on_the_site(self):
        for html in STORED_BAD:
            with self.subTest(html=html):
                # Written behind Django's back, as a broken import or an old row would be.
                with connection.cursor() as cursor:
                    cursor.execute("UPDATE news_newspage SET body_ru = %s WHERE page_ptr_id = %s", [html, self.news.pk])
                self.assertEqual(self.client.get(self.edit_url).status_code, 200)
                self.client.logout()
                response = self.client.get(url_in(self.news, "ru"))
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "Text")
                self.client.force_login(self.admin)
                # Saved again from the editor, the bad reference is gone.
                response = self.client.post(self.edit_url, self.edit_form())
                self.assertEqual(response.status_code, 302)
                stored = Page.objects.get(pk=self.news.pk).specific.body_ru
                self.assertNotIn("linktype", stored)
                self.assertNotIn("<embed", stored)


class TranslatorTests(TestCase):
    """A translator posts rich text in their own language only; the other languages are locked."""

    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=1)
        cls.translator = get_user_model().objects.create_user("uebersetzer", password="pw")
        cls.translator.groups.add(Group.objects.get(name=TRANSLATOR_GROUPS["de"]))

    def setUp(self):
        self.client.force_login(self.translator)
        self.news = self.site["news"][0]
        self.edit_url = f"/admin/pages/{self.news.pk}/edit/"

    def edit_form(self, **fields) -> dict:
        response = self.client.get(self.edit_url)
        self.assertEqual(response.status_code, 200)
        data = form_data(querydict_from_html(response.content.decode(), form_id="page-edit-form"))
        data.update(fields)
        return data

    def test_a_bad_image_in_their_language_is_a_form_error(self):
        before = Page.objects.get(pk=self.news.pk).latest_revision_id
        response = self.client.post(self.edit_url, self.edit_form(body_de=contentstate(BAD_ENTITIES["image id"])))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(list(response.context["form"].errors), ["body_de"])
        self.assertEqual(Page.objects.get(pk=self.news.pk).latest_revision_id, before)

    def test_a_bad_reference_stored_in_a_locked_language_does_not_stop_them(self):
        sql = "UPDATE news_newspage SET body_en = %s WHERE page_ptr_id = %s"
        with connection.cursor() as cursor:
            cursor.execute(sql, [STORED_BAD[0], self.news.pk])
        response = self.client.post(self.edit_url, self.edit_form(title_de="Neuer Titel"))
        self.assertEqual(response.status_code, 302, response.content[:3000])


class ValidateRichTextTests(SimpleTestCase):
    def test_reports_each_bad_reference(self):
        for html in STORED_BAD:
            with self.subTest(html=html), self.assertRaises(ValidationError):
                validate_rich_text(html, RICH_TEXT_FEATURES)

    def test_good_references_pass(self):
        validate_rich_text(
            '<p><a id="3" linktype="page">p</a> <a id="4" linktype="document">d</a> <a href="https://e.org">e</a></p>'
            '<embed alt="" embedtype="image" format="left" id="7"/>',
            RICH_TEXT_FEATURES,
        )
        validate_rich_text("", RICH_TEXT_FEATURES)

    def test_a_feature_the_field_lacks(self):
        with self.assertRaises(ValidationError):
            validate_rich_text('<embed alt="" embedtype="image" format="left" id="7"/>', ["bold"])

    def test_the_sanitiser_drops_them(self):
        for html in STORED_BAD:
            with self.subTest(html=html):
                cleaned = sanitise_rich_text(html, RICH_TEXT_FEATURES)
                self.assertNotIn("linktype", cleaned)
                self.assertNotIn("<embed", cleaned)
                validate_rich_text(cleaned, RICH_TEXT_FEATURES)


class RenderTests(TestCase):
    def test_bad_references_render_as_wagtail_renders_missing_ones(self):
        self.assertEqual(expand_db_html('<a linktype="page" id="x">a</a>'), "<a>a</a>")
        self.assertEqual(expand_db_html('<a linktype="document" id="1)">a</a>'), "<a>a</a>")
        self.assertEqual(expand_db_html('<embed embedtype="image" id="1 or 1=1" format="left"/>'), '<img alt="">')
        self.assertEqual(expand_db_html('<embed embedtype="image" id="1" format="bogus"/>'), '<img alt="">')


REGISTRATION = """
import django
django.setup()
from wagtail.rich_text import expand_db_html, features
if {scan_first}:
    features.get_link_types()
    expand_db_html("<p>x</p>")
import portal.urls
print(expand_db_html('<a linktype="page" id="x">a</a><embed embedtype="image" id="1 or 1=1" format="left"/>'))
"""


def test_the_safe_handlers_replace_wagtails_whenever_the_urls_load():
    """Wagtail reads its rich text hooks once, on first use: before or after portal/urls.py loads."""
    env = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "portal.settings.test"}
    for scan_first in (False, True):
        result = subprocess.run(  # noqa: S603 (this interpreter, a fixed script)
            [sys.executable, "-c", REGISTRATION.format(scan_first=scan_first)],
            cwd=Path(__file__).resolve().parent.parent,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == '<a>a</a><img alt="">', scan_first


class OneHtmlToTextTests(SimpleTestCase):
    """portal.i18n.html_to_text: what every path shows or indexes of rich text, the same way."""

    def test_tags_go_and_references_are_decoded(self):
        from portal.i18n import html_to_text, is_blank_html

        cases = {
            '<p data-block-key="a">R&amp;D <b>in</b> Qingdao</p>\n<p>more&nbsp;text</p>': "R&D in Qingdao more text",
            "growth <5% and a < b > c": "growth <5% and a < b > c",
            "<!-- note --><p>x</p>": "x",
            '<a href="x>y">link</a>': "link",
            "<script>if (a<b) x</script>": "if (a<b) x",
            "plain &#39;quoted&#39;": "plain 'quoted'",
            "<p>with it.</p><p>In 2018</p><ul><li>one</li><li>two<br>three</li></ul>": "with it. In 2018 one two three",
            "<h2>Title</h2>Text R<b>&amp;</b>D": "Title Text R&D",
            "Grenz\u00adwirtschafts&shy;zone": "Grenzwirtschaftszone",
            "": "",
            None: "",
        }
        for value, text in cases.items():
            self.assertEqual(html_to_text(value), text, value)
        for blank in ("", "<p></p>", "<p>&nbsp;</p>", "<p>&#160; </p>", "<p> <br/> </p>"):
            self.assertTrue(is_blank_html(blank), blank)
        self.assertFalse(is_blank_html('<p><embed embedtype="image" id="1" format="left"/></p>'))

    def test_same_text_as_djangos_parser_for_every_fixture_text(self):
        import html as html_module

        from django.utils.html import strip_tags

        from portal.i18n import html_to_text, is_blank_html

        def texts(value):
            if isinstance(value, str):
                yield value
            elif isinstance(value, dict):
                for item in value.values():
                    yield from texts(item)
            elif isinstance(value, list):
                for item in value:
                    yield from texts(item)

        count = 0
        for path in Path(settings.FIXTURE_DIRS[0]).glob("*.json"):
            for text in texts(json.loads(path.read_text(encoding="utf-8"))):
                # Django's parser after a space before each block tag: paragraphs do not run together.
                spaced = re.sub(r"(?=</?(?:p|h[1-6]|li|ul|ol|br|blockquote|div)[\s/>])", " ", text)
                expected = " ".join(html_module.unescape(strip_tags(spaced)).split())
                self.assertEqual(html_to_text(text), expected, text[:80])
                if "<img" not in text and "<embed" not in text:
                    self.assertEqual(is_blank_html(text), not expected, text[:80])
                count += 1
        self.assertGreater(count, 100)
