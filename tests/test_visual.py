"""How the public site looks, measured in real Chromium on the seed content: every page type in all
four languages at 1280 px (desktop) and 390 px (phone).

- a full-page screenshot of each lands in artifacts/screenshots/ (<page>-<lang>-<width>.png) for a
  person to look at, and the measures in artifacts/visual-<device>.json;
- the phone header is at most 120 px tall, its first row (brand, language, menu) one line with the
  short name whole; on the desktop every header row holds on one line: the brand's full name (not
  cut), the language links, the menu (beside the search box);
- no horizontal scroll at 390 px, nor at 360 px; a visit's dates on one line on the phone;
- axe-core finds no violation at all, whatever its impact, at 1280 and 390 px;
- a labelled search box in the header of every page, sending a GET to the search;
- card grids leave no lone card in a row at 1280 px; the zones index stays short;
- the phone's language list and menu open from their toggles with JavaScript off;
- a zone page prints on one A4 page.
"""

import json
import re

import pytest

from tests.browser import ARTIFACTS, SHOTS, require_chromium
from tests.helpers import LANGUAGES
from tests.seed import load_seed, page_type_paths, url_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

require_chromium()

DEVICES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
NARROWEST = {"width": 360, "height": 740}
PHONE_HEADER_MAX = 120
# px at 1280: the map (about 800 px with its list), then the zones by kind in a dense grid
# (one card per row was 4,100–4,600 px without a map)
ZONE_INDEX_MAX = 2400

# What the page shows about its header and frame, measured in the page.
MEASURE = """() => {
  const box = (el) => el.getBoundingClientRect();
  const shown = (el) => !!el && el.checkVisibility();
  const lines = (el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top))).size;
  };
  const rows = (selector) => new Set(
    [...document.querySelectorAll(selector)].filter(shown).map((el) => Math.round(box(el).top))).size;
  const $ = (selector) => document.querySelector(selector);
  const name = shown($('.brand-name')) ? $('.brand-name') : $('.brand-short');
  const form = $('form.header-search');
  const input = form && form.querySelector('input[name=q]');
  const navItems = [...document.querySelectorAll('.main-nav li')].filter(shown);
  const cards = [...document.querySelectorAll('.cards')].filter(shown).map((grid) => {
    const byRow = {};
    for (const card of grid.children) {
      const top = Math.round(box(card).top);
      byRow[top] = Math.max(byRow[top] || 0, box(card).right);
    }
    return {right: box(grid).right, rowEnds: Object.values(byRow), count: grid.children.length};
  });
  return {
    header: box($('.site-header')).height,
    brand: {lines: lines(name), cut: name.scrollWidth > name.clientWidth + 1, right: box($('.brand')).right},
    firstRow: [$('.brand'), $('.lang-toggle summary'), $('.menu-toggle summary')]
      .filter(shown).map((el) => Math.round(box(el).top + box(el).height / 2)),
    langs: {rows: rows('.lang-switcher li'), shown: shown($('.lang-switcher')),
            left: shown($('.lang-switcher')) ? box($('.lang-switcher ul')).left : null},
    nav: {rows: rows('.main-nav li'), shown: shown($('.main-nav')),
          right: navItems.length ? Math.max(...navItems.map((li) => box(li).right)) : null},
    search: {
      shown: shown(input),
      label: input && input.labels.length ? input.labels[0].textContent.trim() : '',
      method: form && form.method,
      action: form && new URL(form.action).pathname,
      left: form ? box(form).left : null,
    },
    cards,
    // a visit's dates: how many lines from its first <time> to its last
    dateLines: [...document.querySelectorAll('.timeline li')].filter(shown).map((li) => {
      const times = li.querySelectorAll('time');
      const first = box(times[0]), last = box(times[times.length - 1]);
      return Math.round((last.bottom - first.top) / first.height);
    }),
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    height: document.documentElement.scrollHeight,
  };
}"""


def axe_script() -> str:
    from tests.test_browser import axe_script as path

    return path().read_text()


@pytest.fixture
def seed(live_server):
    return load_seed()


