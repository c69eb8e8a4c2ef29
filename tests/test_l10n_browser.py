"""Real Chromium: the Translations report, and a German translator editing German only."""

from importlib import import_module

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from wagtail.models import Revision

import pytest

from news.models import NewsPage
from portal.l10n.permissions import TRANSLATOR_GROUPS
from tests.browser import SHOTS, log_in, require_chromium
from tests.seed import load_seed

require_chromium()
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def translator(live_server):
    seed = load_seed()
    # a transactional test flushed the groups the migration made; make them again the same way
    import_module("portal.migrations.0005_translator_groups").create_groups(apps, None)
    user = get_user_model().objects.create_user("translator-de", password="changeme")
    user.groups.add(Group.objects.get(name=TRANSLATOR_GROUPS["de"]))
    return seed, user


def test_report_and_translator_edits_german_only(open_tab, translator):
    seed, _user = translator
    news = seed["news"][0]
    page = news.get_latest_revision_as_object()
    page.summary_de = ""
    page.save_revision()

    tab = open_tab(1280, 900)
    log_in(tab, "translator-de")
    tab.goto("/admin/translations/?language=de")
    assert "l10n-summary" in tab.content()
    missing = tab.locator(".l10n-state--missing")
    assert missing.count() == 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SHOTS / "admin-translations-report.png"), full_page=True)

    with tab.expect_navigation():
        missing.first.click()
    assert f"/admin/pages/{news.pk}/edit/" in tab.url
    # other languages are there for reference but cannot be edited
    assert tab.locator("#id_title_ru").is_disabled()
    assert tab.locator("#id_date").is_disabled()
    assert tab.locator("#id_title_de").is_enabled()
    tab.fill("#id_title_de", "Von der Übersetzerin geändert")
    tab.fill("#id_summary_de", "Neue deutsche Zusammenfassung")
    before = Revision.page_revisions.filter(object_id=str(news.pk)).count()
    with tab.expect_navigation():
        tab.locator("button.action-save").first.click()
    tab.screenshot(path=str(SHOTS / "admin-translator-saved.png"), full_page=False)
    # saved, not refused: a browser does not post the locked (disabled) fields
    assert Revision.page_revisions.filter(object_id=str(news.pk)).count() == before + 1
    draft = NewsPage.objects.get(pk=news.pk).get_latest_revision_as_object()
    assert draft.title_de == "Von der Übersetzerin geändert"
    assert draft.summary_de == "Neue deutsche Zusammenfassung"
    assert draft.title_ru == news.title_ru
    assert draft.date == news.date
    # the report now counts the German summary as filled
    tab.goto("/admin/translations/?language=de&state=missing")
    assert tab.locator(".l10n-state--missing").count() == 0
