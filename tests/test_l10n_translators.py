"""A German translator edits German fields only, through the admin's own forms."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import TestCase

from wagtail.models import Revision, Workflow, WorkflowState
from wagtail.test.utils.form_data import querydict_from_html, rich_text
from wagtail.users.models import UserProfile

from bs4 import BeautifulSoup

from news.models import NewsPage
from portal.fixtures import load_all
from portal.l10n.permissions import TRANSLATOR_GROUPS, PortalPagePermissionTester, translator_languages
from tests.helpers import form_data
from zones.models import ZoneFact, ZonePage


class GermanTranslatorTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_all(Path(settings.FIXTURE_DIRS[0]))
        cls.news = NewsPage.objects.get(date="2021-04-12")
        User = get_user_model()
        cls.translator = User.objects.create_user("uebersetzer", password="pw")
        cls.translator.groups.add(Group.objects.get(name=TRANSLATOR_GROUPS["de"]))
        # she works in a German admin
        UserProfile.get_for_user(cls.translator).__class__.objects.filter(user=cls.translator).update(
            preferred_language="de"
        )
        cls.editor = User.objects.create_user("editor", password="pw")
        cls.editor.groups.add(Group.objects.get(name="Editors"), Group.objects.get(name=TRANSLATOR_GROUPS["de"]))

    def setUp(self):
        self.client.force_login(self.translator)
        self.edit_url = f"/admin/pages/{self.news.pk}/edit/"

    def form(self):
        response = self.client.get(self.edit_url)
        self.assertEqual(response.status_code, 200)
        return response, querydict_from_html(response.content.decode(), form_id="page-edit-form")

    def post(self, data):
        return self.client.post(self.edit_url, form_data(data))

    def revisions(self):
        return Revision.page_revisions.filter(object_id=str(self.news.pk)).count()

    def test_groups_and_languages(self):
        self.assertEqual(translator_languages(self.translator), {"de"})
        self.assertEqual(translator_languages(self.editor), set(), "editors keep full rights")

    def test_other_fields_are_read_only_in_the_editor(self):
        response, _data = self.form()
        form = response.context["form"]
        self.assertFalse(form.fields["title_de"].disabled)
        self.assertFalse(form.fields["body_de"].disabled)
        for name in ("title_zh_hans", "title_ru", "body_en", "date", "related_zones", "press_contact_phone"):
            self.assertTrue(form.fields[name].disabled, name)

    def test_translator_saves_german_as_a_draft(self):
        _response, data = self.form()
        data["title_de"] = "Neuer deutscher Titel"
        data["summary_de"] = "Neue Zusammenfassung"
        data["body_de"] = rich_text("<p>Neuer Text</p>")
        before = self.revisions()
        response = self.post(data)
        self.assertEqual(response.status_code, 302, response.content[:3000])
        self.assertEqual(self.revisions(), before + 1)
        draft = NewsPage.objects.get(pk=self.news.pk).get_latest_revision_as_object()
        self.assertEqual(draft.title_de, "Neuer deutscher Titel")
        self.assertIn("Neuer Text", draft.body_de)
        self.assertEqual(draft.title_ru, self.news.title_ru)
        live = NewsPage.objects.get(pk=self.news.pk)
        self.assertEqual(live.title_de, self.news.title_de, "a draft does not change the live page")

    def assert_refused(self, **changes):
        _response, data = self.form()
        data["title_de"] = "Erlaubt"
        for key, value in changes.items():
            data[key] = value
        before = self.revisions()
        response = self.post(data)
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn("Nichts wurde gespeichert", html)
        for key in changes:
            self.assertIn(key, html)
        self.assertEqual(self.revisions(), before, "the page is unchanged")
        return response

    def test_cannot_change_russian_or_chinese(self):
        self.assert_refused(title_ru="Взлом")
        self.assert_refused(summary_zh_hans="改动")

    def test_cannot_change_dates_or_links(self):
        self.assert_refused(date="1999-01-01")
        self.assert_refused(press_contact_phone="+1 555")
        zone_ids = [str(z.pk) for z in self.news.related_zones.all()]
        other = NewsPage.objects.exclude(pk=self.news.pk).first().related_zones.exclude(pk__in=zone_ids).first()
        _response, data = self.form()
        data.setlist("related_zones", [*zone_ids, str(other.pk)])
        before = self.revisions()
        response = self.post(data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("related_zones", response.content.decode())
        self.assertEqual(self.revisions(), before)

    def test_cannot_publish(self):
        _response, data = self.form()
        data["title_de"] = "Veröffentlichen?"
        data["action-publish"] = "publish"
        self.post(data)
        live = NewsPage.objects.get(pk=self.news.pk)
        self.assertEqual(live.title_de, self.news.title_de, "the live page is unchanged")
        self.assertFalse(live.permissions_for_user(self.translator).can_publish())
        self.assertNotIn('name="action-publish"', self.client.get(self.edit_url).content.decode())

    def test_cannot_delete_or_move(self):
        self.assertEqual(self.client.get(f"/admin/pages/{self.news.pk}/delete/").status_code, 302)
        self.assertTrue(NewsPage.objects.filter(pk=self.news.pk).exists())
        move = self.client.get(f"/admin/pages/{self.news.pk}/move/")
        self.assertNotEqual(move.status_code, 200)

    def test_submit_for_moderation(self):
        _response, data = self.form()
        data["title_de"] = "Zur Prüfung"
        data["action-submit"] = "submit"
        response = self.post(data)
        self.assertEqual(response.status_code, 302, response.content[:2000])
        self.assertTrue(
            WorkflowState.objects.filter(base_content_type__isnull=False, object_id=str(self.news.pk)).exists()
        )

    def test_editor_keeps_full_rights(self):
        self.client.force_login(self.editor)
        _response, data = self.form()
        data["title_ru"] = "Редактор может"
        response = self.post(data)
        self.assertEqual(response.status_code, 302)
        draft = NewsPage.objects.get(pk=self.news.pk).get_latest_revision_as_object()
        self.assertEqual(draft.title_ru, "Редактор может")


def as_a_browser_sends_it(html: str):
    """The editor form's data as a browser posts it: inputs rendered `disabled` are left out."""
    soup = BeautifulSoup(html, "html.parser")
    for element in soup.select("[disabled]"):
        element.decompose()
    return querydict_from_html(str(soup), form_id="page-edit-form")


