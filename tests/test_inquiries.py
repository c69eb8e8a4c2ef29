"""Inquiries (portal/inquiries): the contact form in every language, its abuse checks, the
confirmation only its sender can open, and the e-mails, delivered through a real SMTP server on
loopback (aiosmtpd) by the worker `make worker` runs, even when that server was down at first."""

import email
import json
import logging
import tempfile
import time
from datetime import timedelta
from email import policy
from unittest import mock

from django.conf import settings
from django.core import signing
from django.core.cache import cache, caches
from django.core.management import call_command
from django.db import connection
from django.test import TestCase, TransactionTestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from wagtail.models import PageViewRestriction

import altcha
from aiosmtpd.controller import Controller
from bs4 import BeautifulSoup
from django_tasks_db.models import DBTaskResult

from portal.inquiries import spam, views
from portal.inquiries.models import Inquiry, InquiryEvent, PrivacyNotice, Status
from tests.factories import ZonePageFactory, build_site
from tests.helpers import LANGUAGES, html_lang
from tests.test_email import Inbox
from tests.test_production import free_port

SCRIPT = "<script>alert('x')</script>"
# A cheap proof of work (about 256 tries of 10 PBKDF2 rounds) keeps the tests fast.
FAST = {"INQUIRY_POW_COST": 10, "INQUIRY_RATE_LIMIT_PER_IP": 50, "INQUIRY_RATE_LIMIT_PER_EMAIL": 50}


def ensure_notice() -> PrivacyNotice:
    """The first notice comes with a migration; TransactionTestCase empties the tables."""
    notice = PrivacyNotice.objects.current()
    if notice is None:
        notice = PrivacyNotice.objects.create(
            version=1, title="隐私声明", text="…", title_en="Privacy notice", text_en="…", published_at=timezone.now()
        )
    return notice


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def solve(page: BeautifulSoup) -> str:
    """What the widget puts in the form: the page's challenge, solved."""
    challenge = altcha.Challenge.from_dict(json.loads(page.find("altcha-widget")["challenge"]))
    return altcha.Payload(challenge, altcha.solve_challenge(challenge)).to_base64()


def started(seconds_ago: float = 60) -> str:
    return signing.dumps(time.time() - seconds_ago, salt=spam.TIMESTAMP_SALT)


