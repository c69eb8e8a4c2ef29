"""The zone desks' inbox (portal/inquiries/admin_views.py): each desk sees its zones' inquiries and
nothing else — in the list, the handling page, the exports, the report, and crafted URLs and POSTs;
answers are stored and e-mailed in the inquirer's language; hostile text stays text."""

import csv
import io
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

import openpyxl
from django_tasks_db.models import DBTaskResult

from portal.inquiries.admin_views import first_answer_rows
from portal.inquiries.models import Inquiry, InquiryEvent, Kind, Status, ZoneDesk
from portal.l10n.permissions import TRANSLATOR_GROUPS
from tests.factories import InquiryFactory, build_site

SCRIPT = "<script>alert('x')</script>"
FORMULA = '=HYPERLINK("http://evil.example","click")'


def desk_group(name, zone):
    group = Group.objects.create(name=name)
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    ZoneDesk.objects.create(zone=zone, group=group)
    return group


def make_user(username, *groups):
    user = get_user_model().objects.create_user(username=username, password="pw", email=f"{username}@example.org")
    user.groups.add(*groups)
    return user


class InboxTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=0)
        cls.zone, cls.branch, cls.other = cls.site["zone"], cls.site["branch"], cls.site["other_zone"]
        cls.desk_a = desk_group("Desk – A", cls.zone)
        cls.desk_b = desk_group("Desk – B", cls.other)
        cls.editor = make_user("editor", Group.objects.get(name="Editors"))
        cls.staff_a = make_user("staff-a", cls.desk_a)
        cls.staff_b = make_user("staff-b", cls.desk_b)
        cls.translator = make_user("translator", Group.objects.get(name=TRANSLATOR_GROUPS["en"]))
        cls.in_zone = InquiryFactory(zone_of_interest=cls.zone, language="ru", organisation="Zone Org")
        cls.in_branch = InquiryFactory(zone_of_interest=cls.branch, organisation="Branch Org")
        cls.in_other = InquiryFactory(zone_of_interest=cls.other, organisation="Other Org")
        cls.central = InquiryFactory(zone_of_interest=None, organisation="Central Org")
        cls.spam = InquiryFactory(zone_of_interest=cls.zone, organisation="Spam Org", status=Status.SPAM)

    def index(self, user, query=""):
        self.client.force_login(user)
        return self.client.get(reverse("inquiries:index") + query)

    def listed(self, response) -> set[str]:
        return {i.reference for i in response.context["object_list"]}