class TranslatorInlineItemsTests(TestCase):
    """A zone's facts: their texts in the translator's language only; ids, order and number as rendered."""

    @classmethod
    def setUpTestData(cls):
        load_all(Path(settings.FIXTURE_DIRS[0]))
        cls.zone = ZonePage.objects.get(title_en__contains="(SCODA)")
        cls.translator = get_user_model().objects.create_user("uebersetzerin", password="pw")
        cls.translator.groups.add(Group.objects.get(name=TRANSLATOR_GROUPS["de"]))
        UserProfile.get_for_user(cls.translator).__class__.objects.filter(user=cls.translator).update(
            preferred_language="en"
        )

    def setUp(self):
        self.client.force_login(self.translator)
        self.edit_url = f"/admin/pages/{self.zone.pk}/edit/"
        self.facts = list(self.zone.facts.all())
        self.assertGreater(len(self.facts), 1)

    def form(self):
        response = self.client.get(self.edit_url)
        self.assertEqual(response.status_code, 200)
        return as_a_browser_sends_it(response.content.decode())

    def revisions(self):
        return Revision.page_revisions.filter(object_id=str(self.zone.pk)).count()

    def latest(self):
        return ZonePage.objects.get(pk=self.zone.pk).get_latest_revision_as_object()

    def test_the_formsets_own_inputs_are_sent(self):
        data = self.form()
        for key in ("facts-TOTAL_FORMS", "facts-INITIAL_FORMS", "facts-0-id", "facts-0-ORDER", "facts-0-DELETE"):
            self.assertIn(key, data)
        self.assertNotIn("facts-0-as_of", data, "a non-linguistic field of an item stays disabled")
        self.assertNotIn("facts-0-label_ru", data)

    def test_saves_an_items_german_text(self):
        data = self.form()
        data["title_de"] = "Neuer Titel"
        data["facts-1-label_de"] = "Neue Bezeichnung"
        before = self.revisions()
        response = self.client.post(self.edit_url, form_data(data))
        self.assertEqual(response.status_code, 302, response.content[:3000])
        self.assertEqual(self.revisions(), before + 1)
        draft = self.latest()
        self.assertEqual(draft.title_de, "Neuer Titel")
        facts = list(draft.facts.all())
        self.assertEqual([f.pk for f in facts], [f.pk for f in self.facts], "same items in the same order")
        self.assertEqual(facts[1].label_de, "Neue Bezeichnung")
        self.assertEqual([f.label_ru for f in facts], [f.label_ru for f in self.facts])
        self.assertEqual([f.as_of for f in facts], [f.as_of for f in self.facts])

    def test_saves_when_an_editor_added_an_item_in_a_draft(self):
        # an item added in a draft of a live page has no id yet: the form renders it with an empty one
        latest = self.latest()
        latest.facts.add(ZoneFact(label_zh_hans="新增", value_zh_hans="1", sort_order=len(self.facts)))
        latest.save_revision()
        self.assertIsNone(list(self.latest().facts.all())[-1].pk)
        data = self.form()
        data["title_de"] = "Mit neuem Eintrag"
        before = self.revisions()
        response = self.client.post(self.edit_url, form_data(data))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.revisions(), before + 1)
        facts = list(self.latest().facts.all())
        self.assertEqual(len(facts), len(self.facts) + 1)
        self.assertEqual(facts[-1].label_zh_hans, "新增", [(f.pk, f.sort_order, f.label_zh_hans) for f in facts])

    def assert_refused(self, message: str, **changes):
        data = self.form()
        data["title_de"] = "Erlaubt"
        for key, value in changes.items():
            data[key] = value
        before = self.revisions()
        response = self.client.post(self.edit_url, form_data(data))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(message in response.content.decode(), f"not refused with “{message}”")
        self.assertEqual(self.revisions(), before, "nothing was saved")

    def test_cannot_swap_reorder_or_change_items(self):
        first, second = self.facts[0].pk, self.facts[1].pk
        self.assert_refused("facts: 1.id", **{"facts-0-id": str(second), "facts-1-id": str(first)})
        self.assert_refused("facts: 1.ORDER", **{"facts-0-ORDER": "2", "facts-1-ORDER": "1"})
        self.assert_refused("facts: as_of", **{"facts-0-as_of": "1999-01-01"})
        self.assert_refused("facts: label_ru", **{"facts-0-label_ru": "Взлом"})

    def test_cannot_add_or_remove_items(self):
        removed = "Translators cannot add or remove items (facts)."
        self.assert_refused(removed, **{"facts-0-DELETE": "1"})
        self.assert_refused(removed, **{"facts-INITIAL_FORMS": str(len(self.facts) - 1)})
        total = len(self.facts)
        self.assert_refused(
            removed,
            **{"facts-TOTAL_FORMS": str(total + 1), f"facts-{total}-label_de": "Neu", f"facts-{total}-value_de": "1"},
        )


