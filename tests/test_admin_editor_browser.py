"""Real Chromium in the Wagtail admin: slugs typed in the page editor, a forgotten autosaved draft,
long titles and inline items' labels read whole, the translations report as a translator starts it,
page names in the admin user's language. Screenshots go to artifacts/screenshots/admin-editor-*.png."""

from importlib import import_module

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from wagtail.users.models import UserProfile

import pytest

from news.models import NewsPage
from portal.l10n.permissions import TRANSLATOR_GROUPS
from tests.browser import SHOTS, editor_tab, leave, log_in, quiet, require_chromium
from tests.seed import load_seed
from zones.models import ZoneFact, ZonePage

require_chromium()
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE_2024 = "2024年上合示范区经贸洽谈会"
SLUG_2024 = "2024-nian-shang-he-shi-fan-qu-jing-mao-qia-tan-hui"
TRANSLATORS = {"zh-hans": "translator-zh", "en": "translator-en", "de": "translator-de", "ru": "translator-ru"}


@pytest.fixture
def site(live_server):
    seed = load_seed()
    # a transactional test flushed what the migrations made: the groups
    import_module("portal.migrations.0005_translator_groups").create_groups(apps, None)
    User = get_user_model()
    User.objects.create_superuser("admin", "admin@example.com", "changeme")
    for code, username in TRANSLATORS.items():
        user = User.objects.create_user(username, password="changeme")
        user.groups.add(Group.objects.get(name=TRANSLATOR_GROUPS[code]))
    return seed


def prefer(username: str, language: str) -> None:
    user = get_user_model().objects.get(username=username)
    UserProfile.get_for_user(user).__class__.objects.filter(user=user).update(preferred_language=language)


def wait_until_watching(tab):
    """Wagtail takes the form as it is 2 s after loading as the unchanged one; autosave saves changes to it."""
    tab.wait_for_function("window.portalEditor.watching", timeout=20_000)


def wait_for_autosave(tab, field: str, value: str):
    """Until an autosave that sent `field` = `value` has been answered (the draft holds it) and none is
    on its way. Wagtail then takes the form as the unchanged one again: what is typed while an
    autosave is on its way may be taken so too, and never autosaved."""
    tab.wait_for_function(
        """([field, value]) => window.portalEditor.pending === 0
          && window.portalEditor.saved.some((data) => data[field] === value)""",
        arg=[field, value],
        timeout=20_000,
    )


def shot(tab, name: str, full_page=False):
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / f"admin-editor-{name}.png"), full_page=full_page)


def type_title(tab, selector: str, text: str):
    """Type as an editor does: key by key, then leave the field (Wagtail syncs on keyup and blur)."""
    tab.locator(selector).click()
    tab.keyboard.type(text, delay=20)
    tab.keyboard.press("Tab")


def wait_for_value(tab, selector: str, value: str, timeout=20_000):
    tab.wait_for_function(
        "([selector, value]) => document.querySelector(selector).value === value",
        arg=[selector, value],
        timeout=timeout,
    )


def save_draft(tab):
    quiet(tab)
    with tab.expect_navigation():
        tab.locator("button.action-save").first.click()


def add_news_url(seed) -> str:
    return f"/admin/pages/add/news/newspage/{seed['news_index'].pk}/"


def open_add_page(tab, seed):
    """ "Add page" for a news article, with its date (a draft needs one: the database does)."""
    tab.goto(add_news_url(seed))
    wait_until_watching(tab)
    tab.fill("#id_date", "2024-05-01")


def test_chinese_title_with_digits_gets_the_whole_pinyin_slug(open_tab, site):
    tab = editor_tab(open_tab, 1280, 900)
    log_in(tab, "admin")
    open_add_page(tab, site)
    type_title(tab, "#id_title_zh_hans", TITLE_2024)
    assert tab.locator("#id_slug_zh_hans").input_value() != "2024", "Wagtail's own sync wrote the digits only"
    # the autosave brings the server's slug into the editor
    wait_for_autosave(tab, "title_zh_hans", TITLE_2024)
    wait_for_value(tab, "#id_slug_zh_hans", SLUG_2024)
    type_title(tab, "#id_title_ru", "Новый район Лянцзян")
    wait_for_autosave(tab, "title_ru", "Новый район Лянцзян")
    wait_for_value(tab, "#id_slug_ru", "novyi-raion-liantszian")
    tab.locator("#tab-label-promote").click()
    shot(tab, "slug-promote-tab")
    save_draft(tab)
    page = NewsPage.objects.get(title_zh_hans=TITLE_2024).get_latest_revision_as_object()
    assert page.slug_zh_hans == SLUG_2024
    # the same transliteration as the fixtures' zone "Новый район Лянцзян (Чунцин)": novyi-raion-liantszian
    assert page.slug_ru == "novyi-raion-liantszian" == ZonePage.objects.get(title_ru__startswith="Новый район").slug_ru
    assert tab.locator("#id_slug_zh_hans").input_value() == SLUG_2024
    leave(tab)


