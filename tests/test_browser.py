"""Real Chromium: every page type in all four languages, desktop and phone, with screenshots.

Screenshots land in artifacts/screenshots/ for a person to look at.
"""

import os
from pathlib import Path

from django.utils import translation

import pytest

from tests.factories import build_site
from tests.helpers import LANGUAGES

CHROMIUM = "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if not Path(CHROMIUM).exists():
    if os.environ.get("PORTAL_REQUIRE_BROWSER"):
        raise RuntimeError(
            f"Browser tests are required but {CHROMIUM} is missing: apt-get install chromium fonts-noto-cjk"
        )
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium fonts-noto-cjk)", allow_module_level=True)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; Django's async-safety check would refuse the ORM.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def site(live_server):
    return build_site(news_count=3)


def path_of(page, lang):
    with translation.override(lang):
        return page.get_url()


VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 360, "height": 740}}


def test_pages_in_every_language_and_screen(browser, live_server, site):
    SHOTS.mkdir(parents=True, exist_ok=True)
    pages = {
        "home": site["home"],
        "news": site["news"][0],
        "zone": site["zone"],
        "delegation": site["delegation"],
        "news-index": site["news_index"],
    }
    external = []
    for device, viewport in VIEWPORTS.items():
        context = browser.new_context(viewport=viewport)
        tab = context.new_page()
        tab.on(
            "request",
            lambda r: (
                external.append(r.url)
                if not r.url.startswith(live_server.url) and not r.url.startswith("data:")
                else None
            ),
        )
        for name, page in pages.items():
            for lang in LANGUAGES:
                tab.goto(live_server.url + path_of(page, lang))
                assert tab.locator("html").get_attribute("lang") == lang
                assert tab.locator("h1").inner_text().strip() == getattr(page, "title_" + lang.replace("-", "_"))
                # nothing wider than the screen: no horizontal scrolling on a phone
                scroll_width = tab.evaluate("document.documentElement.scrollWidth")
                assert scroll_width <= viewport["width"], f"{name} {lang} {device}: {scroll_width}px wide"
                tab.screenshot(path=str(SHOTS / f"{name}-{lang}-{device}.png"), full_page=True)
        context.close()
    assert external == [], f"requests to other hosts: {external}"


def test_language_switcher_lands_on_the_same_page(browser, live_server, site):
    tab = browser.new_page()
    news = site["news"][0]
    tab.goto(live_server.url + path_of(news, "zh-hans"))
    for lang, label in [("de", "Deutsch"), ("ru", "Русский"), ("en", "English"), ("zh-hans", "中文")]:
        tab.get_by_role("navigation", name=tab.locator(".lang-switcher").get_attribute("aria-label")).get_by_role(
            "link", name=label
        ).click()
        tab.wait_for_load_state()
        assert tab.url == live_server.url + path_of(news, lang)
        assert tab.locator("h1").inner_text().strip() == getattr(news, "title_" + lang.replace("-", "_"))
    tab.close()


def test_keyboard_user_can_skip_to_content(browser, live_server, site):
    tab = browser.new_page()
    tab.goto(live_server.url + "/en/")
    tab.keyboard.press("Tab")
    focused = tab.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    assert tab.locator(".skip-link").is_visible()
    tab.keyboard.press("Enter")
    assert tab.evaluate("document.activeElement.id") == "main"
    tab.close()
