"""Real Chromium sends an inquiry under the production Content-Security-Policy: with JavaScript the
vendored ALTCHA widget solves the server's proof-of-work challenge (workers and styles are files of
this site) and the inquiry is stored as new; without JavaScript the same form still arrives, held
for review, and the visitor is told so. The form also passes axe-core, at phone width too."""

from django.conf import settings
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.core.cache import caches
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext, pgettext

import pytest

from portal.csp import with_csp
from portal.inquiries import spam
from portal.inquiries.models import Inquiry, Status
from tests.browser import ChromiumLiveServer, require_chromium
from tests.factories import build_site
from tests.test_browser import FAILING_IMPACTS, axe_script, describe, scroll_width
from tests.test_inquiries import ensure_notice, mail_tasks
from tests.test_production_browser import RECORD_VIOLATIONS

require_chromium()
pytestmark = pytest.mark.browser


# The live server starts in setUpClass, after the class's settings are in force: it runs the CSP
# middleware. Playwright fills a form in well under the minimum fill time a person needs, which
# tests/test_inquiries.py checks; here it is off.
@override_settings(MIDDLEWARE=with_csp(settings.MIDDLEWARE), INQUIRY_MIN_FILL_SECONDS=0)
class InquiryInBrowserTests(ChromiumLiveServer, StaticLiveServerTestCase):
    def setUp(self):
        caches["shared"].clear()  # the rate limits' counters
        self.site = build_site(news_count=1)
        ensure_notice()
        self.contexts = []
        self.elsewhere: list[str] = []
        self.console: list[str] = []

    def tearDown(self):
        for context in self.contexts:
            context.close()
        self.assertEqual(self.elsewhere, [], "requests to other hosts than the live server")

    def open_tab(self, javascript=True, width=1280, height=900, bypass_csp=False):
        context = self.browser.new_context(
            viewport={"width": width, "height": height},
            base_url=self.live_server_url,
            java_script_enabled=javascript,
            bypass_csp=bypass_csp,  # axe-core is injected as an inline script
        )
        context.add_init_script(RECORD_VIOLATIONS)
        context.on(
            "request",
            lambda r: (
                None if r.url.startswith((self.live_server_url, "data:", "about:")) else self.elsewhere.append(r.url)
            ),
        )
        self.contexts.append(context)
        tab = context.new_page()
        tab.on("console", lambda message: self.console.append(message.text))
        return tab

    def violations(self, tab) -> list[str]:
        logged = [text for text in self.console if "Content Security Policy" in text]
        return logged + tab.evaluate("window.__cspViolations")

    def fill(self, tab, lang):
        zone = self.site["zone"]
        tab.goto(f"/{lang}/contact/?zone={zone.pk}")
        tab.fill("#id_name", "Алексей Петров")
        tab.fill("#id_organisation", "ООО «Северный путь»")
        tab.select_option("#id_country", "KZ")
        tab.fill("#id_email", "petrov@example.org")
        tab.select_option("#id_sector", "logistics")
        tab.select_option("#id_project_type", "partnership")
        tab.select_option("#id_size_band", "10m-100m")
        tab.fill("#id_message", "Мы ищем партнёра для контейнерных перевозок через Циндао.")
        tab.check("#id_consent")
        self.assertEqual(tab.locator("#id_zone_of_interest").input_value(), str(zone.pk))
        self.assertEqual(tab.locator("#id_language").input_value(), lang)

    def submit(self, tab):
        with tab.expect_navigation():
            tab.locator("form.inquiry-form button[type=submit]").click()
        self.assertIn("/contact/sent/", tab.url)

    def test_with_javascript_the_widget_solves_the_proof_of_work(self):
        tab = self.open_tab()
        self.fill(tab, "ru")
        # The widget started when a field got focus; its answer lands in the form as "altcha".
        # (Polled from here: wait_for_function would evaluate a string, which the page's CSP forbids.)
        for _ in range(600):
            if tab.evaluate("() => document.querySelector('input[name=altcha]')?.value"):
                break
            tab.wait_for_timeout(100)
        else:
            self.fail("the widget gave no proof of work within 60 s")
        with translation.override("ru"):
            self.assertIn(pgettext("spam check", "Verified"), tab.locator("altcha-widget").inner_text())
        self.submit(tab)
        inquiry = Inquiry.objects.get()
        self.assertEqual((inquiry.status, inquiry.spam_reasons), (Status.NEW, []))
        self.assertEqual(inquiry.language, "ru")
        self.assertEqual(inquiry.name, "Алексей Петров")
        self.assertEqual(tab.locator(".reference").inner_text(), inquiry.reference)
        self.assertEqual(tab.locator("html").get_attribute("lang"), "ru")
        self.assertEqual(mail_tasks().count(), 2)
        self.assertEqual(self.violations(tab), [])

    def test_without_javascript_the_inquiry_arrives_held_for_review(self):
        tab = self.open_tab(javascript=False)
        self.fill(tab, "de")
        with translation.override("de"):
            noscript = gettext(
                "Your browser runs no JavaScript, so our automatic spam check cannot run: a person will look at "
                "your inquiry before it reaches the desk, and you will get no automatic e-mail."
            )
        self.assertIn(noscript, tab.locator(".pow-field").inner_text())
        self.submit(tab)
        inquiry = Inquiry.objects.get()
        self.assertEqual((inquiry.status, inquiry.spam_reasons), (Status.SPAM, [spam.NO_PROOF]))
        self.assertEqual(tab.locator(".reference").inner_text(), inquiry.reference)
        self.assertTrue(tab.locator(".notice").is_visible())
        self.assertEqual(mail_tasks().count(), 0)

    def test_errors_are_summarised_focused_and_linked_and_the_form_is_accessible(self):
        axe = axe_script().read_text()
        for width, height in [(1280, 900), (360, 740)]:
            with self.subTest(width=width):
                tab = self.open_tab(width=width, height=height, bypass_csp=True)
                tab.goto("/zh-hans/contact/")
                tab.fill("#id_name", "王芳")
                tab.fill("#id_email", "not an address")
                with tab.expect_navigation():
                    tab.locator("form.inquiry-form button[type=submit]").click()
                self.assertEqual(Inquiry.objects.count(), 0)
                summary = tab.locator(".error-summary")
                self.assertTrue(summary.is_visible())
                self.assertEqual(tab.evaluate("document.activeElement.className"), "error-summary")
                self.assertEqual(tab.locator("#id_name").input_value(), "王芳")
                summary.locator('a[href="#id_email"]').click()
                self.assertEqual(tab.evaluate("document.activeElement.id"), "id_email")
                self.assertLessEqual(scroll_width(tab), width)
                tab.add_script_tag(content=axe)
                found = tab.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
                failing = [line for v in found if v["impact"] in FAILING_IMPACTS for line in describe(v)]
                self.assertEqual(failing, [])