def form_data(page: BeautifulSoup, lang: str = "en", **changes) -> dict:
    data = {
        "name": "Anna Schmidt",
        "organisation": "Schmidt Logistik GmbH",
        "country": "DE",
        "email": "anna@example.org",
        "phone": "+49 40 123456",
        "sector": "logistics",
        "zone_of_interest": "",
        "project_type": "investment",
        "size_band": "1m-10m",
        "language": lang,
        "message": "We plan a cold-chain warehouse and would like to know about land and customs.",
        "consent": "on",
        "website": "",
        "started": started(),
        "altcha": solve(page),
        "notice_version": page.find("input", attrs={"name": "notice_version"}).get("value"),
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def mail_tasks():
    return DBTaskResult.objects.filter(backend_name="mail")


@override_settings(**FAST)
class InquiryFormTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=1)
        cls.notice = ensure_notice()

    def setUp(self):
        caches["shared"].clear()  # the rate limits' and used proofs' counters

    def get_form(self, lang="en", query="", **extra):
        response = self.client.get(f"/{lang}/contact/{query}", **extra)
        self.assertEqual(response.status_code, 200)
        return response, soup_of(response)

    def send(self, lang="en", follow=False, remote="127.0.0.1", **changes):
        _response, page = self.get_form(lang)
        return self.client.post(
            f"/{lang}/contact/", form_data(page, lang, **changes), follow=follow, REMOTE_ADDR=remote
        )

    def test_form_in_every_language(self):
        for lang in LANGUAGES:
            with self.subTest(lang=lang):
                response, page = self.get_form(lang)
                self.assertEqual(html_lang(response.content.decode()), lang)
                with translation.override(lang):
                    self.assertEqual(page.h1.get_text(), gettext("Contact / Invest"))
                    self.assertEqual(
                        page.find("label", attrs={"for": "id_email"}).get_text(strip=True)[:-1].strip(),
                        gettext("E-mail address"),
                    )
                    # Country names in the page's language (django-countries' translations).
                    germany = page.find("select", id="id_country").find("option", value="DE").get_text()
                    self.assertEqual(
                        germany, {"zh-hans": "德国", "en": "Germany", "de": "Deutschland", "ru": "Германия"}[lang]
                    )
                # Never kept by a shared cache or the page cache.
                self.assertIn("private", response["Cache-Control"])
                self.assertIn("no-store", response["Cache-Control"])
                self.assertNotEqual(response.get("X-Page-Cache"), "hit")
                # Every input has a label; the widget is a file of this site.
                for field in page.select(
                    "form.inquiry-form input:not([type=hidden]), form.inquiry-form select, form.inquiry-form textarea"
                ):
                    self.assertIsNotNone(page.find("label", attrs={"for": field["id"]}), field)
                self.assertTrue(all(s["src"].startswith("/static/") for s in page.find_all("script", src=True)))
                self.assertEqual(page.find("altcha-widget")["language"], lang)

    @override_settings(PAGE_CACHE_SECONDS=300)
    def test_never_kept_by_the_page_cache(self):
        response = self.send("en")
        for path in ["/en/contact/", "/en/contact/?zone=1", response["Location"]]:
            for _ in range(2):
                self.client.cookies.clear()  # an anonymous first visit, as the page cache serves them
                answer = self.client.get(path)
                self.assertEqual(answer.status_code, 200)
                self.assertNotIn("X-Page-Cache", answer, path)
                self.assertIn("no-store", answer["Cache-Control"])
        # Each visit gets its own challenge and timestamp: nothing was replayed.
        first, second = (soup_of(self.client.get("/en/contact/")) for _ in range(2))
        self.assertNotEqual(first.find("altcha-widget")["challenge"], second.find("altcha-widget")["challenge"])

    def test_the_language_preselected_is_the_pages(self):
        for lang in LANGUAGES:
            _response, page = self.get_form(lang)
            self.assertEqual(page.find("select", id="id_language").find("option", selected=True)["value"], lang)

    def test_contact_links_on_zone_news_and_home_pages(self):
        zone, news, home = self.site["zone"], self.site["news"][0], self.site["home"]
        for page, expected in [
            (zone, f"/en/contact/?zone={zone.pk}"),
            (news, "/en/contact/?zone="),
            (home, "/en/contact/"),
        ]:
            with self.subTest(page=page.title_en), translation.override("en"):
                html = self.client.get(page.get_url()).content.decode()
                self.assertIn(f'href="{expected}', html)
                self.assertIn(gettext("Contact / Invest"), html)

    def test_zone_is_prefilled_from_the_page(self):
        zone = self.site["zone"]
        _response, page = self.get_form("en", f"?zone={zone.pk}")
        selected = page.find("select", id="id_zone_of_interest").find("option", selected=True)
        self.assertEqual(selected["value"], str(zone.pk))
        self.assertEqual(selected.get_text(), zone.title_en)

    def test_draft_or_private_zone_is_neither_prefilled_nor_listed(self):
        draft = ZonePageFactory(parent=self.site["zone_index"], live=False, title_en="Secret draft zone")
        private = ZonePageFactory(parent=self.site["zone_index"], title_en="Members-only zone")
        PageViewRestriction.objects.create(page=private, restriction_type="password", password="x")
        for query in [
            f"?zone={draft.pk}",
            f"?zone={private.pk}",
            "?zone=abc",
            "?zone=99999999999999999999",
            "?zone=-1",
            "?zone=",
        ]:
            with self.subTest(query=query):
                response, page = self.get_form("en", query)
                select = page.find("select", id="id_zone_of_interest")
                self.assertIsNone(select.find("option", selected=True, value=lambda v: bool(v)))
                html = response.content.decode()
                self.assertNotIn("Secret draft zone", html)
                self.assertNotIn("Members-only zone", html)
                self.assertNotIn(f'value="{draft.pk}"', html)
                self.assertNotIn(f'value="{private.pk}"', html)

    def test_a_valid_inquiry_is_stored_and_confirmed_in_every_language(self):
        zone = self.site["zone"]
        for lang in LANGUAGES:
            with self.subTest(lang=lang):
                response = self.send(lang, zone_of_interest=str(zone.pk), email=f"anna-{lang}@example.org")
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].startswith(f"/{lang}/contact/sent/"), response["Location"])
                inquiry = Inquiry.objects.get(email=f"anna-{lang}@example.org")
                self.assertEqual(inquiry.status, Status.NEW)
                self.assertEqual(inquiry.spam_reasons, [])
                self.assertEqual(inquiry.language, lang)
                self.assertEqual(inquiry.zone_of_interest_id, zone.pk)
                self.assertEqual(inquiry.desk_id, zone.pk)
                self.assertEqual(inquiry.privacy_notice, self.notice)
                self.assertEqual(inquiry.country.code, "DE")
                self.assertRegex(inquiry.reference, r"^SC-\d{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")
                self.assertEqual(list(inquiry.events.values_list("kind", flat=True)), ["created"])
                # Two e-mails queued on the "mail" backend (delivered by the worker: MailDeliveryTests).
                queued = mail_tasks().filter(args_kwargs__args__0=inquiry.pk)
                self.assertEqual(sorted(t.args_kwargs["args"][1] for t in queued), ["auto-reply", "desk"])

                confirmation = self.client.get(response["Location"])
                self.assertEqual(confirmation.status_code, 200)
                self.assertIn("no-store", confirmation["Cache-Control"])
                page = soup_of(confirmation)
                self.assertEqual(page.find(class_="reference").get_text(), inquiry.reference)
                with translation.override(lang):
                    days = ngettext(
                        "We will answer within %(days)s working day.", "We will answer within %(days)s working days.", 5
                    ) % {"days": 5}
                    self.assertEqual(days, page.find(class_="response-time").get_text())
                # Nothing the inquirer wrote is on the page: the reference is all it shows.
                self.assertNotIn("Schmidt", confirmation.content.decode())

    def test_the_consent_names_the_notice_the_page_showed(self):
        _response, page = self.get_form("en")
        self.assertEqual(page.find("input", attrs={"name": "notice_version"})["value"], str(self.notice.version))
        newer = PrivacyNotice.objects.create(version=7, title="v7", text="…", published_at=timezone.now())
        self.client.post("/en/contact/", form_data(page))
        self.assertEqual(Inquiry.objects.get().privacy_notice, self.notice)  # seen before v7 was out
        self.send("en", email="later@example.org")
        self.assertEqual(Inquiry.objects.get(email="later@example.org").privacy_notice, newer)
        # A version never published (or made up) counts as the current one.
        self.client.post("/en/contact/", form_data(page, email="odd@example.org", notice_version="999"))
        self.assertEqual(Inquiry.objects.get(email="odd@example.org").privacy_notice, newer)

    @override_settings(INQUIRY_RESPONSE_DAYS=10)
    def test_the_promised_time_follows_the_setting(self):
        response = self.send("en", follow=True)
        self.assertIn("within 10 working days", response.content.decode())

    def test_a_crafted_confirmation_url_finds_nothing(self):
        response = self.send("en")
        own = response["Location"]
        other = Inquiry.objects.get()
        token = own.rstrip("/").rsplit("/", 1)[1]
        crafted = [
            other.reference,
            signing.dumps(other.reference),  # signed, but not for this purpose
            signing.dumps(other.reference, salt="another.salt"),
            token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
            signing.dumps("SC-2026-0000-0000", salt=views.CONFIRMATION_SALT),  # no such inquiry
            "1",
            "..",
        ]
        for value in crafted:
            with self.subTest(value=value):
                self.assertEqual(self.client.get(f"/en/contact/sent/{value}/").status_code, 404)
        self.assertEqual(self.client.get(own).status_code, 200)

    def test_an_old_confirmation_link_expires(self):
        response = self.send("en")
        later = time.time() + views.CONFIRMATION_SECONDS + 60
        with mock.patch("time.time", return_value=later):
            self.assertEqual(self.client.get(response["Location"]).status_code, 404)

    # --- abuse ------------------------------------------------------------------------------------

    def assert_held(self, response, reason):
        self.assertEqual(response.status_code, 200)  # followed to the confirmation: nothing lost
        inquiry = Inquiry.objects.latest("received_at")
        self.assertEqual(inquiry.status, Status.SPAM)
        self.assertIn(reason, inquiry.spam_reasons)
        self.assertEqual(inquiry.spam_score, len(inquiry.spam_reasons))
        self.assertFalse(mail_tasks().filter(args_kwargs__args__0=inquiry.pk).exists(), "a held inquiry sends no mail")
        self.assertEqual(soup_of(response).find(class_="reference").get_text(), inquiry.reference)
        self.assertIsNotNone(soup_of(response).find(class_="notice"))
        return inquiry

    def test_honeypot_filled_is_held(self):
        self.assert_held(self.send("en", follow=True, website="http://spam.example"), spam.HONEYPOT)

    def test_too_fast_is_held(self):
        _response, page = self.get_form("en")
        data = form_data(page, started=page.find("input", attrs={"name": "started"})["value"])
        self.assert_held(self.client.post("/en/contact/", data, follow=True), spam.TOO_FAST)

    def test_missing_or_forged_timestamp_is_held(self):
        self.assert_held(self.send("en", follow=True, started=None), spam.NO_TIMESTAMP)
        forged = signing.dumps(time.time() - 60, salt="not-ours")
        self.assert_held(self.send("en", follow=True, started=forged), spam.NO_TIMESTAMP)

    def test_no_proof_of_work_is_held_not_lost(self):
        inquiry = self.assert_held(self.send("de", follow=True, altcha=None), spam.NO_PROOF)
        self.assertEqual(inquiry.name, "Anna Schmidt")

    def test_a_wrong_or_reused_proof_is_held(self):
        self.assert_held(self.send("en", follow=True, altcha="bm90IGEgcHJvb2Y="), spam.BAD_PROOF)
        self.assert_held(self.send("en", follow=True, altcha="{" * 5000), spam.BAD_PROOF)
        _response, page = self.get_form("en")
        proof = solve(page)
        first = self.client.post("/en/contact/", form_data(page, altcha=proof), follow=True)
        self.assertEqual(Inquiry.objects.latest("received_at").status, Status.NEW, first.content[:300])
        self.assert_held(
            self.client.post("/en/contact/", form_data(page, altcha=proof), follow=True), spam.REUSED_PROOF
        )

    def test_a_proof_for_another_servers_challenge_is_held(self):
        challenge = altcha.create_challenge("PBKDF2/SHA-256", 10, hmac_secret="someone else's key")
        proof = altcha.Payload(challenge, altcha.solve_challenge(challenge)).to_base64()
        self.assert_held(self.send("en", follow=True, altcha=proof), spam.BAD_PROOF)

    @override_settings(INQUIRY_MAX_LINKS=2)
    def test_many_links_are_held(self):
        message = "See http://a.example http://b.example and www.c.example"
        self.assert_held(self.send("en", follow=True, message=message), spam.LINKS)
        self.send("en", message="Our site: https://a.example and https://b.example")
        self.assertEqual(Inquiry.objects.latest("received_at").status, Status.NEW)

    @override_settings(INQUIRY_RATE_LIMIT_PER_IP=3)
    def test_flood_from_one_address_is_refused_with_429(self):
        for n in range(3):
            self.assertEqual(self.send("en", email=f"n{n}@example.org").status_code, 302)
        response = self.send("en", email="n4@example.org", name="Fourth Sender")
        self.assertEqual(response.status_code, 429)
        page = soup_of(response)
        self.assertIn("hour", page.find(class_="error-summary").get_text())
        self.assertEqual(page.find("input", id="id_name")["value"], "Fourth Sender")  # what was typed is kept
        self.assertEqual(page.find("textarea", id="id_message").get_text().strip()[:10], "We plan a ")
        self.assertEqual(Inquiry.objects.count(), 3)
        # Another address is not affected.
        self.assertEqual(self.send("en", email="n5@example.org", remote="192.0.2.7").status_code, 302)

    def test_the_limit_lasts_the_hour_in_the_file_cache(self):
        """FileBasedCache.incr() rewrote the count with the cache's default timeout (300 s): the
        hour's limit lifted after five minutes when the shared cache was files (no Redis)."""
        files = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "TIMEOUT": 300}
        with (
            tempfile.TemporaryDirectory() as folder,
            override_settings(CACHES={**settings.CACHES, "shared": {**files, "LOCATION": folder}}),
        ):
            self.assert_limit_lasts_the_hour()

    def assert_limit_lasts_the_hour(self):
        self.assertEqual(type(caches["shared"]).__name__, "FileBasedCache")
        start = time.time()
        with mock.patch("time.time", return_value=start):
            self.assertEqual([spam._hit("ip:x", 2) for _ in range(3)], [True, True, False])
        with mock.patch("time.time", return_value=start + 20 * 60):  # past the default timeout
            self.assertFalse(spam._hit("ip:x", 2))
        with mock.patch("time.time", return_value=start + 61 * 60):  # a new hour
            self.assertTrue(spam._hit("ip:x", 2))

    @override_settings(INQUIRY_RATE_LIMIT_PER_EMAIL=2)
    def test_flood_for_one_email_address_is_refused_with_429(self):
        for n in range(2):
            self.assertEqual(self.send("en", remote=f"192.0.2.{n + 1}").status_code, 302)
        response = self.send("en", email="ANNA@example.org", remote="192.0.2.9")
        self.assertEqual(response.status_code, 429)
        self.assertEqual(Inquiry.objects.count(), 2)

    def test_a_1_mb_message_is_refused_with_a_clear_error_and_nothing_stored(self):
        response = self.send("en", message="x" * 1_000_000, name="Long Writer")
        self.assertEqual(response.status_code, 400)
        page = soup_of(response)
        summary = page.find(class_="error-summary")
        link = summary.find("a", href="#id_message")
        self.assertIn("5000", link.get_text())
        self.assertIn(gettext("Your message"), link.get_text())
        self.assertEqual(page.find("textarea", id="id_message")["aria-invalid"], "true")
        self.assertEqual(page.find("textarea", id="id_message")["aria-describedby"].split()[0], "id_message_error")
        self.assertIsNotNone(page.find(id="id_message_error"))
        self.assertEqual(page.find("input", id="id_name")["value"], "Long Writer")
        self.assertEqual(Inquiry.objects.count(), 0)
        self.assertEqual(InquiryEvent.objects.count(), 0)
        self.assertEqual(mail_tasks().count(), 0)

    def test_every_field_has_a_size_limit(self):
        long = "y" * 201
        response = self.send("en", name=long, organisation=long, phone="1" * 51, email="a" * 250 + "@example.org")
        self.assertEqual(response.status_code, 400)
        errors = {a["href"] for a in soup_of(response).find(class_="error-summary").find_all("a")}
        self.assertEqual(errors, {"#id_name", "#id_organisation", "#id_phone", "#id_email"})
        self.assertEqual(Inquiry.objects.count(), 0)

    def test_missing_and_invalid_choices_are_named_per_field_in_each_language(self):
        for lang in LANGUAGES:
            with self.subTest(lang=lang):
                response = self.send(lang, name="", country="XX", sector="weapons", consent=None, language="fr")
                self.assertEqual(response.status_code, 400)
                page = soup_of(response)
                hrefs = [a["href"] for a in page.find(class_="error-summary").find_all("a")]
                self.assertEqual(hrefs, ["#id_name", "#id_country", "#id_sector", "#id_language", "#id_consent"])
                with translation.override(lang):
                    self.assertEqual(
                        page.find(class_="error-summary").h2.get_text(), gettext("Your inquiry has not been sent yet")
                    )
                    self.assertIn(
                        gettext("Please agree to the privacy notice, or we cannot answer you."),
                        page.find(id="id_consent_error").get_text(),
                    )
        self.assertEqual(Inquiry.objects.count(), 0)

    def test_script_in_every_field_is_stored_as_text_and_escaped(self):
        fields = ["name", "organisation", "phone", "message"]
        response = self.send("en", follow=True, **{name: SCRIPT for name in fields})
        self.assertEqual(response.status_code, 200)
        inquiry = Inquiry.objects.get()
        for name in fields:
            self.assertEqual(getattr(inquiry, name), SCRIPT)
        self.assertNotIn("<script>alert", response.content.decode())
        # The form shown again (an error elsewhere) escapes what was typed.
        again = self.send("en", email="not an address", **{name: SCRIPT for name in fields})
        self.assertEqual(again.status_code, 400)
        html = again.content.decode()
        self.assertNotIn("<script>alert", html)
        self.assertIn("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;", html)
        # Choices, the zone and the language only take listed values; an e-mail address no markup.
        self.assertEqual(self.send("en", email=f"a{SCRIPT}@example.org", sector=SCRIPT).status_code, 400)

    def test_nothing_personal_in_the_logs(self):
        with self.assertLogs("portal.inquiries", level=logging.INFO) as logs:
            self.send("en", follow=True)
            self.send("en", follow=True, altcha=None)
        text = "\n".join(logs.output)
        references = list(Inquiry.objects.values_list("reference", flat=True))
        self.assertTrue(all(reference in text for reference in references))
        for personal in ("Anna", "Schmidt", "anna@example.org", "123456", "warehouse"):
            self.assertNotIn(personal, text)

    def test_inquiries_are_in_no_search(self):
        self.send("en", message="Quixotic zebra warehouse plans")
        response = self.client.get("/en/search/?q=Quixotic+zebra")
        self.assertNotIn(Inquiry.objects.get().reference, response.content.decode())
        self.assertNotIn("Quixotic", soup_of(response).find("main").get_text().replace("Quixotic zebra", "", 1))

    def test_only_get_and_post(self):
        self.assertEqual(self.client.put("/en/contact/").status_code, 405)
        self.assertEqual(self.client.post("/en/contact/sent/x/").status_code, 405)

    def test_form_page_query_count_does_not_grow_with_the_site(self):
        def counts():
            """Queries of the form page with empty caches, then with the site's parts cached."""
            cache.clear()
            found = []
            for _ in range(2):
                with CaptureQueriesContext(connection) as queries:
                    self.get_form("en", f"?zone={self.site['zone'].pk}")
                found.append(len(queries))
            return found

        self.get_form("en")  # Wagtail creates the site settings' row on first use
        small = counts()
        for _ in range(10):
            ZonePageFactory(parent=self.site["zone_index"])
        self.assertEqual(counts(), small)
        cold, warm = small
        self.assertLessEqual(cold, 10)
        self.assertLessEqual(warm, 5)


