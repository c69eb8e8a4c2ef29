"""Inquiries' privacy: retention (personal data blanked after INQUIRY_RETENTION_MONTHS calendar
months, once, in one transaction), an inquirer's data downloaded or erased on request in the admin
by those who see every inquiry (a zone desk cannot, not even by a crafted POST), and nothing an
inquirer wrote in any log."""

import json
import logging
from contextlib import contextmanager
from datetime import datetime
from io import StringIO
from unittest import mock
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.db import DatabaseError
from django.test import Client, TestCase, TransactionTestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from wagtail.users.models import UserProfile

from bs4 import BeautifulSoup
from django_tasks_db.models import DBTaskResult

from portal.inquiries import privacy, tasks
from portal.inquiries.models import Inquiry, InquiryEvent, ZoneDesk, new_reference
from tests.factories import build_site
from tests.test_inquiries import FAST, ensure_notice, form_data, run_worker, soup_of

SHANGHAI = ZoneInfo("Asia/Shanghai")
PERSONAL = {
    "name": "Zebulon Quartermaine",
    "organisation": "Quartermaine Cold Chain Ltd",
    "email": "Zebulon.Q@example.org",
    "phone": "+44 20 7946 0958",
    "message": "Our plan: a bonded warehouse for Quartermaine apples.",
}
ANSWER = "Dear Mr Quartermaine, the land office expects you."


def make_inquiry(received_at=None, **fields) -> Inquiry:
    values = {
        **PERSONAL,
        "country": "GB",
        "sector": "logistics",
        "project_type": "investment",
        "language": "en",
        "consented_at": timezone.now(),
        "reference": new_reference(),
        **fields,
    }
    inquiry = Inquiry.objects.create(received_at=received_at or timezone.now(), **values)
    InquiryEvent.objects.create(inquiry=inquiry, kind=InquiryEvent.Kind.CREATED, data={"spam": []})
    InquiryEvent.objects.create(inquiry=inquiry, kind=InquiryEvent.Kind.MAIL_SENT, data={"mail": "desk", "attempt": 1})
    InquiryEvent.objects.create(
        inquiry=inquiry,
        kind=InquiryEvent.Kind.ANSWER,
        note=ANSWER,
        data={"subject": "Re: Quartermaine apples", "to": PERSONAL["email"], "language": "en"},
    )
    InquiryEvent.objects.create(inquiry=inquiry, kind=InquiryEvent.Kind.NOTE, note="Zebulon phoned twice.")
    return inquiry


def dump(inquiry) -> str:
    """Everything stored of an inquiry and its events, as text."""
    inquiry.refresh_from_db()
    rows = [{f.attname: str(getattr(inquiry, f.attname)) for f in Inquiry._meta.fields}]
    rows += list(InquiryEvent.objects.filter(inquiry=inquiry).values("note", "data"))
    return json.dumps(rows, ensure_ascii=False, default=str)


def assert_nothing_personal(test, text: str):
    for value in [*PERSONAL.values(), ANSWER, "Quartermaine", "Zebulon", "7946", "zebulon.q@example.org"]:
        test.assertNotIn(value.lower(), text.lower())