class TranslatorDestructiveActionsTests(TestCase):
    """Translators cannot delete, move, copy, unpublish, revert or take over others' pages; editors can."""

    @classmethod
    def setUpTestData(cls):
        load_all(Path(settings.FIXTURE_DIRS[0]))
        User = get_user_model()
        cls.translator = User.objects.create_user("uebersetzer", password="pw")
        cls.translator.groups.add(Group.objects.get(name=TRANSLATOR_GROUPS["de"]))
        cls.editor = User.objects.create_user("redakteurin", password="pw")
        cls.editor.groups.add(Group.objects.get(name="Editors"), Group.objects.get(name="Moderators"))
        cls.live = NewsPage.objects.get(date="2021-04-12")
        cls.index = cls.live.get_parent()
        # an editor's unpublished leaf page: what Wagtail lets "change" holders delete
        cls.draft = cls.index.add_child(
            instance=NewsPage(
                title_zh_hans="编辑的草稿",
                slug_zh_hans="editors-draft",
                date="2024-01-01",
                live=False,
                owner=cls.editor,
            )
        )
        cls.draft.save_revision(user=cls.editor)
        cls.old_revision = cls.live.save_revision(user=cls.editor)
        page = cls.live.get_latest_revision_as_object()
        page.title_de = "Spätere Fassung"
        page.save_revision(user=cls.editor)

    def setUp(self):
        self.client.force_login(self.translator)

    def assert_refused(self, url: str, data=None):
        for method in ("get", "post"):
            response = getattr(self.client, method)(url, data or {})
            self.assertIn(response.status_code, (302, 403), f"{method.upper()} {url}")
            if response.status_code == 302:
                self.assertNotIn(url, response["Location"])

    def exists(self, page) -> bool:
        return NewsPage.objects.filter(pk=page.pk).exists()

    def test_cannot_delete_an_editors_draft(self):
        self.assert_refused(f"/admin/pages/{self.draft.pk}/delete/")
        self.assertTrue(self.exists(self.draft))
        self.assert_refused(f"/admin/pages/{self.live.pk}/delete/")
        self.assertTrue(self.exists(self.live))

    def test_cannot_bulk_delete_move_publish_or_unpublish(self):
        for action in ("delete", "move", "publish", "unpublish"):
            url = f"/admin/bulk/wagtailcore/page/{action}/?id={self.draft.pk}&id={self.live.pk}&next=/admin/"
            response = self.client.post(url, {"chooser": self.index.pk})
            self.assertIn(response.status_code, (200, 302, 403), action)
            self.assertTrue(self.exists(self.draft), action)
            self.assertTrue(NewsPage.objects.get(pk=self.live.pk).live, action)
            self.assertEqual(NewsPage.objects.get(pk=self.draft.pk).get_parent().pk, self.index.pk, action)

    def test_cannot_move_or_copy(self):
        destination = self.index.get_parent()
        self.assert_refused(f"/admin/pages/{self.draft.pk}/move/", {"new_parent_page": destination.pk})
        self.assert_refused(f"/admin/pages/{self.draft.pk}/move/{destination.pk}/confirm/")
        self.assertEqual(NewsPage.objects.get(pk=self.draft.pk).get_parent().pk, self.index.pk)
        count = NewsPage.objects.count()
        self.assert_refused(
            f"/admin/pages/{self.live.pk}/copy/",
            {"new_title_zh_hans": "副本", "new_slug": "copy", "new_parent_page": self.index.pk},
        )
        self.assertEqual(NewsPage.objects.count(), count)

    def test_cannot_unpublish_or_unschedule(self):
        self.assert_refused(f"/admin/pages/{self.live.pk}/unpublish/")
        self.assertTrue(NewsPage.objects.get(pk=self.live.pk).live)
        self.assert_refused(f"/admin/pages/{self.live.pk}/revisions/{self.old_revision.pk}/unschedule/")

    def test_cannot_revert_to_an_old_revision(self):
        before = Revision.page_revisions.filter(object_id=str(self.live.pk)).count()
        url = f"/admin/pages/{self.live.pk}/revisions/{self.old_revision.pk}/revert/"
        response = self.client.get(url)
        self.assertEqual(response.status_code, 302)
        data = querydict_from_html(
            self.client.get(f"/admin/pages/{self.live.pk}/edit/").content.decode(), form_id="page-edit-form"
        )
        response = self.client.post(url, form_data(data))
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Revision.page_revisions.filter(object_id=str(self.live.pk)).count(), before)

    def test_cannot_lock_or_unlock_others_pages(self):
        self.client.post(f"/admin/pages/{self.live.pk}/lock/")
        self.assertFalse(NewsPage.objects.get(pk=self.live.pk).locked)
        NewsPage.objects.filter(pk=self.draft.pk).update(locked=True, locked_by=self.editor)
        self.client.post(f"/admin/pages/{self.draft.pk}/unlock/")
        self.assertTrue(NewsPage.objects.get(pk=self.draft.pk).locked)

    def test_cannot_cancel_an_editors_workflow(self):
        workflow = Workflow.objects.get(workflow_pages__page__depth=1)
        state = workflow.start(self.live, self.editor)
        data = querydict_from_html(
            self.client.get(f"/admin/pages/{self.live.pk}/edit/").content.decode(), form_id="page-edit-form"
        )
        data["action-cancel-workflow"] = "cancel"
        self.client.post(f"/admin/pages/{self.live.pk}/edit/", form_data(data))
        state.refresh_from_db()
        self.assertEqual(state.status, WorkflowState.STATUS_IN_PROGRESS)

    def test_not_offered_in_the_listing(self):
        html = self.client.get(f"/admin/pages/{self.index.pk}/").content.decode()
        self.assertIn(f"/admin/pages/{self.draft.pk}/edit/", html)
        for action in ("delete", "move", "copy", "unpublish"):
            self.assertNotIn(f"/admin/pages/{self.draft.pk}/{action}/", html, action)
            self.assertNotIn(f"/admin/pages/{self.live.pk}/{action}/", html, action)

    def test_permission_tester_says_no(self):
        perms = self.draft.permissions_for_user(self.translator)
        tester = PortalPagePermissionTester(self.translator, self.draft)
        self.assertTrue(perms.can_edit() and tester.can_edit())
        for name in ("can_delete", "can_move", "can_copy", "can_unpublish", "can_lock"):
            self.assertFalse(getattr(tester, name)(), name)
        self.assertTrue(PortalPagePermissionTester(self.editor, self.draft).can_delete(), "editors keep their rights")

    def test_editors_keep_full_rights(self):
        self.client.force_login(self.editor)
        self.assertEqual(self.client.get(f"/admin/pages/{self.draft.pk}/move/").status_code, 200)
        self.assertEqual(self.client.get(f"/admin/pages/{self.live.pk}/copy/").status_code, 200)
        html = self.client.get(f"/admin/pages/{self.index.pk}/").content.decode()
        self.assertIn(f"/admin/pages/{self.draft.pk}/delete/", html)
        response = self.client.post(f"/admin/pages/{self.draft.pk}/delete/")
        self.assertEqual(response.status_code, 302)
        self.assertFalse(self.exists(self.draft))
