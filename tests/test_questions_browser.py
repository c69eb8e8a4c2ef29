"""Real Chromium, under the production Content-Security-Policy: the contact form's choice of a public
question hides the fields a question need not fill (with JavaScript) or shows them all and says which
are optional (without); either way the question arrives as one. The Q&A pages read well and pass
axe-core at desktop and phone width in Chinese and English (screenshots in artifacts/screenshots)."""

from django.conf import settings
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.core.cache import caches
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext

import pytest

from portal import pagecache
from portal.csp import with_csp
from portal.inquiries.models import Inquiry, Kind, Status
from tests.browser import SHOTS, ChromiumLiveServer, require_chromium
from tests.factories import QuestionIndexPageFactory, QuestionPageFactory, build_site
from tests.helpers import url_in
from tests.test_browser import FAILING_IMPACTS, axe_script, describe, scroll_width
from tests.test_inquiries import ensure_notice

require_chromium()
pytestmark = pytest.mark.browser

INQUIRY_ONLY = ("#id_organisation", "#id_sector", "#id_project_type", "#id_size_band")


@override_settings(MIDDLEWARE=with_csp(settings.MIDDLEWARE), INQUIRY_MIN_FILL_SECONDS=0)
class QuestionsInBrowserTests(ChromiumLiveServer, StaticLiveServerTestCase):
    def setUp(self):
        caches["shared"].clear()
        self.site = build_site(news_count=1)
        ensure_notice()
        self.index = QuestionIndexPageFactory(parent=self.site["home"], slug_en="questions")
        self.question = QuestionPageFactory(
            parent=self.index,
            title_zh_hans="出口到上合组织国家的货物能否在示范区办理通关？",
            title_en="Can goods for SCO countries be cleared through customs in the demonstration area?",
            question_zh_hans="我们向哈萨克斯坦出口机械零部件。货物能否在示范区办理通关手续？",
            question_en="We export machinery parts to Kazakhstan. Can our goods be cleared here?",
            answer_zh_hans="<p>可以。示范区的多式联运中心提供海关监管和查验服务。</p>",
            answer_en="<p>Yes. The multimodal transport centre offers customs supervision and inspection.</p>",
            zone=self.site["zone"],
        )
        pagecache.invalidate()
        self.contexts = []
        self.elsewhere: list[str] = []

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
        context.on(
            "request",
            lambda r: (
                None if r.url.startswith((self.live_server_url, "data:", "about:")) else self.elsewhere.append(r.url)
            ),
        )
        self.contexts.append(context)
        return context.new_page()

    def fill_question(self, tab):
        tab.fill("#id_name", "王芳")
        tab.select_option("#id_country", "CN")
        tab.fill("#id_email", "wang@example.org")
        tab.fill("#id_message", "示范区能否为中亚方向的出口货物办理通关？")
        tab.check("#id_consent")

    def submit(self, tab):
        with tab.expect_navigation():
            tab.locator("form.inquiry-form button[type=submit]").click()
        self.assertIn("/contact/sent/", tab.url)

    def visible(self, tab, selectors) -> list[bool]:
        return [tab.locator(selector).is_visible() for selector in selectors]

    def test_with_javascript_a_question_hides_the_inquiry_only_fields(self):
        tab = self.open_tab()
        tab.goto("/en/contact/")
        self.assertEqual(self.visible(tab, INQUIRY_ONLY), [True] * 4)
        tab.check("#id_kind_1")
        self.assertEqual(self.visible(tab, INQUIRY_ONLY), [False] * 4)
        with translation.override("en"):
            self.assertEqual(
                tab.locator("form.inquiry-form button[type=submit]").inner_text(), gettext("Send question")
            )
            legends = tab.locator("form.inquiry-form legend").all_inner_texts()
            self.assertIn(gettext("Your question"), legends)
            tab.check("#id_kind_0")
            self.assertEqual(self.visible(tab, INQUIRY_ONLY), [True] * 4)
            self.assertEqual(tab.locator("form.inquiry-form button[type=submit]").inner_text(), gettext("Send inquiry"))

        tab.goto("/zh-hans/contact/?kind=question")
        self.assertTrue(tab.locator("#id_kind_1").is_checked())
        self.assertEqual(self.visible(tab, INQUIRY_ONLY), [False] * 4)
        self.fill_question(tab)
        for _ in range(600):  # the widget's proof of work (polled: the CSP forbids wait_for_function's eval)
            if tab.evaluate("() => document.querySelector('input[name=altcha]')?.value"):
                break
            tab.wait_for_timeout(100)
        else:
            self.fail("the widget gave no proof of work within 60 s")
        self.submit(tab)
        inquiry = Inquiry.objects.get()
        self.assertEqual((inquiry.kind, inquiry.status, inquiry.organisation), (Kind.QUESTION, Status.NEW, ""))
        self.assertTrue(tab.locator(".question-note").is_visible())

    def test_without_javascript_every_field_shows_and_a_question_still_arrives(self):
        tab = self.open_tab(javascript=False)
        tab.goto("/de/contact/?kind=question")
        self.assertTrue(tab.locator("#id_kind_1").is_checked())
        self.assertEqual(self.visible(tab, INQUIRY_ONLY), [True] * 4)
        with translation.override("de"):
            hint = tab.locator("#id_kind_1_hint").inner_text()
            self.assertIn("Organisation, Sektor, Art und Größe des Projekts sind freiwillig", hint)
            self.assertIn(gettext("Questions and answers"), tab.locator("main").inner_text())
        self.fill_question(tab)
        self.submit(tab)
        inquiry = Inquiry.objects.get()
        self.assertEqual(inquiry.kind, Kind.QUESTION)
        self.assertEqual(inquiry.status, Status.SPAM)  # no proof of work without JavaScript: held, not lost

    def test_the_qa_pages_read_well_and_pass_axe_on_desktop_and_phone(self):
        axe = axe_script().read_text()
        SHOTS.mkdir(parents=True, exist_ok=True)
        for lang in ("zh-hans", "en"):
            for width, height, device in [(1280, 900, "desktop"), (390, 844, "phone")]:
                for name, page in [("questions", self.index), ("question", self.question)]:
                    with self.subTest(lang=lang, width=width, page=name):
                        tab = self.open_tab(width=width, height=height, bypass_csp=True)
                        response = tab.goto(url_in(page, lang))
                        self.assertEqual(response.status, 200)
                        self.assertLessEqual(scroll_width(tab), width)
                        self.assertTrue(tab.locator(".cta-link a").first.is_visible())
                        tab.screenshot(path=str(SHOTS / f"{name}-{lang}-{device}.png"), full_page=True)
                        tab.add_script_tag(content=axe)
                        found = tab.evaluate(
                            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                        )
                        failing = [line for v in found if v["impact"] in FAILING_IMPACTS for line in describe(v)]
                        self.assertEqual(failing, [])
        # From the listing to the page and on to the form, preselected.
        tab = self.open_tab(width=390, height=844)
        tab.goto(url_in(self.index, "en"))
        tab.locator("ol.questions a").first.click()
        tab.wait_for_url(f"**{url_in(self.question, 'en')}")
        tab.locator(".cta-link a").click()
        tab.wait_for_url("**/en/contact/?kind=question*")
        self.assertTrue(tab.locator("#id_kind_1").is_checked())