class AnonymiseTests(TestCase):
    def test_blanks_the_person_and_staff_texts_and_keeps_the_statistics(self):
        inquiry = make_inquiry()
        other = make_inquiry(email="someone@example.org")
        self.assertEqual(privacy.anonymise(Inquiry.objects.filter(pk=inquiry.pk)), 1)

        inquiry.refresh_from_db()
        for field in privacy.PERSONAL_FIELDS:
            self.assertEqual(getattr(inquiry, field), "", field)
        self.assertIsNotNone(inquiry.anonymised_at)
        # Country, sector and the rest are statistics; the reference still finds the case.
        self.assertEqual(
            (str(inquiry.country), inquiry.sector, inquiry.project_type), ("GB", "logistics", "investment")
        )
        self.assertRegex(inquiry.reference, r"^SC-\d{4}-")
        assert_nothing_personal(self, dump(inquiry))

        answer = inquiry.events.get(kind=InquiryEvent.Kind.ANSWER)
        self.assertEqual((answer.note, answer.data), ("", {"language": "en"}))
        self.assertEqual(inquiry.events.get(kind=InquiryEvent.Kind.MAIL_SENT).data, {"mail": "desk", "attempt": 1})
        marker = inquiry.events.get(kind=InquiryEvent.Kind.ANONYMISED)
        self.assertEqual((marker.data, marker.note, marker.actor), ({"reason": "retention"}, "", None))
        self.assertEqual(marker.at, inquiry.anonymised_at)

        # Another inquiry, even from the same person's colleague, is untouched.
        other.refresh_from_db()
        self.assertEqual(other.name, PERSONAL["name"])
        self.assertEqual(other.events.get(kind=InquiryEvent.Kind.ANSWER).note, ANSWER)
        self.assertFalse(other.events.filter(kind=InquiryEvent.Kind.ANONYMISED).exists())

    def test_twice_changes_nothing_the_second_time(self):
        user = get_user_model().objects.create_user("privacy-officer")
        inquiry = make_inquiry()
        self.assertEqual(privacy.anonymise(Inquiry.objects.all(), actor=user, reason="request"), 1)
        first = Inquiry.objects.get().anonymised_at
        self.assertEqual(privacy.anonymise(Inquiry.objects.all()), 0)
        self.assertEqual(Inquiry.objects.get().anonymised_at, first)
        markers = inquiry.events.filter(kind=InquiryEvent.Kind.ANONYMISED)
        self.assertEqual([(m.actor, m.data["reason"]) for m in markers], [(user, "request")])

    def test_all_or_nothing(self):
        inquiry = make_inquiry()
        with (
            mock.patch.object(InquiryEvent.objects, "bulk_create", side_effect=DatabaseError("disk full")),
            self.assertRaises(DatabaseError),
        ):
            privacy.anonymise(Inquiry.objects.all())
        inquiry.refresh_from_db()
        self.assertEqual((inquiry.name, inquiry.anonymised_at), (PERSONAL["name"], None))
        self.assertEqual(inquiry.events.get(kind=InquiryEvent.Kind.ANSWER).note, ANSWER)

    def test_many_at_once_in_batches(self):
        for _ in range(privacy.BATCH + 3):
            Inquiry.objects.create(
                reference=f"SC-B-{Inquiry.objects.count():05d}",
                name="x",
                email="x@example.org",
                country="DE",
                language="de",
                message="x",
                consented_at=timezone.now(),
            )
        self.assertEqual(privacy.anonymise(Inquiry.objects.all()), privacy.BATCH + 3)
        self.assertFalse(Inquiry.objects.exclude(name="").exists())
        self.assertEqual(InquiryEvent.objects.filter(kind=InquiryEvent.Kind.ANONYMISED).count(), privacy.BATCH + 3)


class QueuedMailTests(TransactionTestCase):
    """The worker commits as it goes: a TransactionTestCase, as tests/test_inquiries.py's."""

    def test_queued_mails_of_an_anonymised_inquiry_are_not_sent(self):
        kept = make_inquiry(email="kept@example.org", name="Kept", organisation="", phone="", message="Kept's text.")
        erased = make_inquiry()
        for inquiry in (kept, erased):
            tasks.queue_mails(inquiry)
        privacy.anonymise(Inquiry.objects.filter(pk=erased.pk))
        with self.settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            run_worker()
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox), sorted(["kept@example.org", *settings.INQUIRY_DESK_EMAILS])
        )
        sent = "\n".join(m.message().as_string() for m in mail.outbox)
        self.assertIn(kept.reference, sent)
        self.assertNotIn(erased.reference, sent)
        assert_nothing_personal(self, sent)
        results = DBTaskResult.objects.filter(backend_name="mail", args_kwargs__args__0=erased.pk)
        self.assertEqual([r.return_value for r in results], ["skipped", "skipped"])


