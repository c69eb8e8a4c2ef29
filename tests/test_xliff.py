"""XLIFF 1.2 for outside agencies: export, import as revisions, every way a file can go wrong."""

import xml.etree.ElementTree as ET  # noqa: S405 - serialises test files; parsing goes through defusedxml
from io import StringIO
from pathlib import Path
from tempfile import TemporaryDirectory
from unittest import mock
from xml.sax.saxutils import escape

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.utils import translation

from wagtail.models import GroupPagePermission, Page, Revision, Workflow

from defusedxml.ElementTree import fromstring

from news.models import NewsPage
from portal.fixtures import load_all
from portal.l10n import status
from portal.l10n.models import TranslationStatus
from portal.l10n.xliff import MAX_INLINE_DEPTH, XLIFF_NS, XliffError, export_xliff, import_xliff
from zones.models import ZonePage

NS = {"x": XLIFF_NS}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def q(name: str) -> str:
    return f"{{{XLIFF_NS}}}{name}"


def units_of(data: bytes) -> dict:
    return {unit.get("id"): unit for unit in fromstring(data).iterfind(".//x:trans-unit", NS)}


def with_targets(data: bytes, targets: dict[str, str], state: str = "translated") -> bytes:
    """The file with these units' targets replaced, as a CAT tool would save it."""
    root = fromstring(data)
    found = set()
    for unit in root.iterfind(".//x:trans-unit", NS):
        if unit.get("id") in targets:
            target = unit.find("x:target", NS)
            target.text = targets[unit.get("id")]
            target.set("state", state)
            found.add(unit.get("id"))
    assert found == set(targets), set(targets) - found
    return ET.tostring(root, encoding="utf-8")


def only_units(data: bytes, ids: set[str]) -> bytes:
    """The file with every other unit (and every page left empty) removed."""
    root = fromstring(data)
    for file in list(root.iterfind("x:file", NS)):
        body = file.find("x:body", NS)
        for unit in list(body):
            if unit.get("id") not in ids:
                body.remove(unit)
        if not len(body):
            root.remove(file)
    return ET.tostring(root, encoding="utf-8")


def de_status(page) -> TranslationStatus:
    return TranslationStatus.objects.get(page=page, language="de")


class XliffTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_all(Path(settings.FIXTURE_DIRS[0]))
        cls.news = NewsPage.objects.get(date="2021-04-12")
        cls.zone = ZonePage.objects.get(title_en__contains="(SCODA)")
        cls.editor = get_user_model().objects.create_user("agency", password="x")
        cls.editor.groups.add(Group.objects.get(name="Editors"))  # add and change on every page, no publishing

    def edit(self, page, **values):
        latest = type(page).objects.get(pk=page.pk).get_latest_revision_as_object()
        for name, value in values.items():
            setattr(latest, name, value)
        return latest.save_revision()

    def latest(self, page):
        return type(page).objects.get(pk=page.pk).get_latest_revision_as_object()

    def live(self, page):
        return type(page).objects.get(pk=page.pk)

    def unit_id(self, page, key):
        return f"{page.pk}:{key}"


