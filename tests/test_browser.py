"""Real Chromium on the seed content: what a visitor does, in all four languages, on a desktop and a phone.

- the language switcher, the news filters, the search, the main navigation on a phone;
- axe-core (shipped by the PyPI package axe-playwright-python, injected from disk) on every page type
  in every language at 1280 px and 360 px; serious and critical violations fail;
- full-page screenshots of every page type land in artifacts/screenshots/ for a person to look at;
- no request leaves the live server.
"""

import json
import os
from pathlib import Path

import pytest

from news.models import NewsPage
from tests.helpers import LANGUAGES
from tests.seed import SEARCH_WORDS, load_seed, page_type_paths, url_in
from zones.models import ZonePage

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
SHOTS = ARTIFACTS / "screenshots"
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
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 360, "height": 740}}
FAILING_IMPACTS = {"serious", "critical"}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

if not Path(CHROMIUM).exists():
    if os.environ.get("PORTAL_REQUIRE_BROWSER"):
        raise RuntimeError(
            f"Browser tests are required but {CHROMIUM} is missing: apt-get install chromium fonts-noto-cjk"
        )
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium fonts-noto-cjk)", allow_module_level=True)


def axe_script() -> Path:
    try:
        import axe_playwright_python
    except ImportError:
        pytest.fail("axe-core comes from the axe-playwright-python package: pip install -e '.[dev]'")
    return Path(axe_playwright_python.__file__).parent / "axe.min.js"


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
def seed(live_server):
    # Transactional tests empty the database after each test, so the content is loaded per test (~3 s).
    return load_seed()


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


def title_in(page, lang):
    return getattr(page, "title_" + lang.replace("-", "_"))


def h1(tab) -> str:
    return tab.locator("h1").inner_text().strip()


def scroll_width(tab) -> int:
    return tab.evaluate("document.documentElement.scrollWidth")


def follow(tab, link) -> int:
    """Click a link, wait for the new page; the HTTP status of the page."""
    with tab.expect_navigation() as navigation:
        link.click()
    return navigation.value.status


def test_language_switcher_lands_on_the_same_article(open_tab, seed):
    news = seed["news"][0]
    tab = open_tab()
    tab.goto(url_in(news, "zh-hans"))
    for lang, label in [("de", "Deutsch"), ("ru", "Русский"), ("en", "English"), ("zh-hans", "中文")]:
        switcher = tab.locator("nav.lang-switcher")
        assert follow(tab, switcher.get_by_role("link", name=label, exact=True)) == 200
        assert tab.url.endswith(url_in(news, lang))
        assert tab.locator("html").get_attribute("lang") == lang
        assert h1(tab) == title_in(news, lang)
        assert tab.locator("nav.lang-switcher a[aria-current]").get_attribute("hreflang") == lang


@pytest.mark.parametrize("lang", ["en", "de"])
def test_news_filtered_by_zone_and_year(open_tab, seed, lang):
    zone = ZonePage.objects.get(title_en="Chongqing Liangjiang New Area")
    expected = NewsPage.objects.live().filter(related_zones=zone, date__year=2021)
    assert expected.exists()  # else the seed changed and this test checks nothing
    tab = open_tab()
    tab.goto(url_in(seed["news_index"], lang))
    all_titles = tab.locator(".cards h3").all_inner_texts()
    assert len(all_titles) == len(seed["news"])

    tab.select_option("#filter-zone", label=title_in(zone, lang))
    tab.select_option("#filter-year", "2021")
    assert follow(tab, tab.locator("form.filters button[type=submit]")) == 200

    assert f"zone={zone.pk}" in tab.url and "year=2021" in tab.url
    listed = [title.strip() for title in tab.locator(".cards h3").all_inner_texts()]
    assert listed == [title_in(page, lang) for page in expected.order_by("-date")]
    # the filter survives into the page: the chosen options stay selected
    assert tab.locator("#filter-zone").input_value() == str(zone.pk)
    assert tab.locator("#filter-year").input_value() == "2021"
    assert tab.locator("#filter-topic").input_value() == ""
    assert tab.locator(".active-filters").is_visible()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_search_and_open_a_result(open_tab, seed, lang):
    tab = open_tab()
    tab.goto(f"/{lang}/search/")
    tab.fill("#q", SEARCH_WORDS[lang])
    assert follow(tab, tab.locator("form.search-form button[type=submit]")) == 200
    titles = [t.strip() for t in tab.locator(".result-title").all_inner_texts()]
    assert titles, f"nothing found for {SEARCH_WORDS[lang]!r} in {lang}"
    if lang == "zh-hans":
        # 班列 only occurs inside longer phrases such as 国际班列线路
        peoples_daily = NewsPage.objects.get(date="2023-12-31")
        assert title_in(peoples_daily, lang) in titles
    result = tab.locator(".result-title a").first
    title = result.inner_text().strip()
    assert follow(tab, result) == 200
    assert h1(tab) == title
    assert tab.locator("html").get_attribute("lang") == lang