def test_a_forgotten_autosaved_draft_neither_blocks_nor_hides(open_tab, site):
    tab = editor_tab(open_tab, 1280, 900)
    log_in(tab, "admin")
    open_add_page(tab, site)
    type_title(tab, "#id_title_zh_hans", TITLE_2024)
    # Wagtail 8's autosave has made a draft page already: the address is the editor's now
    wait_for_autosave(tab, "title_zh_hans", TITLE_2024)
    tab.wait_for_url("**/edit/**", timeout=20_000)
    quiet(tab)
    first = NewsPage.objects.get(title_zh_hans=TITLE_2024)
    assert not first.live
    # the editor thinks nothing was kept and starts again
    open_add_page(tab, site)
    type_title(tab, "#id_title_zh_hans", TITLE_2024)
    wait_for_autosave(tab, "title_zh_hans", TITLE_2024)
    tab.wait_for_url("**/edit/**", timeout=20_000)
    save_draft(tab)
    shot(tab, "second-draft-saved")
    errors = tab.locator(".help-critical, .error-message, .messages .error")
    assert errors.count() == 0, errors.all_inner_texts()
    assert "already in use" not in tab.content()
    assert "Your earlier draft" in tab.locator(".messages").inner_text()
    slugs = sorted(NewsPage.objects.filter(title_zh_hans=TITLE_2024).values_list("slug_zh_hans", flat=True))
    assert slugs == [SLUG_2024, SLUG_2024 + "-2"]
    # the translations report marks both as drafts
    tab.goto("/admin/translations/?section=" + str(site["news_index"].pk))
    rows = tab.locator("tbody tr", has_text=TITLE_2024)
    assert rows.count() == 2
    for index in range(2):
        assert rows.nth(index).locator(".w-status").inner_text().strip().lower().endswith("draft")
    live_row = tab.locator("tbody tr", has_text=site["news"][0].title_zh_hans)
    assert live_row.locator(".w-status").count() == 0
    rows.first.scroll_into_view_if_needed()
    shot(tab, "report-drafts")
    leave(tab)


def test_a_translator_reads_the_whole_source_title_and_downloads_xliff_at_once(open_tab, site):
    news = site["news"][0]
    long_title = news.title_zh_hans * 3
    NewsPage.objects.filter(pk=news.pk).update(title_zh_hans=long_title)
    tab = editor_tab(open_tab, 1280, 900)
    log_in(tab, "translator-de")
    tab.goto(f"/admin/pages/{news.pk}/edit/")
    source = tab.locator("#id_title_zh_hans")
    assert source.is_disabled()
    sizes = source.evaluate("el => [el.scrollHeight, el.clientHeight, el.tagName]")
    assert sizes[2] == "TEXTAREA"
    assert sizes[0] <= sizes[1] + 2, f"the whole Chinese title is visible: {sizes}"
    assert sizes[1] > 60, "on more than one line"
    # only the required title says so
    assert tab.locator("#id_title_de").get_attribute("placeholder") is None
    assert tab.locator("#id_title_en").get_attribute("placeholder") is None
    # Enter does not break a one-line text
    tab.locator("#id_title_de").click()
    tab.keyboard.press("End")
    tab.keyboard.press("Enter")
    assert "\n" not in tab.locator("#id_title_de").input_value()
    source.scroll_into_view_if_needed()
    shot(tab, "translator-long-title")

    tab.goto("/admin/translations/")
    assert tab.locator("#f-language").input_value() == "de"
    with tab.expect_download() as download:
        tab.get_by_role("link", name="Download XLIFF").click()
    assert download.value.suggested_filename == "translations-de-all.xlf"
    shot(tab, "translator-report", full_page=True)
    leave(tab)