class VisibilityTests(InboxTestCase):
    def test_editors_see_every_zones_inquiries_and_the_central_desks(self):
        response = self.index(self.editor)
        self.assertEqual(response.status_code, 200)
        expected = {self.in_zone, self.in_branch, self.in_other, self.central}
        self.assertEqual(self.listed(response), {i.reference for i in expected})

    def test_held_spam_is_listed_when_asked_for(self):
        response = self.index(self.editor, "?status=spam")
        self.assertEqual(self.listed(response), {self.spam.reference})

    def test_zone_staff_see_their_zone_and_its_branch_parks_only(self):
        response = self.index(self.staff_a)
        self.assertEqual(self.listed(response), {self.in_zone.reference, self.in_branch.reference})
        self.assertNotContains(response, "Other Org")
        self.assertNotContains(response, "Central Org")
        response = self.index(self.staff_b)
        self.assertEqual(self.listed(response), {self.in_other.reference})

    def test_search_and_filters_stay_inside_the_desk(self):
        response = self.index(self.staff_a, "?q=Other+Org")
        self.assertEqual(self.listed(response), set())
        response = self.index(self.staff_a, f"?desk={self.other.pk}")
        self.assertNotIn(self.in_other.reference, self.listed(response))
        response = self.index(self.staff_a, "?q=Branch")
        self.assertEqual(self.listed(response), {self.in_branch.reference})

    def test_users_without_a_desk_are_refused(self):
        for user in (self.translator,):
            self.client.force_login(user)
            for url in (
                reverse("inquiries:index"),
                reverse("inquiries:edit", args=[self.in_zone.pk]),
                reverse("inquiries:index") + "?export=csv",
                reverse("inquiries_first_answer"),
            ):
                response = self.client.get(url)
                self.assertIn(response.status_code, (302, 403), url)
                self.assertNotContains(response, self.in_zone.email, status_code=response.status_code)

    def test_the_menu_shows_the_inbox_to_desks_and_editors_only(self):
        for user, shown in ((self.staff_a, True), (self.editor, True), (self.translator, False)):
            self.client.force_login(user)
            response = self.client.get(reverse("wagtailadmin_home"))
            self.assertEqual(reverse("inquiries:index") in response.content.decode(), shown, user)

    def test_another_zones_inquiry_is_not_found_by_id(self):
        self.client.force_login(self.staff_a)
        for inquiry in (self.in_other, self.central):
            # (LocaleMiddleware sends an admin 404 on to the language-prefixed address, which 404s too)
            response = self.client.get(reverse("inquiries:edit", args=[inquiry.pk]), follow=True)
            self.assertEqual(response.status_code, 404)
            self.assertNotContains(response, inquiry.email, status_code=404)
        response = self.client.get(reverse("inquiries:edit", args=[999999]), follow=True)
        self.assertEqual(response.status_code, 404)

    def test_no_view_of_one_inquiry_opens_another_zones(self):
        self.client.force_login(self.staff_a)
        for name in ("edit", "history", "history_results", "usage", "delete"):
            for inquiry in (self.in_other, self.central):
                response = self.client.get(reverse(f"inquiries:{name}", args=[inquiry.pk]), follow=True)
                self.assertEqual(response.status_code, 404, name)
                self.assertNotContains(response, inquiry.reference, status_code=404)
            response = self.client.get(reverse(f"inquiries:{name}", args=[self.in_zone.pk]), follow=True)
            self.assertNotEqual(response.status_code, 404, name)

    def test_a_crafted_post_for_another_zones_inquiry_changes_nothing(self):
        self.client.force_login(self.staff_a)
        response = self.client.post(
            reverse("inquiries:edit", args=[self.in_other.pk]),
            {"status": "closed", "answer": "Got you", "note": "mine now"},
            follow=True,
        )
        self.assertEqual(response.status_code, 404)
        self.in_other.refresh_from_db()
        self.assertEqual(self.in_other.status, Status.NEW)
        self.assertFalse(self.in_other.events.exists())
        self.assertFalse(DBTaskResult.objects.exists())

    def test_no_adding_or_deleting_inquiries_in_the_admin(self):
        self.client.force_login(self.editor)
        before = Inquiry.objects.count()
        response = self.client.post(reverse("inquiries:add"), {"name": "x", "email": "x@example.org", "message": "x"})
        self.assertEqual(response.status_code, 302)  # Wagtail's "no permission" redirect to the dashboard
        self.assertEqual(response["Location"], reverse("wagtailadmin_home"))
        self.assertEqual(Inquiry.objects.count(), before)
        response = self.client.post(reverse("inquiries:delete", args=[self.in_zone.pk]))
        self.assertIn(response.status_code, (302, 403))
        self.assertTrue(Inquiry.objects.filter(pk=self.in_zone.pk).exists())

    def test_staff_cannot_assign_another_desks_member(self):
        self.client.force_login(self.staff_a)
        url = reverse("inquiries:edit", args=[self.in_zone.pk])
        response = self.client.post(url, {"status": "new", "assignee": self.staff_b.pk})
        self.assertEqual(response.status_code, 200)  # the form again, with the error
        self.assertIn("assignee", response.context["form"].errors)
        self.in_zone.refresh_from_db()
        self.assertIsNone(self.in_zone.assignee)