def test_phone_visitor_follows_the_main_navigation(open_tab, seed):
    tab = open_tab(390, 844)
    for lang in LANGUAGES:
        tab.goto(f"/{lang}/")
        assert h1(tab) == title_in(seed["home"], lang)
        assert scroll_width(tab) <= 390, f"home {lang}: {scroll_width(tab)} px wide"
        nav = tab.get_by_role("navigation", name=tab.locator("nav.main-nav").get_attribute("aria-label"))
        for key in ["news_index", "zone_index", "delegation_index"]:
            link = nav.get_by_role("link", name=title_in(seed[key], lang), exact=True)
            assert follow(tab, link) == 200
            assert tab.url.endswith(url_in(seed[key], lang))
            assert h1(tab) == title_in(seed[key], lang)
            assert scroll_width(tab) <= 390, f"{tab.url}: {scroll_width(tab)} px wide"
        assert follow(tab, nav.locator(f'a[href="/{lang}/search/"]')) == 200
        assert tab.locator("#q").is_visible()
        assert scroll_width(tab) <= 390, f"{tab.url}: {scroll_width(tab)} px wide"
        # every other page type fits as well
        for name, path in page_type_paths(seed, lang).items():
            tab.goto(path)
            assert scroll_width(tab) <= 390, f"{name} {lang}: {scroll_width(tab)} px wide at 390 px"


def test_keyboard_user_can_skip_to_content(open_tab, seed):
    tab = open_tab()
    tab.goto("/en/")
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.className") == "skip-link"
    assert tab.locator(".skip-link").is_visible()
    tab.keyboard.press("Enter")
    assert tab.evaluate("document.activeElement.id") == "main"


def describe(violation) -> list[str]:
    return [
        f"  [{violation['impact']}] {violation['id']}: {violation['help']} — "
        f"{', '.join(' '.join(t) if isinstance(t, list) else t for t in node['target'])}"
        for node in violation["nodes"]
    ]


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_every_page_type_in_every_language(open_tab, seed, device):
    """Loads, fits the screen, passes axe-core; a full-page screenshot of each for a person to look at."""
    viewport = VIEWPORTS[device]
    axe = axe_script().read_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab = open_tab(**viewport)
    failures, report = [], {}
    for lang in LANGUAGES:
        for name, path in page_type_paths(seed, lang).items():
            response = tab.goto(path)
            where = f"{name} {lang} {device} ({path})"
            if response.status != (404 if name == "not-found" else 200):
                failures.append(f"{where}: HTTP {response.status}")
            if tab.locator("html").get_attribute("lang") != lang:
                failures.append(f"{where}: html lang is {tab.locator('html').get_attribute('lang')}")
            if not h1(tab):
                failures.append(f"{where}: no h1")
            if scroll_width(tab) > viewport["width"]:
                failures.append(f"{where}: {scroll_width(tab)} px wide, the screen is {viewport['width']} px")
            tab.add_script_tag(content=axe)
            violations = tab.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
            report[where] = violations
            for violation in violations:
                if violation["impact"] in FAILING_IMPACTS:
                    failures.append(f"{where}: axe")
                    failures.extend(describe(violation))
            tab.screenshot(path=str(SHOTS / f"{name}-{lang}-{device}.png"), full_page=True)
    # every violation, the minor and moderate ones too, for a person to read
    (ARTIFACTS / f"axe-{device}.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    assert not failures, "\n".join(failures)