def smtp_settings(port: int) -> dict:
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": port,
        "EMAIL_USE_TLS": False,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 5,
        "DEFAULT_FROM_EMAIL": "SCODA Portal <portal@example.org>",
        "INQUIRY_DESK_EMAILS": ["desk@example.org"],
    }


def run_worker() -> None:
    """What `make worker` runs, until no task is due."""
    call_command("db_worker", "--backend", "mail", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)


@override_settings(**FAST)
class MailDeliveryTests(TransactionTestCase):
    """The worker sends both e-mails through a real SMTP server on loopback."""

    def setUp(self):
        caches["shared"].clear()
        self.site = build_site(news_count=0)
        ensure_notice()
        self.port = free_port()
        self.inbox = Inbox()
        self.server = None

    def tearDown(self):
        if self.server:
            self.server.stop()

    def start_server(self):
        self.server = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.server.start()

    def send(self, lang, **changes):
        page = soup_of(self.client.get(f"/{lang}/contact/"))
        response = self.client.post(f"/{lang}/contact/", form_data(page, lang, **changes))
        self.assertEqual(response.status_code, 302)
        return Inquiry.objects.latest("received_at")

    def messages(self):
        return [email.message_from_bytes(m.content, policy=policy.default) for m in self.inbox.messages]

    def test_auto_reply_in_the_inquirers_language_and_desk_notice(self):
        self.start_server()
        with self.settings(**smtp_settings(self.port)):
            for lang in LANGUAGES:
                with self.subTest(lang=lang):
                    self.inbox.messages.clear()
                    inquiry = self.send(
                        lang, email=f"inquirer-{lang}@example.org", message=f"Hello {SCRIPT}", name=SCRIPT
                    )
                    run_worker()
                    mails = {m["To"]: m for m in self.messages()}
                    self.assertEqual(set(mails), {f"inquirer-{lang}@example.org", "desk@example.org"})

                    reply = mails[f"inquirer-{lang}@example.org"]
                    with translation.override(lang):
                        subject = gettext("Your inquiry %(reference)s") % {"reference": inquiry.reference}
                        thanks = gettext("What you sent us:")
                    if lang != "en":
                        self.assertNotIn("Your inquiry", subject, f"no {lang} translation")
                    self.assertEqual(reply["Subject"], subject)
                    self.assertEqual(reply["Content-Language"], lang)
                    self.assertEqual(reply["Reply-To"], "desk@example.org")
                    self.assertEqual(reply.get_content_type(), "multipart/alternative")
                    text = reply.get_body(("plain",)).get_content()
                    html = reply.get_body(("html",)).get_content()
                    for part in (text, html):
                        self.assertIn(inquiry.reference, part)
                        self.assertIn(thanks, part)
                    self.assertIn(f'<html lang="{lang}">', html)
                    self.assertIn("5", text)
                    # Plain text is text; the HTML part never carries the visitor's markup.
                    self.assertIn(SCRIPT, text)
                    self.assertNotIn("<script>", html)
                    self.assertIn("&lt;script&gt;", html)

                    desk = mails["desk@example.org"]
                    self.assertEqual(desk["Reply-To"], f"inquirer-{lang}@example.org")
                    self.assertIn(inquiry.reference, desk["Subject"])
                    desk_html = desk.get_body(("html",)).get_content()
                    self.assertNotIn("<script>", desk_html)
                    self.assertIn("&lt;script&gt;", desk_html)
                    inbox = f"http://testserver/admin/inquiries/edit/{inquiry.pk}/"
                    self.assertIn(f'href="{inbox}"', desk_html, "the desk's way to the inquiry")
                    self.assertIn(inbox, desk.get_body(("plain",)).get_content())
                    self.assertIn(SCRIPT, desk.get_body(("plain",)).get_content())

                    kinds = sorted(e.data["mail"] for e in inquiry.events.filter(kind=InquiryEvent.Kind.MAIL_SENT))
                    self.assertEqual(kinds, ["auto-reply", "desk"])

    def test_the_zones_contact_address_gets_the_notice(self):
        zone = self.site["zone"]
        zone.contact_email = "zone-desk@example.org"
        zone.save()
        self.start_server()
        with self.settings(**smtp_settings(self.port)):
            self.send("en", zone_of_interest=str(zone.pk))
            run_worker()
        self.assertEqual(sorted(m["To"] for m in self.messages()), ["anna@example.org", "zone-desk@example.org"])

    def test_mail_server_down_keeps_the_inquiry_retries_and_delivers_later(self):
        with self.settings(**smtp_settings(self.port), INQUIRY_MAIL_RETRY_SECONDS=600):
            inquiry = self.send("ru")  # nothing listens on the port yet
            run_worker()
            inquiry.refresh_from_db()
            self.assertEqual(inquiry.status, Status.NEW)
            failed = inquiry.events.filter(kind=InquiryEvent.Kind.MAIL_FAILED)
            self.assertEqual(sorted(e.data["mail"] for e in failed), ["auto-reply", "desk"])
            self.assertTrue(all(e.data["error"] == "ConnectionRefusedError" and e.data["retry_at"] for e in failed))
            waiting = mail_tasks().filter(status="READY")
            self.assertEqual(waiting.count(), 2)
            self.assertTrue(all(t.run_after > timezone.now() + timedelta(seconds=590) for t in waiting))
            self.assertTrue(all(t.args_kwargs["args"][2] == 2 for t in waiting))

            run_worker()  # not due yet: nothing happens
            self.assertEqual(mail_tasks().filter(status="READY").count(), 2)

            self.start_server()
            waiting.update(run_after=timezone.now())  # the retry time has come
            run_worker()
        self.assertEqual(sorted(m["To"] for m in self.messages()), ["anna@example.org", "desk@example.org"])
        self.assertEqual(self.messages()[0]["Content-Language"] in ("ru", "zh-hans"), True)
        sent = inquiry.events.filter(kind=InquiryEvent.Kind.MAIL_SENT)
        self.assertEqual(sorted((e.data["mail"], e.data["attempt"]) for e in sent), [("auto-reply", 2), ("desk", 2)])
        self.assertEqual(mail_tasks().filter(status="READY").count(), 0)

    def test_gives_up_after_the_last_try_and_keeps_the_inquiry(self):
        with self.settings(**smtp_settings(self.port), INQUIRY_MAIL_RETRIES=2, INQUIRY_MAIL_RETRY_SECONDS=0):
            inquiry = self.send("en")
            run_worker()  # with no delay the retries are due at once: both tries of both mails
        failed = inquiry.events.filter(kind=InquiryEvent.Kind.MAIL_FAILED).order_by("pk")
        self.assertEqual(
            sorted((e.data["mail"], e.data["attempt"]) for e in failed),
            [("auto-reply", 1), ("auto-reply", 2), ("desk", 1), ("desk", 2)],
        )
        self.assertTrue(all(e.data["retry_at"] is None for e in failed if e.data["attempt"] == 2))
        self.assertEqual(mail_tasks().filter(status="READY").count(), 0)
        self.assertTrue(Inquiry.objects.filter(pk=inquiry.pk).exists())