def test_a_long_chinese_fact_label_is_read_whole_and_kept(open_tab, site):
    """A zone's facts (InlinePanel items) grow like the page's own one-line texts: the whole label is
    seen, Enter does not break it, and what the browser saves is what was typed."""
    zone = site["zone"]
    facts = list(zone.facts.order_by("sort_order"))
    long_label = facts[0].label_zh_hans + "（中欧班列“齐鲁号”上合快线，通达上合组织成员国和“一带一路”沿线国家"
    long_label += "的主要城市与物流枢纽）"
    ZoneFact.objects.filter(pk=facts[0].pk).update(label_zh_hans=long_label)
    tab = editor_tab(open_tab, 1280, 900)
    log_in(tab, "admin")
    tab.goto(f"/admin/pages/{zone.pk}/edit/")
    wait_until_watching(tab)
    label = tab.locator("#id_facts-0-label_zh_hans")
    label.scroll_into_view_if_needed()
    sizes = label.evaluate("el => [el.scrollHeight, el.clientHeight, el.scrollWidth, el.clientWidth, el.tagName]")
    assert sizes[4] == "TEXTAREA"
    assert sizes[0] <= sizes[1] + 2 and sizes[2] <= sizes[3], f"the whole label is visible: {sizes}"
    one_line = tab.locator("#id_facts-0-value_zh_hans").evaluate("el => el.clientHeight")
    assert sizes[1] > one_line, f"the label grew to more lines ({sizes[1]} px, one line {one_line} px)"
    assert label.input_value() == long_label
    label.click()
    tab.keyboard.press("End")
    tab.keyboard.press("Enter")
    tab.keyboard.type("，2023年", delay=20)
    assert label.input_value() == long_label + "，2023年", "Enter did not break the line"
    shot(tab, "fact-long-label")
    # an item added in the browser (the formset's empty form) grows too
    tab.locator("#id_facts-ADD").click()
    added = tab.locator(f"#id_facts-{len(facts)}-label_en")
    added.wait_for()
    assert added.evaluate("el => el.tagName") == "TEXTAREA"
    assert added.get_attribute("data-portal-one-line") is not None
    tab.locator(f"#id_facts-{len(facts)}-DELETE-button").click()
    save_draft(tab)
    errors = tab.locator(".help-critical, .error-message, .messages .error")
    assert errors.count() == 0, errors.all_inner_texts()
    saved = ZonePage.objects.get(pk=zone.pk).get_latest_revision_as_object()
    assert [fact.label_zh_hans for fact in saved.facts.all()][0] == long_label + "，2023年"
    leave(tab)


def test_help_text_sits_under_the_title_in_every_language(open_tab, site):
    """Wagtail lays out "the" title panel only as the form's first or second child: with four titles,
    the German and Russian help text was above the input, the Chinese and English below."""
    tab = editor_tab(open_tab, 1280, 900)
    log_in(tab, "admin")
    tab.goto(f"/admin/pages/{site['news'][0].pk}/edit/")
    below = {}
    for code in ("zh_hans", "en", "de", "ru"):
        panel = tab.locator(f".w-panel.title:has(#id_title_{code})")
        help_box = panel.locator(".w-field__help .help").bounding_box()
        input_box = tab.locator(f"#id_title_{code}").bounding_box()
        below[code] = help_box["y"] >= input_box["y"] + input_box["height"] - 1
    assert below == dict.fromkeys(below, True), below
    shot(tab, "titles", full_page=False)
    leave(tab)


@pytest.mark.parametrize(("username", "language"), [("admin", "de"), ("translator-ru", "ru"), ("admin", "en")])
def test_page_names_in_the_admin_users_language(open_tab, site, username, language):
    prefer(username, language)
    suffix = language.replace("-", "_")
    index, news = site["news_index"], site["news"][0]
    tab = editor_tab(open_tab, 1280, 900)
    log_in(tab, username)
    tab.goto(f"/admin/pages/{index.pk}/")
    listing = tab.locator("main").inner_text()
    assert getattr(news, f"title_{suffix}") in listing
    assert news.title_zh_hans not in listing
    shot(tab, f"explorer-{language}")
    tab.goto(f"/admin/pages/{news.pk}/edit/")
    crumbs = tab.locator("[data-w-breadcrumbs]").first.text_content()  # collapsed: hidden, but there
    assert getattr(index, f"title_{suffix}") in crumbs
    tab.goto("/admin/translations/")
    assert tab.get_by_role("link", name=getattr(news, f"title_{suffix}"), exact=True).count() == 1
    leave(tab)


@pytest.mark.parametrize("language", ["zh-hans", "en", "de", "ru"])
def test_every_title_is_read_whole_on_a_phone(open_tab, site, language):
    prefer("admin", language)
    news = site["news"][0]
    tab = editor_tab(open_tab, 390, 844)
    log_in(tab, "admin")
    tab.goto(f"/admin/pages/{news.pk}/edit/")
    for code in ("zh_hans", "en", "de", "ru"):
        box = tab.locator(f"#id_title_{code}")
        scroll_w, client_w, scroll_h, client_h = box.evaluate(
            "el => [el.scrollWidth, el.clientWidth, el.scrollHeight, el.clientHeight]"
        )
        assert scroll_w <= client_w + 1 and scroll_h <= client_h + 2, (code, scroll_w, client_w, scroll_h, client_h)
    assert getattr(news, f"title_{language.replace('-', '_')}") in tab.locator("header").first.text_content()
    shot(tab, f"phone-{language}")
    leave(tab)
