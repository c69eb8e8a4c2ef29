"""The whole inquiry in real Chromium, in each language: a visitor sends it, reads the confirmation
and gets the automatic reply; the zone's desk finds it in the admin inbox and answers it there; the
inquirer gets the answer in their language — mail through a real SMTP server on loopback. Another
zone's desk neither sees it nor reaches it by its address or a crafted POST."""

import email
from email import policy
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.core.cache import caches
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext

from wagtail.users.models import UserProfile

import pytest
from aiosmtpd.controller import Controller

from portal.inquiries.models import Inquiry, InquiryEvent, Status, ZoneDesk
from tests.browser import SHOTS, ChromiumLiveServer, log_in, require_chromium
from tests.factories import InquiryFactory, build_site
from tests.helpers import LANGUAGES
from tests.test_browser import scroll_width
from tests.test_email import Inbox
from tests.test_inquiries import ensure_notice, run_worker, smtp_settings
from tests.test_production import free_port

require_chromium()
pytestmark = pytest.mark.browser

SMTP_PORT = free_port()
ANSWERS = {
    "zh-hans": "您好！青岛多式联运中心可提供保税仓储，我们的招商团队将于本周与您联系。",
    "en": "Hello! Bonded storage is available at the Qingdao multimodal hub; our team will call you this week.",
    "de": "Guten Tag! Am multimodalen Drehkreuz in Qingdao gibt es Zolllager; wir melden uns diese Woche.",
    "ru": "Здравствуйте! В мультимодальном хабе Циндао есть таможенные склады; мы свяжемся с вами на этой неделе.",
}


def staff_member(username, group, language):
    user = get_user_model().objects.create_user(username=username, password="changeme", email=f"{username}@example.org")
    user.groups.add(group)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()
    return user