class RetentionTests(TestCase):
    def test_calendar_months_in_the_site_time_zone(self):
        cases = [
            (datetime(2026, 3, 31, 10, 0, tzinfo=SHANGHAI), 1, datetime(2026, 2, 28, 10, 0, tzinfo=SHANGHAI)),
            (datetime(2024, 2, 29, 8, 30, tzinfo=SHANGHAI), 24, datetime(2022, 2, 28, 8, 30, tzinfo=SHANGHAI)),
            (datetime(2026, 1, 15, 0, 0, tzinfo=SHANGHAI), 13, datetime(2024, 12, 15, 0, 0, tzinfo=SHANGHAI)),
            # 1 a.m. on 1 March in Shanghai is still February in UTC: the site's calendar counts.
            (datetime(2026, 2, 28, 17, 0, tzinfo=ZoneInfo("UTC")), 1, datetime(2026, 2, 1, 1, 0, tzinfo=SHANGHAI)),
        ]
        for now, months, expected in cases:
            with self.subTest(now=now, months=months):
                self.assertEqual(privacy.months_before(now, months), expected)

    def anonymise_at(self, now, *args):
        out = StringIO()
        with mock.patch("django.utils.timezone.now", return_value=now):
            call_command("anonymise_inquiries", *args, stdout=out)
        return out.getvalue()

    def test_exactly_those_received_before_now_less_n_calendar_months(self):
        now = datetime(2026, 3, 31, 12, 0, tzinfo=SHANGHAI)
        cutoff = datetime(2024, 3, 31, 12, 0, tzinfo=SHANGHAI)
        old = make_inquiry(received_at=cutoff - timezone.timedelta(seconds=1))
        boundary = make_inquiry(received_at=cutoff)
        # 730 days before `now` is 1 April 2024: a count of days would take this one too.
        young = make_inquiry(received_at=datetime(2024, 4, 1, 12, 0, tzinfo=SHANGHAI))
        out = self.anonymise_at(now)
        self.assertIn("1 inquiries received before 2024-03-31 12:00 CST (24 months) anonymised.", out)
        self.assertEqual(
            [
                i.anonymised_at is not None
                for i in Inquiry.objects.filter(pk__in=[old.pk, boundary.pk, young.pk]).order_by("received_at")
            ],
            [True, False, False],
        )
        self.assertIn("0 inquiries", self.anonymise_at(now))  # the second run finds none left

    def test_dry_run_counts_and_changes_nothing(self):
        now = timezone.now()
        for months_ago in (3, 7, 30):
            make_inquiry(received_at=privacy.months_before(now, months_ago))
        out = self.anonymise_at(now, "--dry-run", "--months", "6")
        self.assertIn("2 inquiries received before", out)
        self.assertIn("(6 months) would be anonymised.", out)
        self.assertFalse(Inquiry.objects.filter(anonymised_at__isnull=False).exists())
        self.assertIn("2 inquiries", self.anonymise_at(now, "--months", "6"))
        self.assertEqual(Inquiry.objects.filter(anonymised_at__isnull=True).count(), 1)

    @override_settings(INQUIRY_RETENTION_MONTHS=2)
    def test_the_setting_is_the_default(self):
        now = timezone.now()
        make_inquiry(received_at=privacy.months_before(now, 3))
        make_inquiry(received_at=privacy.months_before(now, 1))
        self.assertIn("1 inquiries received before", self.anonymise_at(now))
        self.assertIn("(2 months)", self.anonymise_at(now, "--dry-run"))

    def test_bad_input_is_named(self):
        make_inquiry(received_at=privacy.months_before(timezone.now(), 3))
        for args, message in [
            (["--months", "abc"], "--months='abc' is not a whole number of months"),
            (["--months", "0"], "--months=0: keep inquiries at least 1 month"),
            (["--months", "-3"], "--months=-3: keep inquiries at least 1 month"),
            (["--months", "99999"], "more than 100 years"),
        ]:
            with self.subTest(args=args), self.assertRaisesMessage(CommandError, message):
                call_command("anonymise_inquiries", *args, stdout=StringIO())
        with (
            self.settings(INQUIRY_RETENTION_MONTHS=0),
            self.assertRaisesMessage(CommandError, "INQUIRY_RETENTION_MONTHS=0: keep inquiries at least 1 month"),
        ):
            call_command("anonymise_inquiries", stdout=StringIO())
        self.assertFalse(Inquiry.objects.filter(anonymised_at__isnull=False).exists())