class ExportTests(InboxTestCase):
    def test_csv_export_holds_only_the_desks_inquiries(self):
        response = self.index(self.staff_a, "?export=csv")
        self.assertEqual(response.status_code, 200)
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        references = {row[0] for row in rows[1:]}
        self.assertEqual(references, {self.in_zone.reference, self.in_branch.reference})

    def test_xlsx_export_holds_only_the_desks_inquiries(self):
        response = self.index(self.staff_b, "?export=xlsx")
        self.assertEqual(response.status_code, 200)
        book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        rows = list(book.active.iter_rows(values_only=True))
        self.assertEqual([row[0] for row in rows[1:]], [self.in_other.reference])
        self.assertIn("哈萨克斯坦", rows[1], "countries by name, in the admin's language")

    def test_hostile_text_is_never_a_formula(self):
        InquiryFactory(zone_of_interest=self.zone, name=FORMULA, organisation="+cmd|' /C calc'!A0", message="@SUM(1)")
        response = self.index(self.staff_a, "?export=csv")
        text = b"".join(response.streaming_content).decode()
        for row in csv.reader(io.StringIO(text)):
            for cell in row:
                self.assertFalse(cell.startswith(("=", "+", "@", "-")), cell)
        response = self.index(self.staff_a, "?export=xlsx")
        book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        for row in book.active.iter_rows():
            for cell in row:
                self.assertNotEqual(cell.data_type, "f", cell.value)