@override_settings(INQUIRY_MIN_FILL_SECONDS=0, INQUIRY_POW_COST=10, **smtp_settings(SMTP_PORT))
class InquiryDeskInBrowserTests(ChromiumLiveServer, StaticLiveServerTestCase):
    def setUp(self):
        caches["shared"].clear()
        self.site = build_site(news_count=0)
        ensure_notice()
        access = Permission.objects.get(codename="access_admin")
        self.desk = Group.objects.create(name="Desk – zone")
        self.other_desk = Group.objects.create(name="Desk – other")
        for group in (self.desk, self.other_desk):
            group.permissions.add(access)
        ZoneDesk.objects.create(zone=self.site["zone"], group=self.desk)
        ZoneDesk.objects.create(zone=self.site["other_zone"], group=self.other_desk)
        self.inbox = Inbox()
        self.smtp = Controller(self.inbox, hostname="127.0.0.1", port=SMTP_PORT)
        self.smtp.start()
        self.contexts = []

    def tearDown(self):
        for context in self.contexts:
            context.close()
        self.smtp.stop()

    def open_tab(self, width=1280, height=900):
        context = self.browser.new_context(viewport={"width": width, "height": height}, base_url=self.live_server_url)
        self.contexts.append(context)
        return context.new_page()

    def mails(self, to):
        found = [email.message_from_bytes(m.content, policy=policy.default) for m in self.inbox.messages]
        return [m for m in found if m["To"] == to]

    def send_inquiry(self, lang) -> Inquiry:
        tab = self.open_tab()
        tab.goto(f"/{lang}/contact/?zone={self.site['zone'].pk}")
        tab.fill("#id_name", f"Inquirer {lang}")
        tab.fill("#id_organisation", "Caspian Freight LLP")
        tab.select_option("#id_country", "KZ")
        tab.fill("#id_email", f"inquirer-{lang}@example.org")
        tab.select_option("#id_sector", "logistics")
        tab.select_option("#id_project_type", "investment")
        tab.select_option("#id_size_band", "1m-10m")
        tab.fill("#id_message", "<b>Bonded storage</b> near the hub? =1+1")
        tab.check("#id_consent")
        for _ in range(300):  # the proof-of-work widget's answer
            if tab.evaluate("() => document.querySelector('input[name=altcha]')?.value"):
                break
            tab.wait_for_timeout(100)
        with tab.expect_navigation():
            tab.locator("form.inquiry-form button[type=submit]").click()
        inquiry = Inquiry.objects.get(email=f"inquirer-{lang}@example.org")
        self.assertEqual(inquiry.status, Status.NEW, inquiry.spam_reasons)
        self.assertEqual(tab.locator(".reference").inner_text(), inquiry.reference)
        tab.context.close()
        return inquiry

    def test_the_whole_inquiry_in_each_language(self):
        for lang in LANGUAGES:
            with self.subTest(lang=lang):
                inquiry = self.send_inquiry(lang)
                run_worker()
                (reply,) = self.mails(inquiry.email)
                with translation.override(lang):
                    self.assertEqual(
                        reply["Subject"], gettext("Your inquiry %(reference)s") % {"reference": inquiry.reference}
                    )

                staff = staff_member(f"desk-{lang}", self.desk, lang)
                tab = self.open_tab()
                log_in(tab, staff.username)
                tab.goto("/admin/inquiries/")
                row = tab.locator("table.listing tbody tr", has_text=inquiry.reference)
                self.assertEqual(row.count(), 1)
                self.assertEqual(tab.locator("html").get_attribute("lang"), lang, "the admin in the staff's language")
                tab.screenshot(path=str(SHOTS / f"inquiry-inbox-{lang}.png"), full_page=True)
                with tab.expect_navigation():
                    row.get_by_role("link", name=inquiry.reference).click()
                self.assertIn("&lt;b&gt;Bonded storage", tab.locator(".inquiry-facts__message").inner_html())
                tab.fill("#id_answer", ANSWERS[lang])
                tab.fill("#id_note", "Checked with customs.")
                tab.screenshot(path=str(SHOTS / f"inquiry-answer-{lang}.png"), full_page=True)
                with tab.expect_navigation():
                    tab.locator("form button[type=submit]", has_text=gettext_in(lang, "Save")).first.click()
                self.assertIn(f"/admin/inquiries/edit/{inquiry.pk}/", tab.url)
                self.assertEqual(tab.locator(".inquiry-history__event--answer").count(), 1)
                inquiry.refresh_from_db()
                self.assertEqual(inquiry.status, Status.ANSWERED)
                run_worker()
                answers = [m for m in self.mails(inquiry.email) if m["Subject"] != reply["Subject"]]
                self.assertEqual(len(answers), 1)
                answer = answers[0]
                self.assertEqual(answer["Content-Language"], lang)
                with translation.override(lang):
                    subject = gettext("Re: your inquiry %(reference)s") % {"reference": inquiry.reference}
                self.assertEqual(answer["Subject"], subject)
                self.assertIn(ANSWERS[lang], answer.get_body(("plain",)).get_content())
                self.assertIn(ANSWERS[lang], answer.get_body(("html",)).get_content())
                sent = inquiry.events.filter(kind=InquiryEvent.Kind.MAIL_SENT, data__mail="answer")
                self.assertEqual(sent.count(), 1)

    def test_another_zones_desk_cannot_reach_it(self):
        inquiry = self.send_inquiry("en")
        intruder = staff_member("desk-other", self.other_desk, "en")
        tab = self.open_tab()
        log_in(tab, intruder.username)
        tab.goto("/admin/inquiries/")
        self.assertEqual(tab.locator("table.listing tbody tr", has_text=inquiry.reference).count(), 0)
        response = tab.goto(f"/admin/inquiries/edit/{inquiry.pk}/")
        self.assertEqual(response.status, 404)
        self.assertNotIn(inquiry.email, tab.content())
        # A POST crafted in the intruder's own session (with a valid CSRF token of theirs).
        tab.goto("/admin/inquiries/")
        status = tab.evaluate(
            """async (url) => {
                const token = document.querySelector('input[name=csrfmiddlewaretoken]')?.value
                    || document.cookie.match(/csrftoken=([^;]+)/)?.[1];
                const body = new URLSearchParams({csrfmiddlewaretoken: token, status: 'closed', answer: 'mine'});
                const r = await fetch(url, {method: 'POST', body, redirect: 'follow'});
                return r.status;
            }""",
            f"/admin/inquiries/edit/{inquiry.pk}/",
        )
        self.assertEqual(status, 404)
        inquiry.refresh_from_db()
        self.assertEqual(inquiry.status, Status.NEW)
        self.assertFalse(inquiry.events.filter(kind=InquiryEvent.Kind.ANSWER).exists())
        export = tab.evaluate("async () => (await fetch('/admin/inquiries/?export=csv')).text()")
        self.assertNotIn(inquiry.reference, export)

    def test_an_editor_answers_the_central_desk_and_erases_an_inquirers_data(self):
        central = InquiryFactory(zone_of_interest=None, email="erase-me@example.org", name="Erase Me", language="de")
        InquiryEvent.objects.create(inquiry=central, kind=InquiryEvent.Kind.CREATED)
        # The Editors group comes with the migrations; a TransactionTestCase's flush took it away.
        editors, _created = Group.objects.get_or_create(name="Editors")
        editors.permissions.add(
            *Permission.objects.filter(codename__in=["access_admin", "view_inquiry", "change_inquiry"])
        )
        editor = staff_member("editor-de", editors, "de")
        tab = self.open_tab()
        log_in(tab, editor.username)
        tab.goto("/admin/inquiries/")
        with tab.expect_navigation():
            tab.get_by_role("link", name=central.reference).click()
        tab.select_option("#id_assignee", str(editor.pk))
        tab.fill("#id_answer", ANSWERS["de"])
        with tab.expect_navigation():
            tab.locator("form button[type=submit]", has_text=gettext_in("de", "Save")).first.click()
        central.refresh_from_db()
        self.assertEqual((central.status, central.assignee), (Status.ANSWERED, editor))

        # The inquirer asks for their data to be erased: Settings → Inquirers' data requests.
        tab.goto("/admin/inquiries/inquirer/")
        tab.fill("#id_email", "ERASE-ME@example.org")
        with tab.expect_navigation():
            tab.get_by_role("button", name=gettext_in("de", "Find inquiries")).click()
        self.assertIn(central.reference, tab.content())
        with tab.expect_download() as download:
            tab.get_by_role("button", name=gettext_in("de", "Download all data (JSON)")).click()
        self.assertIn("Erase Me", Path(download.value.path()).read_text(encoding="utf-8"))
        with tab.expect_navigation():
            tab.get_by_role("button", name=gettext_in("de", "Erase all personal data")).click()
        with tab.expect_navigation():
            tab.get_by_role("button", name=gettext_in("de", "Yes, erase it")).click()
        central.refresh_from_db()
        self.assertIsNotNone(central.anonymised_at)
        self.assertEqual((central.name, central.email, central.message), ("", "", ""))
        self.assertEqual(central.events.get(kind=InquiryEvent.Kind.ANSWER).note, "")
        tab.goto(f"/admin/inquiries/edit/{central.pk}/")
        self.assertNotIn("Erase Me", tab.content())
        self.assertNotIn(ANSWERS["de"], tab.content())

    def test_the_inbox_on_a_phone(self):
        inquiry = self.send_inquiry("ru")
        staff = staff_member("desk-phone", self.desk, "ru")
        tab = self.open_tab(width=390, height=844)
        log_in(tab, staff.username)
        tab.goto(f"/admin/inquiries/edit/{inquiry.pk}/")
        self.assertLessEqual(scroll_width(tab), 390)
        tab.screenshot(path=str(SHOTS / "inquiry-answer-phone-ru.png"), full_page=True)


def gettext_in(lang, text):
    with translation.override(lang):
        return gettext(text)