class DataRequestTests(TestCase):
    def test_every_inquiry_of_the_address_whatever_its_case_with_its_events(self):
        first = make_inquiry(received_at=timezone.now() - timezone.timedelta(days=3))
        second = make_inquiry(email="ZEBULON.q@EXAMPLE.org", message="A second question.")
        make_inquiry(email="someone-else@example.org", name="Someone Else")
        data = privacy.inquirer_data(" zebulon.Q@example.ORG ")
        json.dumps(data)  # JSON-ready as it is
        self.assertEqual([i["reference"] for i in data["inquiries"]], [first.reference, second.reference])
        item = data["inquiries"][0]
        self.assertEqual({key: item[key] for key in PERSONAL}, PERSONAL)
        self.assertEqual((item["country"], item["sector"], item["language"]), ("GB", "logistics", "en"))
        kinds = [event["kind"] for event in item["events"]]
        self.assertEqual(kinds, ["created", "mail-sent", "answer", "note"])
        self.assertEqual(item["events"][2]["note"], ANSWER)
        self.assertNotIn("Someone Else", json.dumps(data))
        self.assertEqual(privacy.inquirer_data("")["inquiries"], [])
        self.assertEqual(privacy.inquirer_data("nobody@example.org")["inquiries"], [])

    def test_erase_anonymises_all_of_them_and_no_other(self):
        user = get_user_model().objects.create_user("privacy-officer")
        make_inquiry(), make_inquiry(email="zebulon.q@example.org")
        other = make_inquiry(email="someone-else@example.org")
        self.assertEqual(privacy.erase_inquirer("ZEBULON.Q@example.org", user), 2)
        self.assertEqual(privacy.erase_inquirer("ZEBULON.Q@example.org", user), 0)
        self.assertEqual(list(Inquiry.objects.filter(anonymised_at__isnull=True)), [other])
        reasons = InquiryEvent.objects.filter(kind=InquiryEvent.Kind.ANONYMISED).values_list("data", "actor")
        self.assertEqual(list(reasons), [({"reason": "request"}, user.pk)] * 2)
        self.assertEqual(privacy.inquirer_data(PERSONAL["email"])["inquiries"], [])


@contextmanager
def every_log_record(level=logging.DEBUG):
    """Every record any logger would emit at `level`, propagating or not, whatever the handlers."""
    records = []
    original = logging.Logger.handle
    loggers = [logging.root, *(lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger))]
    levels = [(lg, lg.level) for lg in loggers]
    disabled = logging.root.manager.disable

    def handle(self, record):
        records.append(record)
        return original(self, record)

    logging.disable(logging.NOTSET)
    for lg in loggers:
        lg.setLevel(level)
    logging.root.manager._clear_cache()
    try:
        with mock.patch.object(logging.Logger, "handle", handle):
            yield records
    finally:
        for lg, before in levels:
            lg.setLevel(before)
        logging.disable(disabled)
        logging.root.manager._clear_cache()