class PrivacyNoticeAdminTests(TestCase):
    """Editors publish a new version of the notice in the admin (Settings); a published one keeps its words."""

    @classmethod
    def setUpTestData(cls):
        cls.site = build_site(news_count=0)
        cls.notice = ensure_notice()
        from django.contrib.auth import get_user_model

        cls.admin = get_user_model().objects.create_superuser("admin", "admin@example.org", "pw")

    def data(self, version, text):
        fields = {"version": str(version), "published_at": timezone.now().strftime("%Y-%m-%d %H:%M")}
        for code in ("zh_hans", "en", "de", "ru"):
            fields[f"title_{code}"] = f"Notice {code}"
            fields[f"text_{code}"] = f"{text} {code}"
        return fields

    def test_a_new_version_is_shown_and_a_published_one_cannot_change(self):
        self.client.force_login(self.admin)
        listing = self.client.get("/admin/snippets/inquiries/privacynotice/")
        self.assertEqual(listing.status_code, 200)

        edit = f"/admin/snippets/inquiries/privacynotice/edit/{self.notice.pk}/"
        refused = self.client.post(edit, self.data(self.notice.version, "Changed words"))
        self.assertEqual(refused.status_code, 200)
        with translation.override("zh-hans"):  # the admin's language here (the site's default)
            message = gettext("Version %(version)s has been published: add a new version instead of changing it.")
        self.assertIn(message % {"version": 1}, refused.content.decode())
        self.notice.refresh_from_db()
        self.assertNotIn("Changed words", self.notice.text_en)

        added = self.client.post("/admin/snippets/inquiries/privacynotice/add/", self.data(2, "New words"))
        self.assertEqual(added.status_code, 302, added.content.decode()[:2000])
        self.assertEqual(PrivacyNotice.objects.current().version, 2)
        self.client.logout()
        form = self.client.get("/de/contact/").content.decode()
        self.assertIn("New words de", form)
        self.assertNotIn("Changed words", form)
