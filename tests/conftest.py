import os

from django.core.cache import cache

import pytest

from tests.browser import ARGS, CHROMIUM


@pytest.fixture(autouse=True)
def _clear_cache():
    # wagtail-modeltranslation caches site root paths per language.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def browser():
    """Real Chromium (headless); browser test modules call tests.browser.require_chromium() first."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop; Django's async-safety check would refuse the ORM.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def open_tab(browser, live_server):
    """open_tab(width, height) → a tab on the live server; any request to another host fails the test."""
    contexts, elsewhere = [], []

    def record(request):
        if not request.url.startswith((live_server.url + "/", "data:", "about:")):
            elsewhere.append(request.url)

    def open_tab(width=1280, height=900):
        context = browser.new_context(viewport={"width": width, "height": height}, base_url=live_server.url)
        context.on("request", record)
        contexts.append(context)
        return context.new_page()

    yield open_tab
    for context in contexts:
        context.close()
    assert elsewhere == [], f"requests to other hosts than the live server: {elsewhere}"
