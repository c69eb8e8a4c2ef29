"""SearchEntry, TranslationRecord and TranslationStatus left the portal app for their own apps
(search, l10n) without losing a row: rows written before the move are read back after it through
the new models, and again after migrating back. Runs on the engine DATABASE_URL names."""

from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase

from wagtail.models import Locale, Page

from portal.l10n.models import TranslationRecord, TranslationStatus
from portal.search.models import SearchEntry

BEFORE = [("portal", "0006_search_entry_title_vector"), ("search", None), ("l10n", None)]
MOVED = {"searchentry": "search", "translationrecord": "l10n", "translationstatus": "l10n"}


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    # The state the targets name ("app", None: that app has no migration applied left out).
    return MigrationExecutor(connection).loader.project_state([t for t in targets if t[1]]).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


class MoveToOwnAppsTests(TransactionTestCase):
    def setUp(self):
        root = Page.get_first_root_node()
        if root is None:  # another TransactionTestCase flushed the tree away
            Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
            root = Page.add_root(instance=Page(title_zh_hans="Root", slug_zh_hans="root"))
        self.page = root
        self.user = get_user_model().objects.create_user("translator", password="x")  # noqa: S106
        self.page_type = ContentType.objects.get_for_model(Page)

    def tearDown(self):
        migrate(latest())  # whatever happened, the next test finds the schema it expects

    def write_before_the_move(self) -> dict:
        old = migrate(BEFORE)
        self.assertEqual(
            {"portal_searchentry", "portal_translationrecord", "portal_translationstatus"} & tables(),
            {"portal_searchentry", "portal_translationrecord", "portal_translationstatus"},
        )
        old_types = old.get_model("contenttypes", "ContentType")
        type_ids = {}
        for model in MOVED:
            # An existing site's content types (permissions point at them) are portal's before the move.
            old_types.objects.filter(model=model).delete()
            type_ids[model] = old_types.objects.create(app_label="portal", model=model).pk
        old.get_model("portal", "SearchEntry").objects.create(
            page_id=self.page.pk,
            language="de",
            content_type_id=self.page_type.pk,
            title="Logistik",
            body="Häfen und Bahnen",
            search_text="logistik\nhäfen und bahnen",
            date=date(2024, 5, 1),
        )
        old.get_model("portal", "TranslationRecord").objects.create(
            page_id=self.page.pk, field="title", language="ru", source_digest="a" * 40, updated_by_id=self.user.pk
        )
        old.get_model("portal", "TranslationStatus").objects.create(
            page_id=self.page.pk,
            language="ru",
            state="outdated",
            expected=3,
            filled=2,
            missing_fields=["summary"],
            outdated_fields=["title"],
        )
        return type_ids

    def assert_rows(self, entry, record, status):
        self.assertEqual(
            (entry.page_id, entry.language, entry.content_type_id, entry.title, entry.body, entry.date),
            (self.page.pk, "de", self.page_type.pk, "Logistik", "Häfen und Bahnen", date(2024, 5, 1)),
        )
        self.assertEqual(entry.search_text, "logistik\nhäfen und bahnen")
        self.assertEqual(
            (record.page_id, record.field, record.language, record.source_digest, record.updated_by_id),
            (self.page.pk, "title", "ru", "a" * 40, self.user.pk),
        )
        self.assertEqual(
            (status.state, status.expected, status.filled, status.missing_fields, status.outdated_fields),
            ("outdated", 3, 2, ["summary"], ["title"]),
        )

    def test_rows_survive_the_move_and_the_way_back(self):
        type_ids = self.write_before_the_move()

        migrate(latest())
        self.assertFalse({"portal_searchentry", "portal_translationrecord", "portal_translationstatus"} & tables())
        self.assertLessEqual({"search_searchentry", "l10n_translationrecord", "l10n_translationstatus"}, tables())
        self.assert_rows(
            SearchEntry.objects.get(), TranslationRecord.objects.get(), TranslationStatus.objects.get(language="ru")
        )
        # The content types moved with the models: same rows, so their permissions stay attached.
        for model, app_label in MOVED.items():
            self.assertEqual(ContentType.objects.get(app_label=app_label, model=model).pk, type_ids[model])
            self.assertFalse(ContentType.objects.filter(app_label="portal", model=model).exists())
        # The new tables take new rows after the old ones.
        SearchEntry.objects.create(
            page=self.page, language="en", content_type=self.page_type, title="t", body="b", search_text="t\nb"
        )
        self.assertEqual(SearchEntry.objects.count(), 2)

        old = migrate(BEFORE)
        self.assertFalse({"search_searchentry", "l10n_translationrecord", "l10n_translationstatus"} & tables())
        self.assert_rows(
            old.get_model("portal", "SearchEntry").objects.get(language="de"),
            old.get_model("portal", "TranslationRecord").objects.get(),
            old.get_model("portal", "TranslationStatus").objects.get(language="ru"),
        )
        old_types = old.get_model("contenttypes", "ContentType")
        for model in MOVED:
            self.assertEqual(old_types.objects.get(app_label="portal", model=model).pk, type_ids[model])

    def test_search_indexes_follow_the_table(self):
        """The indexes and constraints keep their names on the renamed table (PostgreSQL: the GIN
        index per language of portal 0006 too), so the search's query plans do not change."""
        migrate(latest())
        with connection.cursor() as cursor:
            names = set(connection.introspection.get_constraints(cursor, SearchEntry._meta.db_table))
        expected = {"search_entry_page_language", "search_entry_language_date"}
        if connection.vendor == "postgresql":
            expected |= {"search_entry_vector_zh_hans", "search_entry_vector_en", "search_entry_vector_de"}
            expected |= {"search_entry_vector_ru"}
        self.assertLessEqual(expected, names)