def header_failures(m: dict, device: str, lang: str) -> list[str]:
    failures = []
    if device == "phone":
        if m["header"] > PHONE_HEADER_MAX:
            failures.append(f"the header is {m['header']:.0f} px tall (at most {PHONE_HEADER_MAX})")
        if m["langs"]["shown"] or m["nav"]["shown"]:
            failures.append("the language list or the menu is open before a tap")
        if len(m["firstRow"]) != 3 or max(m["firstRow"]) - min(m["firstRow"]) > 2:
            failures.append(f"brand, language and menu are not on one row: {m['firstRow']}")
    else:
        if m["nav"]["rows"] != 1 or m["langs"]["rows"] != 1:
            failures.append(f"the menu takes {m['nav']['rows']} rows, the languages {m['langs']['rows']}")
        if m["nav"]["right"] is None or m["nav"]["right"] > m["search"]["left"]:
            failures.append("the menu runs into the search box")
        if m["langs"]["left"] is None or m["brand"]["right"] > m["langs"]["left"]:
            failures.append("the brand runs into the language links")
    if m["brand"]["lines"] != 1 or m["brand"]["cut"]:
        failures.append(f"the brand name takes {m['brand']['lines']} lines (cut: {m['brand']['cut']})")
    search = m["search"]
    if not (search["shown"] and search["label"] and search["method"] == "get"):
        failures.append(f"no labelled search box in the header: {search}")
    if search["action"] != f"/{lang}/search/":
        failures.append(f"the header's search goes to {search['action']}")
    return failures


@pytest.mark.parametrize("device", list(DEVICES))
def test_every_page_type_meets_the_layout_bars(open_tab, seed, device):
    viewport = DEVICES[device]
    axe = axe_script()
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab = open_tab(**viewport)
    narrow = open_tab(**NARROWEST) if device == "phone" else None
    failures, measures = [], {}
    for lang in LANGUAGES:
        for name, path in page_type_paths(seed, lang).items():
            where = f"{name} {lang} {viewport['width']} px ({path})"
            tab.goto(path)
            m = tab.evaluate(MEASURE)
            measures[f"{name} {lang}"] = {"header": round(m["header"]), "height": m["height"]}
            failures += [f"{where}: {failure}" for failure in header_failures(m, device, lang)]
            if device == "phone" and any(count > 1 for count in m["dateLines"]):
                # a range is two <time>s and a dash: as separate grid items they took three rows
                failures.append(f"{where}: a visit's dates take {m['dateLines']} lines")
            if m["scrollWidth"] > m["innerWidth"]:
                failures.append(f"{where}: {m['scrollWidth']} px wide, the screen is {m['innerWidth']} px")
            if device == "desktop":
                for grid in m["cards"]:
                    if grid["count"] > 1 and any(abs(end - grid["right"]) > 2 for end in grid["rowEnds"]):
                        failures.append(f"{where}: a row of cards is not full: {grid}")
                if name == "zone-index" and m["height"] > ZONE_INDEX_MAX:
                    failures.append(f"{where}: the zones index is {m['height']} px tall")
            tab.add_script_tag(content=axe)
            violations = tab.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
            for violation in violations:
                targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
                failures.append(f"{where}: axe [{violation['impact']}] {violation['id']} {targets}")
            tab.screenshot(path=str(SHOTS / f"{name}-{lang}-{viewport['width']}.png"), full_page=True)
            if narrow is not None:
                narrow.goto(path)
                width = narrow.evaluate("document.documentElement.scrollWidth")
                if width > NARROWEST["width"]:
                    failures.append(f"{name} {lang} 360 px: {width} px wide")
    (ARTIFACTS / f"visual-{device}.json").write_text(json.dumps(measures, ensure_ascii=False, indent=1))
    assert not failures, "\n".join(failures)


def test_phone_menus_open_without_javascript(browser, live_server, seed):
    context = browser.new_context(viewport=DEVICES["phone"], base_url=live_server.url, java_script_enabled=False)
    try:
        tab = context.new_page()
        for lang in LANGUAGES:
            tab.goto(url_in(seed["zone"], lang))
            nav, langs = tab.locator("nav.main-nav"), tab.locator("nav.lang-switcher")
            assert not nav.is_visible() and not langs.is_visible()
            tab.locator(".menu-toggle summary").click()
            assert nav.is_visible()
            link = nav.get_by_role("link", name=getattr(seed["news_index"], "title_" + lang.replace("-", "_")))
            assert link.is_visible()
            tab.locator(".lang-toggle summary").click()
            assert langs.is_visible()
            assert langs.locator("a[aria-current]").get_attribute("hreflang") == lang
            # the keyboard opens and closes them too
            tab.locator(".menu-toggle summary").focus()
            tab.keyboard.press("Enter")
            assert not nav.is_visible()
    finally:
        context.close()


def test_a_zone_page_prints_on_one_a4_page(open_tab, seed):
    tab = open_tab()
    for key in ("zone", "sub_zone"):
        for lang in LANGUAGES:
            tab.goto(url_in(seed[key], lang))
            pdf = tab.pdf(format="A4", print_background=True)
            pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
            assert pages == 1, f"{key} in {lang} prints on {pages} pages"
            if key == "zone" and lang == "en":
                (ARTIFACTS / "zone-en.pdf").write_bytes(pdf)
