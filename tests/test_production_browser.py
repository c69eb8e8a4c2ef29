"""Real Chromium: the Wagtail admin still works under the production Content-Security-Policy.

An editor logs in through the admin's login form (django-axes counts it), opens a news page in
the page editor, changes the English title, saves a draft; the revision holds the new title and
the browser reports no CSP violation on the way.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.test import override_settings

from wagtail.users.models import UserProfile

import pytest

from portal.csp import with_csp
from tests.browser import ChromiumLiveServer, require_chromium
from tests.factories import build_site
from tests.helpers import url_in

require_chromium()
pytestmark = pytest.mark.browser

# Every violation the page sees, whether or not Chromium also logs it to the console.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} (${where})`);
});
"""


def policy(header: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as {directive: sources}."""
    return {name: sources for name, *sources in (part.split() for part in header.split(";") if part.strip())}


# The live server starts in setUpClass, after the class's settings are in force, so it runs the CSP middleware.
@override_settings(MIDDLEWARE=with_csp(settings.MIDDLEWARE))
class AdminUnderCSPTests(ChromiumLiveServer, StaticLiveServerTestCase):
    def setUp(self):
        self.site = build_site(news_count=1)
        self.editor = get_user_model().objects.create_superuser("editor", "editor@example.com", "correct horse")
        UserProfile.get_for_user(self.editor).__class__.objects.filter(user=self.editor).update(preferred_language="en")
        self.context = self.browser.new_context(viewport={"width": 1280, "height": 900}, base_url=self.live_server_url)
        self.context.add_init_script(RECORD_VIOLATIONS)
        self.console: list[str] = []
        self.tab = self.context.new_page()
        self.tab.on("console", lambda message: self.console.append(message.text))

    def tearDown(self):
        self.context.close()

    def violations(self) -> list[str]:
        logged = [text for text in self.console if "Content Security Policy" in text]
        return logged + self.tab.evaluate("window.__cspViolations")

    def test_public_pages_break_no_rule_of_the_policy(self):
        for page in [self.site["home"], self.site["news"][0], self.site["zone"]]:
            with self.subTest(page=page.title_en):
                response = self.tab.goto(url_in(page, "en"))
                self.assertEqual(response.status, 200)
                self.assertEqual(policy(response.headers["content-security-policy"])["script-src"], ["'self'"])
                # The site's stylesheet loaded under the policy.
                rules = self.tab.evaluate("[...document.styleSheets].map((sheet) => sheet.cssRules.length)")
                self.assertTrue(rules and all(rules), rules)
                self.assertEqual(self.violations(), [])

    def log_in(self):
        response = self.tab.goto("/admin/login/")
        self.assertEqual(policy(response.headers["content-security-policy"])["default-src"], ["'self'"])
        self.tab.fill("#id_username", "editor")
        self.tab.fill("#id_password", "correct horse")
        with self.tab.expect_navigation():
            self.tab.get_by_role("button", name="Sign in").click()
        self.assertEqual(self.violations(), [])

    def test_page_editor_saves_a_draft_under_the_policy(self):
        news = self.site["news"][0]
        self.log_in()
        response = self.tab.goto(f"/admin/pages/{news.pk}/edit/")
        self.assertEqual(response.status, 200)
        self.assertIn("'unsafe-inline'", policy(response.headers["content-security-policy"])["script-src"])
        self.tab.wait_for_load_state("networkidle")

        # wagtail-modeltranslation's locale picker (started by an inline script) may hide the English fields.
        title = self.tab.locator("#id_title_en")
        if not title.is_visible():
            self.tab.get_by_role("button", name="en", exact=True).click()
        title.fill("A new English title")
        with self.tab.expect_navigation():
            self.tab.get_by_role("button", name="Save draft").click()
        self.tab.wait_for_load_state("networkidle")

        news.refresh_from_db()
        revision = news.get_latest_revision()
        self.assertEqual(revision.content["title_en"], "A new English title")
        self.assertTrue(news.has_unpublished_changes)
        self.assertEqual(self.violations(), [])