class HandlingTests(InboxTestCase):
    def edit(self, user, inquiry, **data):
        self.client.force_login(user)
        return self.client.post(reverse("inquiries:edit", args=[inquiry.pk]), {"status": inquiry.status, **data})

    def test_assigning_sets_the_status_and_records_who(self):
        response = self.edit(self.staff_a, self.in_zone, assignee=self.staff_a.pk)
        self.assertEqual(response.status_code, 302)
        self.in_zone.refresh_from_db()
        self.assertEqual((self.in_zone.status, self.in_zone.assignee), (Status.ASSIGNED, self.staff_a))
        kinds = list(self.in_zone.events.values_list("kind", "actor"))
        self.assertIn((InquiryEvent.Kind.ASSIGNED, self.staff_a.pk), kinds)
        self.assertIn((InquiryEvent.Kind.STATUS, self.staff_a.pk), kinds)

    def test_an_answer_is_stored_queued_and_marks_the_first_answer(self):
        response = self.edit(self.staff_a, self.in_zone, answer="Здравствуйте! Склад возможен.", note="called them")
        self.assertEqual(response.status_code, 302)
        self.in_zone.refresh_from_db()
        self.assertEqual(self.in_zone.status, Status.ANSWERED)
        self.assertIsNotNone(self.in_zone.first_answered_at)
        answer = self.in_zone.events.get(kind=InquiryEvent.Kind.ANSWER)
        self.assertEqual(answer.note, "Здравствуйте! Склад возможен.")
        self.assertIn(self.in_zone.reference, answer.data["subject"])
        self.assertNotIn("your inquiry", answer.data["subject"], "the subject is in Russian")
        self.assertTrue(self.in_zone.events.filter(kind=InquiryEvent.Kind.NOTE, note="called them").exists())
        task = DBTaskResult.objects.get()
        self.assertEqual(task.args_kwargs["args"], [self.in_zone.pk, "answer", 1, answer.pk])
        first = self.in_zone.first_answered_at
        self.edit(self.staff_a, self.in_zone, status="answered", answer="A second answer.")
        self.in_zone.refresh_from_db()
        self.assertEqual(self.in_zone.first_answered_at, first, "the first answer's time stays")

    def test_an_answer_that_fails_is_tried_again_with_the_same_text(self):
        from portal.inquiries.tasks import send_inquiry_mail
        from tests.test_inquiries import smtp_settings
        from tests.test_production import free_port

        self.edit(self.staff_a, self.in_zone, answer="Ответ.")
        answer = self.in_zone.events.get(kind=InquiryEvent.Kind.ANSWER)
        DBTaskResult.objects.all().delete()
        with self.settings(**smtp_settings(free_port())):  # nothing listens there
            self.assertEqual(send_inquiry_mail.call(self.in_zone.pk, "answer", 1, answer.pk), "retry")
        failed = self.in_zone.events.get(kind=InquiryEvent.Kind.MAIL_FAILED)
        self.assertEqual((failed.data["mail"], failed.data["event"]), ("answer", answer.pk))
        retry = DBTaskResult.objects.get()
        self.assertEqual(retry.args_kwargs["args"], [self.in_zone.pk, "answer", 2, answer.pk])
        self.assertGreater(retry.run_after, timezone.now())

    def test_an_answer_task_for_another_inquirys_event_sends_nothing(self):
        from portal.inquiries.tasks import send_inquiry_mail

        self.edit(self.staff_a, self.in_zone, answer="Ответ.")
        answer = self.in_zone.events.get(kind=InquiryEvent.Kind.ANSWER)
        self.assertEqual(send_inquiry_mail.call(self.in_other.pk, "answer", 1, answer.pk), "skipped")
        self.assertEqual(send_inquiry_mail.call(self.in_zone.pk, "answer", 1, None), "skipped")

    def test_releasing_held_spam_sends_the_mails_it_was_held_from(self):
        self.edit(self.editor, self.spam, status="new")
        self.spam.refresh_from_db()
        self.assertEqual(self.spam.status, Status.NEW)
        kinds = sorted(task.args_kwargs["args"][1] for task in DBTaskResult.objects.all())
        self.assertEqual(kinds, ["auto-reply", "desk"])

    def test_hostile_text_is_shown_as_text(self):
        hostile = InquiryFactory(
            zone_of_interest=self.zone, name=SCRIPT, organisation=SCRIPT, message=SCRIPT, phone=SCRIPT, email="a@b.org"
        )
        self.edit(self.staff_a, hostile, note=SCRIPT)
        self.client.force_login(self.staff_a)
        for url in (reverse("inquiries:index"), reverse("inquiries:edit", args=[hostile.pk])):
            response = self.client.get(url)
            self.assertNotContains(response, SCRIPT)
            self.assertContains(response, "&lt;script&gt;")

    def test_anonymised_inquiries_cannot_be_answered(self):
        from portal.inquiries.privacy import anonymise

        anonymise(Inquiry.objects.filter(pk=self.in_zone.pk))
        self.in_zone.refresh_from_db()
        response = self.index(self.staff_a)
        self.assertContains(response, "（已匿名化）")
        self.edit(self.staff_a, self.in_zone, answer="Hello?")
        self.assertFalse(self.in_zone.events.filter(kind=InquiryEvent.Kind.ANSWER).exists())
        self.assertFalse(DBTaskResult.objects.exists())


class ReportTests(InboxTestCase):
    def test_median_hours_to_first_answer_per_zone_and_month(self):
        now = timezone.now().replace(day=15, hour=12)
        for hours in (2, 4, 30):
            InquiryFactory(zone_of_interest=self.other, received_at=now, first_answered_at=now + timedelta(hours=hours))
        rows = first_answer_rows(Inquiry.objects.filter(desk=self.other))
        self.assertEqual(len(rows), 1)
        row = rows[0]
        self.assertEqual((row["received"], row["answered"], row["median_hours"], row["slowest_hours"]), (4, 3, 4, 30))
        self.assertEqual(row["month"], timezone.localtime(now).strftime("%Y-%m"))

    def test_the_report_shows_only_the_desks_zones(self):
        self.client.force_login(self.staff_b)
        response = self.client.get(reverse("inquiries_first_answer"))
        self.assertEqual(response.status_code, 200)
        zones = {row["zone"] for row in response.context["object_list"]}
        self.assertEqual(zones, {self.other.title})
        response = self.client.get(reverse("inquiries_first_answer") + "?export=csv")
        self.assertNotIn(self.zone.title, b"".join(response.streaming_content).decode())