class ExportTests(XliffTestCase):
    def test_structure_is_xliff_1_2(self):
        data = export_xliff("de")
        self.assertTrue(data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'))
        root = fromstring(data)
        self.assertEqual(root.tag, q("xliff"))
        self.assertEqual(root.get("version"), "1.2")
        files = root.findall("x:file", NS)
        self.assertTrue(files)
        for file in files:
            self.assertRegex(file.get("original"), r"^page/\d+$")
            self.assertEqual(file.get("source-language"), "zh-Hans")
            self.assertEqual(file.get("target-language"), "de")
            self.assertEqual(file.get("datatype"), "html")
            self.assertEqual([child.tag for child in file], [q("header"), q("body")])
            page_id = file.get("original").split("/")[1]
            for unit in file.iterfind("x:body/x:trans-unit", NS):
                self.assertTrue(unit.get("id").startswith(f"{page_id}:"))
                self.assertEqual(unit.get("id"), f"{page_id}:{unit.get('resname')}")
                self.assertRegex(unit.get("extradata"), r"^[0-9a-f]{16}$")
                self.assertIn(unit.get("datatype"), ("html", "plaintext"))
                self.assertEqual([child.tag for child in unit], [q("source"), q("target"), q("note")])
                self.assertEqual(unit.find("x:source", NS).get(XML_LANG), "zh-Hans")
                self.assertTrue(unit.find("x:source", NS).text)
                target = unit.find("x:target", NS)
                self.assertEqual(target.get(XML_LANG), "de")
                self.assertEqual(target.get("state"), "translated")

    def test_header_names_the_page_and_its_admin_url(self):
        root = fromstring(export_xliff("de", page_ids=[self.news.pk]))
        [file] = root.findall("x:file", NS)
        note = file.find("x:header/x:note", NS).text
        self.assertIn(self.news.title_zh_hans, note)
        self.assertIn(f"http://testserver/admin/pages/{self.news.pk}/edit/", note)
        body = file.find("x:body/x:trans-unit[@resname='body']", NS)
        self.assertEqual(body.get("datatype"), "html")
        self.assertEqual(body.find("x:note", NS).text, "Body · rich text (HTML: keep the markup) · current")
        self.assertEqual(body.find("x:source", NS).text, self.news.body_zh_hans)
        self.assertEqual(body.find("x:target", NS).text, self.news.body_de)
        title = file.find("x:body/x:trans-unit[@resname='title']", NS)
        self.assertEqual(
            (title.get("datatype"), title.get("maxwidth"), title.get("size-unit")), ("plaintext", "255", "char")
        )

    def test_one_unit_per_tracked_field_with_a_source_in_tree_order(self):
        data = export_xliff("de")
        source = status.source_language()
        expected = []
        for page in Page.objects.filter(depth__gt=1).order_by("path").specific():
            expected += [f"{page.pk}:{t.key}" for t in status.tracked_fields(page) if not t.empty(source)]
        self.assertEqual(list(units_of(data)), expected)
        self.assertIn(self.unit_id(self.zone, "facts[0].label"), expected)
        self.assertEqual(data, export_xliff("de"), "the export is deterministic")

    def test_fields_without_source_text_are_left_out(self):
        self.edit(self.news, byline_zh_hans="", byline_de="Von Hans")
        units = units_of(export_xliff("de", page_ids=[self.news.pk]))
        self.assertNotIn(self.unit_id(self.news, "byline"), units)
        self.assertIn(self.unit_id(self.news, "summary"), units)

    def test_emptied_translation_is_missing(self):
        self.edit(self.news, summary_de="")
        units = units_of(export_xliff("de", state="missing"))
        self.assertEqual(list(units), [self.unit_id(self.news, "summary")])
        target = units[self.unit_id(self.news, "summary")].find("x:target", NS)
        self.assertEqual((target.get("state"), target.text), ("needs-translation", None))
        self.assertIn("· missing", units[self.unit_id(self.news, "summary")].find("x:note", NS).text)
        self.assertEqual(len(units_of(export_xliff("ru", state="missing"))), 0)

    def test_changed_source_is_outdated_with_review_state(self):
        self.edit(self.news, summary_zh_hans=self.news.summary_zh_hans + "（更新）")
        units = units_of(export_xliff("de", state="outdated"))
        self.assertEqual(list(units), [self.unit_id(self.news, "summary")])
        unit = units[self.unit_id(self.news, "summary")]
        self.assertEqual(unit.find("x:target", NS).get("state"), "needs-review-translation")
        self.assertEqual(unit.find("x:target", NS).text, self.news.summary_de)
        self.assertTrue(unit.find("x:source", NS).text.endswith("（更新）"))
        everything = units_of(export_xliff("de", state="all", page_ids=[self.news.pk]))
        states = {key: u.find("x:target", NS).get("state") for key, u in everything.items()}
        self.assertEqual(states.pop(self.unit_id(self.news, "summary")), "needs-review-translation")
        self.assertEqual(set(states.values()), {"translated"})

    def test_pages_restrict_and_unknown_ids_are_named(self):
        units = units_of(export_xliff("de", page_ids=[self.zone.pk]))
        self.assertTrue(units)
        self.assertTrue(all(key.startswith(f"{self.zone.pk}:") for key in units))
        with self.assertRaisesMessage(XliffError, "No page with id 99998, 99999"):
            export_xliff("de", page_ids=[self.zone.pk, 99999, 99998])

    def test_languages(self):
        with self.assertRaisesMessage(XliffError, "choose one of: en, de, ru"):
            export_xliff("fr")
        with self.assertRaisesMessage(XliffError, "zh-hans is the source language"):
            export_xliff("zh-hans")
        self.assertEqual(fromstring(export_xliff("RU")).find("x:file", NS).get("target-language"), "ru")


class ImportTests(XliffTestCase):
    def export_news(self, **kwargs):
        return export_xliff("de", page_ids=[self.news.pk], **kwargs)

    def test_round_trip_makes_a_draft_revision(self):
        revisions = Revision.page_revisions.filter(object_id=str(self.news.pk)).count()
        data = with_targets(
            export_xliff("de", page_ids=[self.news.pk, self.zone.pk]),
            {
                self.unit_id(self.news, "summary"): "Neue Zusammenfassung.",
                self.unit_id(self.news, "body"): "<p>Neuer <b>Haupttext</b>.</p>",
                self.unit_id(self.zone, "facts[0].label"): "Neue Kennzahl",
            },
        )
        report = import_xliff(data, user=self.editor)
        self.assertIsNone(report.file_error)
        self.assertEqual(report.language, "de")
        self.assertEqual(report.rejected, [])
        results = {page.page_id: page for page in report.pages}
        self.assertEqual(results[self.news.pk].changed, ["body", "summary"])
        self.assertEqual(results[self.zone.pk].changed, ["facts[0].label"])
        self.assertFalse(results[self.news.pk].published)
        self.assertEqual(Revision.page_revisions.filter(object_id=str(self.news.pk)).count(), revisions + 1)
        revision = Revision.objects.get(pk=results[self.news.pk].revision_id)
        self.assertEqual(revision.user, self.editor)

        latest = self.latest(self.news)
        self.assertEqual(latest.summary_de, "Neue Zusammenfassung.")
        self.assertEqual(latest.body_de, "<p>Neuer <b>Haupttext</b>.</p>")
        self.assertEqual(latest.summary_en, self.news.summary_en)
        self.assertEqual(self.latest(self.zone).facts.all()[0].label_de, "Neue Kennzahl")
        live = self.live(self.news)
        self.assertEqual(live.summary_de, self.news.summary_de, "live content unchanged")
        self.assertTrue(live.has_unpublished_changes)
        self.assertEqual(self.live(self.zone).facts.all()[0].label_de, self.zone.facts.all()[0].label_de)
        # units whose target was left as exported are reported, not saved
        self.assertIn(self.unit_id(self.news, "title"), {s.unit_id for s in report.skipped})
        self.assertEqual(de_status(self.news).state, "complete")

    def test_publish_puts_it_live(self):
        data = with_targets(self.export_news(), {self.unit_id(self.news, "summary"): "Veröffentlicht."})
        report = import_xliff(data, publish=True)
        [result] = report.pages
        self.assertTrue(result.published)
        live = self.live(self.news)
        self.assertEqual(live.summary_de, "Veröffentlicht.")
        self.assertEqual(live.live_revision_id, result.revision_id)
        self.assertFalse(live.has_unpublished_changes)

    def test_publish_leaves_an_editors_pending_draft_unpublished(self):
        self.edit(self.news, dateline_en="DRAFT LINE")
        data = with_targets(self.export_news(), {self.unit_id(self.news, "summary"): "Entwurf."})
        [result] = import_xliff(data, publish=True).pages
        self.assertFalse(result.published)
        self.assertIn("unpublished changes", result.note)
        self.assertEqual(self.latest(self.news).summary_de, "Entwurf.")
        self.assertEqual(self.live(self.news).summary_de, self.news.summary_de)

    def test_import_clears_outdated_marks_of_what_was_filled(self):
        self.edit(
            self.news,
            summary_zh_hans=self.news.summary_zh_hans + "（更新）",
            title_zh_hans=self.news.title_zh_hans + "！",
        )
        self.assertEqual(sorted(de_status(self.news).outdated_fields), ["summary", "title"])
        data = export_xliff("de", state="outdated")
        self.assertEqual(set(units_of(data)), {self.unit_id(self.news, "summary"), self.unit_id(self.news, "title")})
        report = import_xliff(with_targets(data, {self.unit_id(self.news, "summary"): "Aktualisiert."}))
        self.assertEqual(report.pages[0].changed, ["summary"])
        self.assertEqual(report.skipped[0].message, "unchanged")
        row = de_status(self.news)
        self.assertEqual(row.outdated_fields, ["title"])
        self.assertEqual(TranslationStatus.objects.get(page=self.news, language="ru").state, "outdated")

    def test_missing_translation_is_filled(self):
        self.edit(self.news, summary_de="")
        data = export_xliff("de", state="missing")
        import_xliff(with_targets(data, {self.unit_id(self.news, "summary"): "Wieder da."}))
        self.assertEqual(self.latest(self.news).summary_de, "Wieder da.")
        self.assertEqual(de_status(self.news).state, "complete")

    def test_empty_target_is_skipped(self):
        self.edit(self.news, summary_de="")
        report = import_xliff(export_xliff("de", state="missing"))
        self.assertEqual(
            [(s.unit_id, s.message) for s in report.skipped], [(self.unit_id(self.news, "summary"), "empty target")]
        )
        self.assertEqual(report.rejected, [])
        self.assertIsNone(report.pages[0].revision_id)

    def test_untranslated_copy_of_source_is_skipped(self):
        self.edit(self.news, summary_de="")
        data = with_targets(
            export_xliff("de", state="missing"),
            {self.unit_id(self.news, "summary"): self.news.summary_zh_hans},
            state="needs-translation",
        )
        report = import_xliff(data)
        self.assertIn("copy of the source", report.skipped[0].message)
        self.assertEqual(self.latest(self.news).summary_de, "")

    def test_rich_text_is_sanitised(self):
        body = (
            '<p onclick="steal()">Hallo <script>alert(1)</script><a href="javascript:alert(2)">böse</a> '
            '<a href="https://example.org/" onmouseover="x()">gut</a> '
            f'<a linktype="page" id="{self.zone.pk}">Zone</a></p>'
            '<blockquote>Zitat</blockquote><iframe src="x"></iframe>'
        )
        data = with_targets(self.export_news(), {self.unit_id(self.news, "body"): body})
        report = import_xliff(data)
        stored = self.latest(self.news).body_de
        self.assertEqual(
            stored,
            '<p>Hallo <a>böse</a> <a href="https://example.org/">gut</a> '
            f'<a id="{self.zone.pk}" linktype="page">Zone</a></p><blockquote>Zitat</blockquote>',
        )
        for bad in ("script", "alert", "onclick", "onmouseover", "javascript:", "iframe"):
            self.assertNotIn(bad, stored)
        [warning] = report.warnings
        self.assertEqual(warning.unit_id, self.unit_id(self.news, "body"))
        for removed in ("<script>", "onclick", "href=javascript:alert(2)", "onmouseover", "<iframe>"):
            self.assertIn(removed, warning.message)

    def test_plain_text_targets_lose_their_tags(self):
        data = with_targets(
            self.export_news(), {self.unit_id(self.news, "summary"): "<b>Fett</b> <script>x</script>a < b"}
        )
        report = import_xliff(data)
        self.assertEqual(self.latest(self.news).summary_de, "Fett a < b")
        self.assertEqual(
            report.warnings[0].message, "removed unsafe or unsupported markup: tags (the field is plain text)"
        )

    def test_locked_page_is_left_alone_unless_imported_by_the_locker(self):
        NewsPage.objects.filter(pk=self.news.pk).update(locked=True, locked_by=self.editor)
        data = with_targets(self.export_news(), {self.unit_id(self.news, "summary"): "Gesperrt."})
        report = import_xliff(data)
        self.assertEqual(report.rejected[0].message, f"page {self.news.pk} is locked by agency in the admin")
        self.assertEqual(self.latest(self.news).summary_de, self.news.summary_de)
        import_xliff(data, user=self.editor)
        self.assertEqual(self.latest(self.news).summary_de, "Gesperrt.")

    def test_too_long_target_is_rejected(self):
        data = with_targets(
            self.export_news(),
            {self.unit_id(self.news, "title"): "T" * 256, self.unit_id(self.news, "summary"): "Kurz."},
        )
        report = import_xliff(data)
        self.assertEqual(
            [(r.unit_id, r.message) for r in report.rejected],
            [(self.unit_id(self.news, "title"), "256 characters; the field holds at most 255")],
        )
        self.assertEqual(report.pages[0].changed, ["summary"])

    def test_each_page_is_atomic(self):
        data = with_targets(
            export_xliff("de", page_ids=[self.news.pk, self.zone.pk]),
            {self.unit_id(self.news, "summary"): "Gespeichert.", self.unit_id(self.zone, "summary"): "Verloren."},
        )
        zone_revisions = Revision.page_revisions.filter(object_id=str(self.zone.pk)).count()
        original = ZonePage.save_revision

        def save_then_fail(page, *args, **kwargs):
            original(page, *args, **kwargs)
            raise ValidationError("kaputt")

        with mock.patch.object(ZonePage, "save_revision", save_then_fail):
            report = import_xliff(data)
        self.assertEqual(self.latest(self.news).summary_de, "Gespeichert.")
        self.assertEqual(Revision.page_revisions.filter(object_id=str(self.zone.pk)).count(), zone_revisions)
        self.assertEqual(self.latest(self.zone).summary_de, self.zone.summary_de)
        self.assertEqual(
            [(r.unit_id, r.message) for r in report.rejected],
            [(self.unit_id(self.zone, "summary"), f"page {self.zone.pk} was not saved: kaputt")],
        )
        self.assertEqual({p.page_id: p.changed for p in report.pages}, {self.news.pk: ["summary"], self.zone.pk: []})


class ImportErrorTests(XliffTestCase):
    def news_file(self, **targets) -> bytes:
        data = export_xliff("de", page_ids=[self.news.pk])
        return with_targets(data, {self.unit_id(self.news, key): text for key, text in targets.items()})

    def assertNothingImported(self):
        self.assertEqual(self.latest(self.news).summary_de, self.news.summary_de)
        self.assertFalse(self.live(self.news).has_unpublished_changes)

    def test_target_language_must_be_a_portal_target_language(self):
        for tag, message in (
            ("fr", "target language fr is not a language of the portal (en, de, ru)"),
            ("zh-Hans", "target language zh-Hans is the portal's source language"),
            ("zh-CN", "target language zh-CN is not a language of the portal"),
        ):
            data = self.news_file(summary="Neu.").replace(b'target-language="de"', f'target-language="{tag}"'.encode())
            report = import_xliff(data)
            self.assertIn(message, report.file_error)
            self.assertEqual(report.pages, [])
        self.assertNothingImported()

    def test_file_for_another_language_than_expected(self):
        data = export_xliff("ru", page_ids=[self.news.pk])
        report = import_xliff(data, expected_language="de")
        self.assertEqual(report.file_error, "This file is for ru, not de; nothing was imported.")

    def test_unknown_units_are_rejected_the_rest_imported(self):
        data = self.news_file(summary="Neu.").replace(
            f'id="{self.news.pk}:source"'.encode(), f'id="{self.news.pk}:facts[7].label"'.encode()
        )
        data = data.replace(f'id="{self.news.pk}:title"'.encode(), b'id="99999:title"')
        report = import_xliff(data)
        self.assertEqual(
            sorted((r.unit_id, r.message) for r in report.rejected),
            [
                (f"{self.news.pk}:facts[7].label", f"page {self.news.pk} has no field facts[7].label"),
                ("99999:title", "no page with id 99999"),
            ],
        )
        self.assertEqual(self.latest(self.news).summary_de, "Neu.")

    def test_source_changed_since_export(self):
        data = self.news_file(summary="Neu.", body="<p>Neu.</p>")
        self.edit(self.news, summary_zh_hans=self.news.summary_zh_hans + "（更新）")
        report = import_xliff(data)
        self.assertEqual(
            [(r.unit_id, r.message) for r in report.rejected],
            [(self.unit_id(self.news, "summary"), "source changed since export; export again")],
        )
        latest = self.latest(self.news)
        self.assertEqual(latest.summary_de, self.news.summary_de)
        self.assertEqual(latest.body_de, "<p>Neu.</p>")
        self.assertEqual(de_status(self.news).outdated_fields, ["summary"])

    def test_broken_xml_names_line_and_column(self):
        data = self.news_file(summary="Neu.")
        broken = data.replace(b"</ns0:target>", b"</ns0:targ>", 1)
        report = import_xliff(broken)
        self.assertRegex(report.file_error, r"not well-formed XML \(line \d+, column \d+: mismatched tag\)")
        self.assertIn("nothing was imported", report.file_error)
        self.assertEqual(report.pages, [])
        self.assertNothingImported()

    def test_entities_are_never_resolved(self):
        data = (
            '<?xml version="1.0"?>\n<!DOCTYPE xliff [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
            f'<xliff version="1.2" xmlns="{XLIFF_NS}"><file original="page/{self.news.pk}" '
            'source-language="zh-Hans" target-language="de" datatype="html"><body>'
            f'<trans-unit id="{self.news.pk}:summary"><source>x</source><target>&xxe;</target></trans-unit>'
            "</body></file></xliff>"
        ).encode()
        report = import_xliff(data)
        self.assertIn("DOCTYPE", report.file_error)
        self.assertNothingImported()

    def test_not_xliff_or_other_version(self):
        self.assertIn("not an XLIFF file", import_xliff(b"<html><body/></html>").file_error)
        report = import_xliff(b'<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0"/>')
        self.assertIn("Only XLIFF 1.2", report.file_error)

    def test_cat_tool_variants_are_tolerated(self):
        """Prefixes, foreign namespaces and attributes, <mrk> segments, whitespace, de-DE, no extradata."""
        source = escape(self.news.summary_zh_hans)
        data = f"""<?xml version="1.0" encoding="utf-8"?>
<xliff:xliff xmlns:xliff="{XLIFF_NS}" xmlns:mq="MQXliff" xmlns:sdl="http://sdl.com/FileTypes/SdlXliff/1.0"
    version="1.2" mq:version="2">
  <xliff:file original="page/{self.news.pk}" source-language="zh-CN" target-language="de-DE"
      datatype="html" mq:id="42">
    <xliff:header><sdl:seg-defs/></xliff:header>
    <xliff:body>
      <xliff:group id="g1">
        <xliff:trans-unit id="{self.news.pk}:summary" mq:status="ManuallyConfirmed" approved="yes">
          <xliff:source xml:lang="zh-CN">{source}</xliff:source>
          <xliff:seg-source><xliff:mrk mtype="seg" mid="1">{source}</xliff:mrk></xliff:seg-source>
          <xliff:target xml:lang="de-DE" state="final">
            <xliff:mrk mtype="seg" mid="1">Erster Satz.</xliff:mrk> <xliff:mrk mtype="seg" mid="2">Zweiter.</xliff:mrk>
          </xliff:target>
          <sdl:seg-defs><sdl:seg id="1" conf="Translated">ignored</sdl:seg></sdl:seg-defs>
          <mq:comments>ignored</mq:comments>
        </xliff:trans-unit>
        <xliff:trans-unit id="7" resname="title">
          <xliff:source>{escape(self.news.title_zh_hans)}</xliff:source>
          <xliff:target>Neuer Titel</xliff:target>
        </xliff:trans-unit>
      </xliff:group>
    </xliff:body>
  </xliff:file>
</xliff:xliff>""".encode()
        report = import_xliff(data, expected_language="de")
        self.assertIsNone(report.file_error)
        self.assertEqual(report.rejected, [])
        self.assertEqual(report.pages[0].changed, ["summary", "title"])
        latest = self.latest(self.news)
        self.assertEqual(latest.summary_de, "Erster Satz. Zweiter.")
        self.assertEqual(latest.title_de, "Neuer Titel")


class CommandTests(XliffTestCase):
    def run_command(self, *args):
        out, err = StringIO(), StringIO()
        call_command(*args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def setUp(self):
        self.tmp = TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.path = Path(self.tmp.name) / "work.xlf"

    def test_export_writes_the_file(self):
        out, _err = self.run_command(
            "export_translations", "--language", "de", "--pages", str(self.news.pk), "-o", str(self.path)
        )
        count = len(units_of(self.path.read_bytes()))
        self.assertEqual(out.strip(), f"Wrote {count} units from 1 pages (de, all) to {self.path}.")

    def test_export_to_standard_output(self):
        out, err = self.run_command("export_translations", "--language", "ru", "--pages", str(self.zone.pk))
        self.assertTrue(units_of(out.encode()))
        self.assertIn("Exported", err)

    def test_export_nothing_to_do(self):
        out, _err = self.run_command(
            "export_translations", "--language", "de", "--state", "missing", "-o", str(self.path)
        )
        self.assertIn("Nothing to export", out)
        self.assertFalse(self.path.exists())

    def test_export_errors(self):
        with self.assertRaisesMessage(CommandError, "Unknown language 'xx'; choose one of: en, de, ru."):
            self.run_command("export_translations", "--language", "xx")
        with self.assertRaisesMessage(CommandError, "zh-hans is the source language"):
            self.run_command("export_translations", "--language", "zh-hans")
        with self.assertRaisesMessage(CommandError, "No page with id 424242"):
            self.run_command("export_translations", "--language", "de", "--pages", "424242")

    def test_import_reports_and_exits_zero_on_partial_rejection(self):
        self.run_command("export_translations", "--language", "de", "--pages", str(self.news.pk), "-o", str(self.path))
        data = with_targets(self.path.read_bytes(), {self.unit_id(self.news, "summary"): "Per Befehl."})
        self.path.write_bytes(data.replace(f'id="{self.news.pk}:title"'.encode(), b'id="99999:title"'))
        out, _err = self.run_command("import_translations", str(self.path), "--user", "agency")
        self.assertIn(f"page {self.news.pk} “{self.news.title_zh_hans}”: new draft revision", out)
        self.assertIn("— summary", out)
        self.assertIn("Rejected (1):\n  99999:title: no page with id 99999", out)
        self.assertNotIn("unchanged\n", out, "unchanged units are only counted")
        self.assertRegex(out, r"1 fields changed on 1 pages; 1 rejected, 0 skipped, \d+ unchanged\.")
        self.assertEqual(self.latest(self.news).summary_de, "Per Befehl.")
        self.assertEqual(Revision.objects.get(pk=self.live(self.news).latest_revision_id).user, self.editor)
        with self.assertRaisesMessage(CommandError, "1 units were rejected"):
            self.run_command("import_translations", str(self.path), "--strict")

    def test_import_publish(self):
        self.path.write_bytes(
            with_targets(export_xliff("de", page_ids=[self.news.pk]), {self.unit_id(self.news, "summary"): "Live."})
        )
        out, _err = self.run_command("import_translations", str(self.path), "--publish")
        self.assertIn("published revision", out)
        self.assertEqual(self.live(self.news).summary_de, "Live.")

    def test_import_rejected_file_exits_non_zero(self):
        self.path.write_bytes(export_xliff("ru", page_ids=[self.news.pk]))
        with self.assertRaisesMessage(CommandError, "This file is for ru, not de"):
            self.run_command("import_translations", str(self.path), "--language", "de")
        self.path.write_bytes(b"<xliff version='1.2'><file>")
        with self.assertRaisesMessage(CommandError, "not well-formed XML (line 1, column"):
            self.run_command("import_translations", str(self.path))
        with self.assertRaisesMessage(CommandError, "No user named 'nobody'"):
            self.run_command("import_translations", str(self.path), "--user", "nobody")
        with self.assertRaisesMessage(CommandError, "Cannot read"):
            self.run_command("import_translations", str(self.path) + ".missing")


NESTED = 5000


def nested_g(text: str, depth: int = NESTED) -> str:
    """`text` inside `depth` nested XLIFF <g> elements (too deep for a recursive reader)."""
    return "".join(f'<g id="{i}">' for i in range(depth)) + text + "</g>" * depth


class HostileTargetTests(XliffTestCase):
    """Targets built to crash the import: each is one unit's problem, named, and the rest is imported."""

    def two_pages(self, news_summary: str, zone_body: str) -> bytes:
        """News first, the zone after it; the zone's body target replaced by raw XML `zone_body`."""
        placeholder = "ZONE-BODY-PLACEHOLDER"
        data = with_targets(
            export_xliff("de", page_ids=[self.news.pk, self.zone.pk]),
            {self.unit_id(self.news, "summary"): news_summary, self.unit_id(self.zone, "body"): placeholder},
        )
        self.assertIn(placeholder.encode(), data)
        return data.replace(placeholder.encode(), zone_body.encode())

    def test_link_id_that_is_not_a_number_is_removed_and_named(self):
        body = escape(
            '<p>Siehe <a linktype="page" id="1 onerror=x">hier</a> und <embed embedtype="image" id="2x"/>.</p>'
        )
        report = import_xliff(self.two_pages("Davor.", body))
        self.assertEqual(report.rejected, [])
        self.assertEqual(self.latest(self.news).summary_de, "Davor.")
        stored = self.latest(self.zone).body_de
        self.assertEqual(stored, "<p>Siehe hier und .</p>")
        [warning] = report.warnings
        self.assertEqual(warning.unit_id, self.unit_id(self.zone, "body"))
        self.assertIn("1 onerror=x", warning.message)
        self.assertIn("2x", warning.message)

    def test_deep_nesting_rejects_the_unit_only(self):
        report = import_xliff(self.two_pages("Davor.", nested_g("tief")))
        self.assertEqual(
            [(r.unit_id, r.message) for r in report.rejected],
            [(self.unit_id(self.zone, "body"), f"markup nested deeper than {MAX_INLINE_DEPTH} levels")],
        )
        self.assertEqual(self.latest(self.news).summary_de, "Davor.")
        self.assertEqual(self.latest(self.zone).body_de, self.zone.body_de)

    def test_deeply_nested_html_rejects_the_unit_only(self):
        html = escape("<p>" + "<b>" * NESTED + "tief" + "</b>" * NESTED + "</p>")
        report = import_xliff(self.two_pages("Davor.", html))
        self.assertEqual(len(report.rejected), 1)
        self.assertEqual(report.rejected[0].unit_id, self.unit_id(self.zone, "body"))
        self.assertIn("nested too deeply", report.rejected[0].message)
        self.assertEqual(self.latest(self.news).summary_de, "Davor.")

    def test_an_unexpected_error_on_a_page_leaves_that_page_alone(self):
        data = self.two_pages("Davor.", escape("<p>Neu.</p>"))
        with mock.patch.object(ZonePage, "save_revision", side_effect=ValueError("kaputt")):
            report = import_xliff(data)
        self.assertEqual(
            [(r.unit_id, r.message) for r in report.rejected],
            [(self.unit_id(self.zone, "body"), f"page {self.zone.pk} was not saved: kaputt")],
        )
        self.assertEqual(self.latest(self.news).summary_de, "Davor.")
        self.assertEqual(self.latest(self.zone).body_de, self.zone.body_de)

    def test_the_command_names_the_unit_and_goes_on(self):
        with TemporaryDirectory() as tmp:
            path = Path(tmp) / "hostile.xlf"
            path.write_bytes(self.two_pages("Per Befehl.", nested_g("tief")))
            out = StringIO()
            call_command("import_translations", str(path), stdout=out, stderr=StringIO())
        self.assertIn(f"{self.unit_id(self.zone, 'body')}: markup nested deeper than", out.getvalue())
        self.assertEqual(self.latest(self.news).summary_de, "Per Befehl.")


class CommandOwnershipTests(XliffTestCase):
    def test_a_translator_imports_only_their_languages_as_drafts(self):
        from django.contrib.auth.models import Group

        from portal.l10n.permissions import TRANSLATOR_GROUPS

        translator = get_user_model().objects.create_user("de-ru", password="x")
        translator.groups.add(
            Group.objects.get(name=TRANSLATOR_GROUPS["de"]), Group.objects.get(name=TRANSLATOR_GROUPS["ru"])
        )
        with TemporaryDirectory() as tmp:
            path = Path(tmp) / "en.xlf"
            path.write_bytes(
                with_targets(export_xliff("en", page_ids=[self.news.pk]), {self.unit_id(self.news, "summary"): "Hi."})
            )
            before = Revision.objects.count()
            with self.assertRaisesMessage(CommandError, "you may import only Deutsch, Русский. Nothing was imported."):
                call_command("import_translations", str(path), "--user", "de-ru", stdout=StringIO())
            self.assertEqual(Revision.objects.count(), before)
            german = export_xliff("de", page_ids=[self.news.pk])
            path.write_bytes(with_targets(german, {self.unit_id(self.news, "summary"): "Hallo."}))
            with self.assertRaisesMessage(CommandError, "their imports are drafts"):
                call_command("import_translations", str(path), "--user", "de-ru", "--publish", stdout=StringIO())
            self.assertEqual(Revision.objects.count(), before)
            call_command("import_translations", str(path), "--user", "de-ru", stdout=StringIO())
        self.assertEqual(self.latest(self.news).summary_de, "Hallo.")
        self.assertNotEqual(self.live(self.news).summary_de, "Hallo.")


def user_with_rights(name: str, page=None, *codenames: str):
    """An admin user with `codenames` (change_page, publish_page …) on `page` and its subtree, nothing more."""
    user = get_user_model().objects.create_user(name, password="x")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    if page is not None:
        group = Group.objects.create(name=f"{name} rights")
        for codename in codenames:
            GroupPagePermission.objects.create(
                group=group, page=page, permission=Permission.objects.get(codename=codename)
            )
        user.groups.add(group)
    return user


class PageRightsTests(XliffTestCase):
    """An import writes only into pages the user may edit (and publishes only what they may publish)."""

    def setUp(self):
        super().setUp()
        # The reasons are translated; compare them in English (the default language is Chinese).
        self.enterContext(translation.override("en"))

    def two_pages(self) -> bytes:
        targets = {self.unit_id(self.news, "summary"): "Ohne Rechte.", self.unit_id(self.zone, "body"): "<p>Zone.</p>"}
        data = with_targets(export_xliff("de", page_ids=[self.news.pk, self.zone.pk]), targets)
        return only_units(data, set(targets))

    def test_a_user_without_page_rights_writes_nothing(self):
        nobody = user_with_rights("nobody")
        before = Revision.objects.count()
        report = import_xliff(self.two_pages(), user=nobody)
        self.assertEqual(Revision.objects.count(), before, "no revision is saved")
        self.assertEqual(
            {(r.unit_id, r.message) for r in report.rejected},
            {
                (self.unit_id(self.news, "summary"), f"you may not edit page {self.news.pk}"),
                (self.unit_id(self.zone, "body"), f"you may not edit page {self.zone.pk}"),
            },
        )
        self.assertEqual(report.changed_count, 0)
        self.assertEqual(self.latest(self.news).summary_de, self.news.summary_de)

    def test_rights_on_one_section_import_that_section_only(self):
        zones = user_with_rights("zones-only", self.zone.get_parent(), "change_page")
        report = import_xliff(self.two_pages(), user=zones)
        self.assertEqual(self.latest(self.zone).body_de, "<p>Zone.</p>")
        self.assertEqual(self.latest(self.news).summary_de, self.news.summary_de)
        self.assertEqual(
            [(r.unit_id, r.message) for r in report.rejected],
            [(self.unit_id(self.news, "summary"), f"you may not edit page {self.news.pk}")],
        )

    def test_publishing_needs_publish_rights_on_each_page(self):
        # publish on the zones, only change on the news
        zones = user_with_rights("zone-publisher", self.zone.get_parent(), "change_page", "publish_page")
        GroupPagePermission.objects.create(
            group=zones.groups.get(),
            page=self.news.get_parent(),
            permission=Permission.objects.get(codename="change_page"),
        )
        report = import_xliff(self.two_pages(), publish=True, user=zones)
        self.assertEqual(self.live(self.zone).body_de, "<p>Zone.</p>", "published where they may publish")
        self.assertEqual(self.latest(self.news).summary_de, self.news.summary_de, "not even a draft")
        self.assertEqual(
            [(r.unit_id, r.message) for r in report.rejected],
            [
                (
                    self.unit_id(self.news, "summary"),
                    f"you may not publish page {self.news.pk}; import it without publishing",
                )
            ],
        )
        # an editor without publishing rights anywhere
        report = import_xliff(self.two_pages(), publish=True, user=self.editor)
        self.assertEqual(len(report.rejected), 2)
        self.assertEqual(self.live(self.news).summary_de, self.news.summary_de)

    def test_a_page_in_moderation_is_locked_for_non_reviewers(self):
        workflow = Workflow.objects.get(workflow_pages__page__depth=1)
        workflow.start(self.live(self.news), self.editor)
        report = import_xliff(self.two_pages(), user=self.editor)
        self.assertEqual(
            [(r.unit_id, r.message) for r in report.rejected],
            [(self.unit_id(self.news, "summary"), f"page {self.news.pk} is awaiting moderation and locked for you")],
        )
        self.assertEqual(self.latest(self.news).summary_de, self.news.summary_de)
        self.assertEqual(self.latest(self.zone).body_de, "<p>Zone.</p>", "the other page is imported")
        # the moderators reviewing it may still change it
        moderator = get_user_model().objects.create_user("moderator", password="x")
        moderator.groups.add(Group.objects.get(name="Moderators"))
        report = import_xliff(self.two_pages(), user=moderator)
        self.assertEqual(report.rejected, [])
        self.assertEqual(self.latest(self.news).summary_de, "Ohne Rechte.")

    def test_a_page_scheduled_for_publishing_is_locked(self):
        from datetime import timedelta

        from django.utils import timezone

        draft = self.latest(self.news)
        draft.go_live_at = timezone.now() + timedelta(days=1)
        draft.save_revision().publish()
        superuser = get_user_model().objects.create_superuser("boss", "boss@example.com", "x")
        report = import_xliff(self.two_pages(), user=superuser)
        self.assertEqual(
            [(r.unit_id, r.message) for r in report.rejected],
            [
                (
                    self.unit_id(self.news, "summary"),
                    f"page {self.news.pk} is scheduled for publishing and locked until then",
                )
            ],
        )
        self.assertEqual(self.latest(self.zone).body_de, "<p>Zone.</p>")

    def test_the_command_follows_the_same_rules(self):
        user_with_rights("nobody")
        with TemporaryDirectory() as tmp:
            path = Path(tmp) / "work.xlf"
            path.write_bytes(self.two_pages())
            before = Revision.objects.count()
            out = StringIO()
            call_command("import_translations", str(path), "--user", "nobody", stdout=out)
            self.assertIn(f"{self.unit_id(self.news, 'summary')}: you may not edit page {self.news.pk}", out.getvalue())
            self.assertEqual(Revision.objects.count(), before)
            out = StringIO()
            call_command("import_translations", str(path), "--user", "agency", "--publish", stdout=out)
            self.assertIn(f"you may not publish page {self.zone.pk}", out.getvalue())
            self.assertEqual(Revision.objects.count(), before)
