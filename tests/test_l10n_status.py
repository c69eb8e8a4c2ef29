"""Translation status: complete, missing, outdated; confirming clears outdated."""

from pathlib import Path

from django.conf import settings
from django.test import TestCase

from news.models import NewsPage
from portal.fixtures import load_all
from portal.l10n import status
from portal.l10n.models import TranslationStatus


def state(page, language):
    return TranslationStatus.objects.get(page=page, language=language)


class StatusTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_all(Path(settings.FIXTURE_DIRS[0]))
        cls.news = NewsPage.objects.get(date="2021-04-12")

    def edit(self, **values):
        page = NewsPage.objects.get(pk=self.news.pk).get_latest_revision_as_object()
        for name, value in values.items():
            setattr(page, name, value)
        page.save_revision()
        return page

    def test_seed_fixtures_are_complete_everywhere(self):
        rows = TranslationStatus.objects.all()
        from wagtail.models import Page

        self.assertEqual(rows.count(), Page.objects.filter(depth__gt=1).count() * 4)
        self.assertEqual(sorted({r.state for r in rows}), ["complete"])
        row = state(self.news, "de")
        self.assertEqual(row.filled, row.expected)
        self.assertGreater(row.expected, 5)

    def test_emptied_fields_are_missing_in_that_language_only(self):
        self.edit(summary_de="", byline_de="", body_de="<p></p>")
        row = state(self.news, "de")
        self.assertEqual(row.state, "missing")
        self.assertIn("summary", row.missing_fields)
        self.assertIn("body", row.missing_fields)
        self.assertEqual(row.filled, row.expected - len(row.missing_fields))
        self.assertEqual(state(self.news, "ru").state, "complete")

    def test_changed_source_field_is_outdated_in_every_other_language(self):
        self.edit(summary_zh_hans=self.news.summary_zh_hans + "（更新）")
        for language in ("en", "de", "ru"):
            row = state(self.news, language)
            self.assertEqual(row.state, "outdated", language)
            self.assertEqual(row.outdated_fields, ["summary"], language)
        self.assertEqual(state(self.news, "zh-hans").state, "complete")

    def test_changing_a_translation_marks_nothing(self):
        self.edit(summary_en="A new English summary")
        for language in ("zh-hans", "en", "de", "ru"):
            self.assertEqual(state(self.news, language).state, "complete", language)

    def test_updating_or_confirming_clears_outdated(self):
        self.edit(summary_zh_hans="新的摘要", title_zh_hans=self.news.title_zh_hans + "！")
        self.edit(summary_de="Neue Zusammenfassung")
        self.assertEqual(state(self.news, "de").outdated_fields, ["title"])
        status.confirm(self.news, "de", ["title"])
        self.assertEqual(state(self.news, "de").state, "complete")
        self.assertEqual(sorted(state(self.news, "ru").outdated_fields), ["summary", "title"])
        status.confirm(self.news, "ru")
        self.assertEqual(state(self.news, "ru").state, "complete")

    def test_inline_fields_are_tracked(self):
        from zones.models import ZonePage

        scoda = ZonePage.objects.get(title_en__contains="(SCODA)")
        page = scoda.get_latest_revision_as_object()
        facts = list(page.facts.all())
        facts[0].value_zh_hans = "22"
        page.facts = facts
        page.save_revision()
        row = state(scoda, "en")
        self.assertEqual(row.outdated_fields, ["facts[0].value"])
        from django.utils import translation

        with translation.override("en"):
            self.assertEqual(status.field_label(scoda, "facts[0].value"), "Fact #1 · value")