def text_of(records) -> str:
    lines = []
    for record in records:
        lines.append(f"{record.name} {record.getMessage()}")
        if record.exc_info:
            lines.append(logging.Formatter().formatException(record.exc_info))
    return "\n".join(lines)


@override_settings(**FAST, INQUIRY_DESK_EMAILS=["desk@example.org"])
class NothingPersonalInLogsTests(TransactionTestCase):
    def setUp(self):
        caches["shared"].clear()
        build_site(news_count=0)
        ensure_notice()

    def test_form_worker_failed_and_sent_mail_log_nothing_the_inquirer_wrote(self):
        with every_log_record() as records:
            page = soup_of(self.client.get("/en/contact/"))
            data = form_data(page, "en", **PERSONAL, country="GB")
            self.assertEqual(self.client.post("/en/contact/", data).status_code, 302)
            # The mail server refuses first (a retry is logged), then takes both mails.
            refused = "django.core.mail.backends.locmem.EmailBackend.send_messages"
            with (
                self.settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
                mock.patch(refused, side_effect=ConnectionRefusedError("refused")),
            ):
                run_worker()
            DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
            with self.settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
                run_worker()
        inquiry = Inquiry.objects.get()
        self.assertEqual(len(mail.outbox), 2)
        self.assertEqual(inquiry.events.filter(kind=InquiryEvent.Kind.MAIL_SENT).count(), 2)
        text = text_of(records)
        # The logs were captured (at DEBUG: the tasks' own records too) and say what happened.
        self.assertIn(f"inquiry {inquiry.reference} received", text)
        self.assertIn("e-mail failed", text)
        self.assertIn("e-mail sent", text)
        self.assertIn("django_tasks", {record.name.split(".")[0] for record in records})
        assert_nothing_personal(self, text)