class QueryCountTests(InboxTestCase):
    def count(self, user, url):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.client.force_login(user)
        self.client.get(url)  # warm the admin's own caches
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def test_the_inbox_does_not_grow_with_the_inquiries(self):
        index = reverse("inquiries:index")
        small = {user: self.count(user, index) for user in (self.editor, self.staff_a)}
        for n in range(60):
            InquiryFactory(zone_of_interest=self.zone if n % 2 else self.branch, assignee=self.staff_a)
        large = {user: self.count(user, index) for user in (self.editor, self.staff_a)}
        self.assertEqual(small, large)
        self.assertLessEqual(large[self.editor], 20)
        self.assertLessEqual(large[self.staff_a], 20)

    def test_the_handling_page_does_not_grow_with_the_history(self):
        url = reverse("inquiries:edit", args=[self.in_zone.pk])
        small = self.count(self.staff_a, url)
        for n in range(30):
            InquiryEvent.objects.create(
                inquiry=self.in_zone, kind=InquiryEvent.Kind.NOTE, actor=self.staff_a, note=f"n{n}"
            )
        self.assertEqual(self.count(self.staff_a, url), small)
        self.assertLessEqual(small, 30)


class QuestionKindTests(InboxTestCase):
    def test_an_answered_public_question_offers_publishing(self):
        question = InquiryFactory(zone_of_interest=self.zone, kind=Kind.QUESTION, organisation="")
        url = reverse("inquiries:edit", args=[question.pk])
        publish = reverse("inquiries_publish_question", args=[question.pk])
        self.client.force_login(self.staff_a)
        self.assertNotContains(self.client.get(url), publish)
        InquiryEvent.objects.create(inquiry=question, kind=InquiryEvent.Kind.ANSWER, note="Yes.", actor=self.staff_a)
        self.assertContains(self.client.get(url), publish)
        self.assertNotContains(self.client.get(reverse("inquiries:edit", args=[self.in_zone.pk])), "publish-question")

    def test_kind_filter(self):
        question = InquiryFactory(zone_of_interest=self.zone, kind=Kind.QUESTION, organisation="")
        response = self.index(self.staff_a, "?kind=question")
        self.assertEqual(self.listed(response), {question.reference})


class DemoInquiriesTests(TestCase):
    """`make run` shows a populated inbox: demo desks, their staff and inquiries in four languages."""

    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=0)
        for key, slug in (("zone", "scoda"), ("branch", "xinjiang-branch-park"), ("other_zone", "liangjiang-new-area")):
            page = cls.site[key]
            page.slug_en = slug
            page.save()

    def test_desk_staff_see_their_demo_inquiries(self):
        from io import StringIO

        from django.core.management import call_command

        with self.settings(PORTAL_CREATE_DEMO_USERS=True):
            call_command("create_demo_inquiries", stdout=StringIO())
            out = StringIO()
            call_command("create_demo_inquiries", stdout=out)
        self.assertIn("exist already", out.getvalue())
        self.assertEqual(set(Inquiry.objects.values_list("language", flat=True)), {"zh-hans", "en", "de", "ru"})
        self.assertEqual(Inquiry.objects.count(), 5)
        desk = get_user_model().objects.get(username="desk-scoda")
        self.client.force_login(desk)
        response = self.client.get(reverse("inquiries:index"))
        # SCODA's and its Xinjiang branch park's, not Liangjiang's nor the central desk's
        self.assertEqual(len(response.context["object_list"]), 3)
        self.assertTrue(get_user_model().objects.get(username="desk-liangjiang").check_password("changeme"))

    def test_never_outside_development(self):
        from django.core.management import CommandError, call_command

        with self.settings(PORTAL_CREATE_DEMO_USERS=False), self.assertRaises(CommandError):
            call_command("create_demo_inquiries")
        self.assertFalse(Inquiry.objects.exists())
