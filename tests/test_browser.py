"""Real Chromium on the seed content: what a visitor does, in all four languages, on a desktop and a phone.

- the language switcher, the news filters, the search, the main navigation on a phone;
- axe-core (shipped by the PyPI package axe-playwright-python, injected from disk) on every page type
  in every language at 1280 px and 360 px; serious and critical violations fail;
- full-page screenshots of every page type land in artifacts/screenshots/ for a person to look at;
- no request leaves the live server.
"""

import json
from pathlib import Path

import pytest

from news.models import NewsPage
from tests.browser import ARTIFACTS, SHOTS, require_chromium
from tests.helpers import LANGUAGES
from tests.seed import SEARCH_WORDS, load_seed, page_type_paths, url_in
from zones.models import ZonePage

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 360, "height": 740}}
FAILING_IMPACTS = {"serious", "critical"}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

require_chromium()


def axe_script() -> Path:
    try:
        import axe_playwright_python
    except ImportError:
        pytest.fail("axe-core comes from the axe-playwright-python package: pip install -e '.[dev]'")
    return Path(axe_playwright_python.__file__).parent / "axe.min.js"


@pytest.fixture
def seed(live_server):
    # Transactional tests empty the database after each test, so the content is loaded per test (~3 s).
    return load_seed()


def title_in(page, lang):
    return getattr(page, "title_" + lang.replace("-", "_"))


def h1(tab) -> str:
    return tab.locator("h1").inner_text().strip().replace("\u00ad", "")  # soft hyphens: break points only


def scroll_width(tab) -> int:
    return tab.evaluate("document.documentElement.scrollWidth")


def follow(tab, link) -> int:
    """Click a link, wait for the new page; the HTTP status of the page."""
    with tab.expect_navigation() as navigation:
        link.click()
    return navigation.value.status


def test_language_switcher_lands_on_the_same_article(open_tab, live_server, seed):
    news = seed["news"][0]
    tab = open_tab()
    tab.goto(url_in(news, "zh-hans"))
    for lang, label in [("de", "Deutsch"), ("ru", "Русский"), ("en", "English"), ("zh-hans", "中文")]:
        switcher = tab.locator("nav.lang-switcher")
        assert follow(tab, switcher.get_by_role("link", name=label, exact=True)) == 200
        assert tab.url == live_server.url + url_in(news, lang)
        assert tab.locator("html").get_attribute("lang") == lang
        assert h1(tab) == title_in(news, lang)
        assert tab.locator("nav.lang-switcher a[aria-current]").get_attribute("hreflang") == lang


def test_news_filtered_by_zone_and_year(open_tab, seed):
    zone = ZonePage.objects.get(title_en="Chongqing Liangjiang New Area")
    expected = NewsPage.objects.live().filter(related_zones=zone, date__year=2021).order_by("-date")
    # the filter must narrow the list down, else this test checks nothing
    assert 0 < expected.count() < len(seed["news"])
    tab = open_tab()
    for lang in ["en", "de", "zh-hans"]:
        tab.goto(url_in(seed["news_index"], lang))
        assert len(tab.locator(".cards h3").all_inner_texts()) == len(seed["news"])

        tab.select_option("#filter-zone", label=title_in(zone, lang))
        tab.select_option("#filter-year", "2021")
        assert follow(tab, tab.locator("form.filters button[type=submit]")) == 200

        assert tab.url.split("?")[0].endswith(url_in(seed["news_index"], lang))
        assert f"zone={zone.pk}" in tab.url and "year=2021" in tab.url
        listed = [title.strip().replace("\u00ad", "") for title in tab.locator(".cards h3").all_inner_texts()]
        assert listed == [title_in(page, lang) for page in expected], lang
        # the filter survives into the page: the chosen options stay selected
        assert tab.locator("#filter-zone").input_value() == str(zone.pk)
        assert tab.locator("#filter-zone option:checked").inner_text() == title_in(zone, lang)
        assert tab.locator("#filter-year").input_value() == "2021"
        assert tab.locator("#filter-topic").input_value() == ""
        assert tab.locator(".active-filters").is_visible()


def test_search_in_every_language_and_open_a_result(open_tab, seed):
    tab = open_tab()
    for lang in LANGUAGES:
        tab.goto(f"/{lang}/search/")
        assert tab.locator("#q").bounding_box()["height"] < 60  # a one-line field, not a box
        tab.fill("#q", SEARCH_WORDS[lang])
        assert follow(tab, tab.locator("form.search-form button[type=submit]")) == 200
        assert tab.locator("#q").input_value() == SEARCH_WORDS[lang]
        titles = [t.strip().replace("\u00ad", "") for t in tab.locator(".result-title").all_inner_texts()]
        assert titles, f"nothing found for {SEARCH_WORDS[lang]!r} in {lang}"
        if lang == "zh-hans":
            # 班列 only occurs inside longer phrases such as 国际班列线路
            peoples_daily = NewsPage.objects.get(date="2023-12-31")
            assert title_in(peoples_daily, lang) in titles
        result = tab.locator(".result-title a").last
        title = result.inner_text().strip().replace("\u00ad", "")
        assert follow(tab, result) == 200
        assert h1(tab) == title
        assert tab.locator("html").get_attribute("lang") == lang


def open_menu(tab):
    """On a phone the menu is collapsed behind its toggle (a <details>): open it."""
    toggle = tab.locator(".menu-toggle")
    if toggle.is_visible() and toggle.get_attribute("open") is None:
        toggle.locator("summary").click()


def test_phone_visitor_follows_the_main_navigation(open_tab, live_server, seed):
    tab = open_tab(390, 844)
    for lang in LANGUAGES:
        tab.goto(f"/{lang}/")
        assert h1(tab) == title_in(seed["home"], lang)
        assert scroll_width(tab) <= 390, f"home {lang}: {scroll_width(tab)} px wide"
        nav = tab.get_by_role("navigation", name=tab.locator("nav.main-nav").get_attribute("aria-label"))
        for key in ["news_index", "zone_index", "delegation_index"]:
            open_menu(tab)
            link = nav.get_by_role("link", name=title_in(seed[key], lang), exact=True)
            assert follow(tab, link) == 200
            assert tab.url == live_server.url + url_in(seed[key], lang)
            assert h1(tab) == title_in(seed[key], lang)
            assert scroll_width(tab) <= 390, f"{tab.url}: {scroll_width(tab)} px wide"
        open_menu(tab)
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
            footer_bottom = tab.evaluate("document.querySelector('.site-footer').getBoundingClientRect().bottom")
            if footer_bottom < viewport["height"] - 1:
                failures.append(f"{where}: the footer ends {footer_bottom:.0f} px down, above the bottom of the screen")
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