class InquirerAdminTests(TestCase):
    """Settings → Inquirers' data requests."""

    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=0)
        users = get_user_model().objects
        cls.superuser = users.create_superuser("admin", "admin@example.com", "pw")
        access = Permission.objects.get(codename="access_admin")
        editors = Group.objects.create(name="Inquiry editors")
        editors.permissions.add(access, Permission.objects.get(codename="change_inquiry"))
        cls.editor = users.create_user("editor", "editor@example.com", "pw")
        cls.editor.groups.add(editors)
        desk = Group.objects.create(name="Zone desk")
        desk.permissions.add(access)
        ZoneDesk.objects.create(zone=cls.site["zone"], group=desk)
        cls.desk_user = users.create_user("desk", "desk@example.com", "pw")
        cls.desk_user.groups.add(desk)
        # The admin in English for the assertions (test_in_every_admin_language checks the others).
        for user in (cls.superuser, cls.editor, cls.desk_user):
            UserProfile.objects.update_or_create(user=user, defaults={"preferred_language": "en"})

    def setUp(self):
        self.mine = make_inquiry(desk=self.site["zone"])
        self.second = make_inquiry(email="ZEBULON.Q@example.org")
        self.other = make_inquiry(email="someone-else@example.org", desk=self.site["zone"])
        self.client.force_login(self.editor)

    def lookup(self, email=PERSONAL["email"]):
        return self.client.post(reverse("inquiries_inquirer"), {"email": email})

    def test_the_settings_menu_offers_it_to_those_who_see_every_inquiry_only(self):
        url = reverse("inquiries_inquirer")
        self.assertEqual(url, "/admin/inquiries/inquirer/")
        for user, shown in [(self.superuser, True), (self.editor, True), (self.desk_user, False)]:
            with self.subTest(user=user.username):
                self.client.force_login(user)
                html = self.client.get("/admin/").content.decode()
                self.assertEqual(url in html, shown)

    def test_desk_staff_and_strangers_are_refused_even_by_crafted_posts(self):
        before = dump(self.mine)
        for user in (self.desk_user, None):
            client = Client()
            if user:
                client.force_login(user)
            for name, data in [
                ("inquiries_inquirer", {}),
                ("inquiries_inquirer", {"email": PERSONAL["email"]}),
                ("inquiries_inquirer_export", {"email": PERSONAL["email"]}),
                ("inquiries_inquirer_erase", {"email": PERSONAL["email"]}),
                ("inquiries_inquirer_erase", {"email": PERSONAL["email"], "confirm": "yes"}),
            ]:
                with self.subTest(user=user, name=name, data=data):
                    response = client.post(reverse(name), data) if data else client.get(reverse(name))
                    if user:
                        self.assertEqual(response.status_code, 403)
                    else:
                        self.assertEqual(response.status_code, 302)
                        self.assertIn("/admin/login/", response["Location"])
                    self.assertNotIn(PERSONAL["name"], response.content.decode())
        self.assertEqual(dump(self.mine), before)
        self.assertFalse(InquiryEvent.objects.filter(kind__in=["exported", "anonymised"]).exists())

    def test_the_address_finds_every_inquiry_and_offers_both_actions(self):
        form = self.client.get(reverse("inquiries_inquirer"))
        self.assertEqual(form.status_code, 200)
        self.assertIn("no-store", form["Cache-Control"])
        response = self.lookup("zebulon.q@EXAMPLE.org")
        self.assertEqual(response.status_code, 200)
        page = BeautifulSoup(response.content, "html.parser")
        self.assertIn("2 inquiries from zebulon.q@EXAMPLE.org", page.get_text(" ", strip=True))
        table = page.find("table", class_="inquirer-inquiries").get_text(" ")
        self.assertIn(self.mine.reference, table)
        self.assertIn(self.second.reference, table)
        self.assertNotIn(self.other.reference, table)
        forms = {f["action"]: f for f in page.find_all("form")}
        for name in ("inquiries_inquirer_export", "inquiries_inquirer_erase"):
            action = forms[reverse(name)]
            self.assertEqual(action["method"], "post")
            self.assertIsNotNone(action.find("input", attrs={"name": "csrfmiddlewaretoken"}))
        # The address travels in POST bodies only: no link or form names it in a URL.
        self.assertNotIn("example.org", " ".join(a.get("href", "") for a in page.find_all("a")))
        self.assertNotIn("?", " ".join(forms))

    def test_an_address_nobody_wrote_from_or_no_address(self):
        response = self.lookup("nobody@example.org")
        self.assertIn("0 inquiries from nobody@example.org", response.content.decode())
        self.assertNotIn("Download all data", response.content.decode())
        for bad in ("", "not an address", "a@" + "b" * 300 + ".org"):
            with self.subTest(email=bad):
                response = self.lookup(bad)
                self.assertEqual(response.status_code, 400)
                self.assertIn('aria-invalid="true"', response.content.decode())
                self.assertEqual(
                    self.client.post(reverse("inquiries_inquirer_erase"), {"email": bad, "confirm": "yes"}).status_code,
                    400,
                )
        self.assertFalse(Inquiry.objects.filter(anonymised_at__isnull=False).exists())
        export = self.client.post(reverse("inquiries_inquirer_export"), {"email": "nobody@example.org"})
        self.assertEqual(export.status_code, 200)
        self.assertIn("No inquiry was sent from this address", export.content.decode())
        self.assertFalse(InquiryEvent.objects.filter(kind="exported").exists())

    def test_download_all_data_as_json(self):
        response = self.client.post(reverse("inquiries_inquirer_export"), {"email": "Zebulon.Q@example.org"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/json; charset=utf-8")
        self.assertRegex(
            response["Content-Disposition"], r'^attachment; filename="inquirer-data-\d{4}-\d\d-\d\d\.json"$'
        )
        self.assertIn("no-store", response["Cache-Control"])
        data = json.loads(response.content)
        self.assertEqual(
            sorted(i["reference"] for i in data["inquiries"]), sorted([self.mine.reference, self.second.reference])
        )
        self.assertEqual(data["inquiries"][0]["name"], PERSONAL["name"])
        exported = InquiryEvent.objects.filter(kind=InquiryEvent.Kind.EXPORTED)
        self.assertEqual(sorted(e.inquiry_id for e in exported), sorted([self.mine.pk, self.second.pk]))
        self.assertTrue(all(e.actor == self.editor for e in exported))
        self.assertEqual(self.client.get(reverse("inquiries_inquirer_export")).status_code, 405)

    def test_erase_asks_first_then_erases_every_inquiry_of_the_address(self):
        url = reverse("inquiries_inquirer_erase")
        self.assertEqual(self.client.get(url).status_code, 405)
        ask = self.client.post(url, {"email": PERSONAL["email"]})
        self.assertEqual(ask.status_code, 200)
        page = BeautifulSoup(ask.content, "html.parser")
        self.assertIn("This cannot be undone", page.get_text())
        confirm = page.find("input", attrs={"name": "confirm"})
        self.assertEqual((confirm["value"], confirm.find_parent("form")["action"]), ("yes", url))
        self.assertFalse(Inquiry.objects.filter(anonymised_at__isnull=False).exists())  # asked, not done

        done = self.client.post(url, {"email": PERSONAL["email"], "confirm": "yes"}, follow=True)
        self.assertEqual(done.redirect_chain, [(reverse("inquiries_inquirer"), 302)])
        self.assertIn("The personal data of 2 inquiries was erased.", done.content.decode())
        self.assertEqual(list(Inquiry.objects.filter(anonymised_at__isnull=True)), [self.other])
        markers = InquiryEvent.objects.filter(kind=InquiryEvent.Kind.ANONYMISED)
        self.assertEqual({(m.actor, m.data["reason"]) for m in markers}, {(self.editor, "request")})
        for inquiry in (self.mine, self.second):
            assert_nothing_personal(self, dump(inquiry))
        again = self.client.post(url, {"email": PERSONAL["email"]})
        self.assertIn("nothing to erase", again.content.decode())

    def test_posts_without_the_csrf_token_are_refused(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.superuser)
        for name in ("inquiries_inquirer", "inquiries_inquirer_export", "inquiries_inquirer_erase"):
            with self.subTest(name=name):
                response = client.post(reverse(name), {"email": PERSONAL["email"], "confirm": "yes"})
                self.assertEqual(response.status_code, 403)
        self.assertFalse(Inquiry.objects.filter(anonymised_at__isnull=False).exists())
        self.assertFalse(InquiryEvent.objects.filter(kind="exported").exists())

    def test_the_requests_log_no_address(self):
        with every_log_record() as records:
            self.lookup()
            self.client.post(reverse("inquiries_inquirer_export"), {"email": PERSONAL["email"]})
            self.client.post(reverse("inquiries_inquirer_erase"), {"email": PERSONAL["email"], "confirm": "yes"})
            self.client.force_login(self.desk_user)
            self.client.post(reverse("inquiries_inquirer_export"), {"email": PERSONAL["email"]})
        text = text_of(records)
        self.assertIn("Forbidden", text)  # the desk's refusal was logged, and that is all
        assert_nothing_personal(self, text)

    def test_in_every_admin_language(self):
        expected = {
            "zh-hans": ("咨询人数据请求", "删除全部个人数据"),
            "de": ("Datenanfragen von Anfragenden", "Alle personenbezogenen Daten löschen"),
            "ru": ("Запросы данных от заявителей", "Удалить все персональные данные"),
        }
        for lang, (title, erase) in expected.items():
            with self.subTest(lang=lang):
                UserProfile.objects.filter(user=self.editor).update(preferred_language=lang)
                html = self.lookup().content.decode()
                self.assertIn(title, html)
                self.assertIn(erase, html)
                self.assertNotIn("Erase all personal data", html)
