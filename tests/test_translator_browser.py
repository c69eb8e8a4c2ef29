"""Real Chromium: a translator of each language saves every page type, inline items included.

The browser posts what the admin renders: a hidden input rendered `disabled` is not sent,
so these tests find what tests posting parsed forms cannot (the inline items' ids once were).
Each test changes the title and, where the page has inline items with text, one item's text in
the translator's language, saves a draft and compares the draft revision with the page before:
only those fields may differ.
"""

from importlib import import_module

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from wagtail.models import GroupApprovalTask, Page, Revision, Workflow, WorkflowPage, WorkflowState, WorkflowTask

import pytest
from modelcluster.models import get_all_child_relations

from portal import i18n
from portal.l10n.permissions import TRANSLATOR_GROUPS
from tests.browser import SHOTS, editor_tab, leave, log_in, quiet, require_chromium
from tests.seed import load_seed
from zones.models import ZonePage

require_chromium()
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

USERNAMES = {"zh-hans": "translator-zh", "en": "translator-en", "de": "translator-de", "ru": "translator-ru"}
# what saving a revision changes by itself
BOOKKEEPING = {
    "latest_revision",
    "latest_revision_created_at",
    "draft_title",
    "has_unpublished_changes",
    "live_revision",
    "last_published_at",
    "first_published_at",
    "locked_at",
}


@pytest.fixture
def site(live_server):
    seed = load_seed()
    # a transactional test flushed what the migrations made: the groups and the moderation workflow
    import_module("portal.migrations.0005_translator_groups").create_groups(apps, None)
    for code, username in USERNAMES.items():
        user = get_user_model().objects.create_user(username, password="changeme")
        user.groups.add(Group.objects.get(name=TRANSLATOR_GROUPS[code]))
    root = Page.get_first_root_node()
    if not WorkflowPage.objects.filter(page=root).exists():
        moderators, _ = Group.objects.get_or_create(name="Moderators")
        task = GroupApprovalTask.objects.create(name="Moderators approval")
        task.groups.set([moderators])
        workflow = Workflow.objects.create(name="Moderators approval")
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
        WorkflowPage.objects.create(workflow=workflow, page=root)
    return seed


def close(tab):
    """Close the editor once its last requests (autosave, session pings, its release) are answered."""
    leave(tab)
    tab.context.close()


def own(name: str, code: str) -> bool:
    return name.endswith("_" + code.replace("-", "_"))


def values(obj, code: str) -> dict:
    """Every stored value of `obj` except the fields of language `code` and the revision's bookkeeping."""
    translated = i18n.translated_fields(type(obj))
    # the editor stores an empty text as None, the fixtures as "": the same to every reader
    return {
        f.attname: "" if getattr(obj, f.attname) is None else getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.name not in BOOKKEEPING and f.name not in translated and not own(f.name, code)
    }


def snapshot(page, code: str) -> dict:
    """The page's values and its inline items' (in order, with their ids) outside language `code`."""
    result = {"page": values(page, code)}
    for relation in get_all_child_relations(page):
        accessor = relation.get_accessor_name()
        result[accessor] = [values(child, code) for child in getattr(page, accessor).all()]
    for field in page._meta.many_to_many:
        if not field.name.startswith("tagged"):
            result[field.name] = sorted(item.pk for item in getattr(page, field.name).all())
    return result


def differences(before: dict, after: dict) -> dict:
    """(before, after) of each value that differs, keyed by where it is."""
    result = {}
    for part in before.keys() | after.keys():
        old, new = before.get(part), after.get(part)
        if isinstance(old, dict) and isinstance(new, dict):
            result.update({f"{part}.{k}": (old.get(k), new.get(k)) for k in old | new if old.get(k) != new.get(k)})
        elif old != new:
            result[part] = (old, new)
    return result


def latest(page):
    return Page.objects.get(pk=page.pk).specific.get_latest_revision_as_object()


def revisions(page) -> int:
    return Revision.page_revisions.filter(object_id=str(page.pk)).count()


def edit_and_save(open_tab, page, code: str, inline: tuple[str, str] | None = None, submit: bool = False, shot=""):
    """As the translator of `code`: change the title (and an inline item's field), save a draft or submit."""
    suffix = code.replace("-", "_")
    before = snapshot(latest(page), code)
    count = revisions(page)
    tab = editor_tab(open_tab, 1280, 900)
    try:
        log_in(tab, USERNAMES[code])
        tab.goto(f"/admin/pages/{page.pk}/edit/")
        # One draft, the one the translator saves: an autosave of the changes (as soon as Wagtail
        # watches the form, 2 s after loading) would add a revision, or race the save, depending
        # on how busy the machine is.
        quiet(tab)
        title = f"Titel {code} {page.pk} ✓"
        tab.fill(f"#id_title_{suffix}", title)
        item_text = None
        if inline:
            relation, name = inline
            # how many items there are and their order are not the translator's to change: not offered
            controls = (f"#id_{relation}-ADD", f"#id_{relation}-0-DELETE-button", "[data-inline-panel-child-move-up]")
            for control in controls:
                assert tab.locator(control).count() > 0, control
                assert tab.locator(control).first.is_hidden(), control
            SHOTS.mkdir(parents=True, exist_ok=True)
            tab.locator(f"#id_{relation}-0-{name}_{suffix}").scroll_into_view_if_needed()
            tab.screenshot(path=str(SHOTS / f"admin-translator-{shot}-{code}-items.png"))
            item_text = f"{name} {code} geändert"
            tab.fill(f"#id_{relation}-0-{name}_{suffix}", item_text)
        if submit:
            tab.locator(".w-dropdown-button [data-w-dropdown-target='toggle']").last.click()
            button = tab.locator("button[name='action-submit']")
            with tab.expect_navigation():
                button.click()
        else:
            with tab.expect_navigation():
                tab.locator("button.action-save").first.click()
        SHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SHOTS / f"admin-translator-{shot or page.pk}-{code}.png"), full_page=False)
        problems = tab.locator(".messages .error, .help-critical, .error-message")
        assert problems.count() == 0, problems.all_inner_texts()
        assert revisions(page) == count + 1, "a new draft revision"
        draft = latest(page)
        assert getattr(draft, f"title_{suffix}") == title
        if inline:
            relation, name = inline
            assert getattr(getattr(draft, relation).all()[0], f"{name}_{suffix}") == item_text
        assert differences(before, snapshot(draft, code)) == {}, "other languages and non-linguistic fields unchanged"
        live = Page.objects.get(pk=page.pk).specific
        assert getattr(live, f"title_{suffix}") != title, "a draft does not change the live page"
    finally:
        close(tab)


def test_home_page_in_chinese(open_tab, site):
    edit_and_save(open_tab, site["home"], "zh-hans", shot="home")


def test_news_index_in_english(open_tab, site):
    edit_and_save(open_tab, site["news_index"], "en", shot="news-index")


def test_news_page_in_german(open_tab, site):
    edit_and_save(open_tab, site["news"][0], "de", shot="news")


def test_zone_index_in_russian(open_tab, site):
    edit_and_save(open_tab, site["zone_index"], "ru", shot="zone-index")


def test_zone_with_facts_in_german(open_tab, site):
    zone = site["zone"]
    assert zone.facts.count() > 1
    edit_and_save(open_tab, zone, "de", inline=("facts", "label"), shot="zone")


def test_another_zone_with_facts_in_chinese(open_tab, site):
    zone = ZonePage.objects.filter(facts__isnull=False).exclude(pk=site["zone"].pk).distinct().first()
    edit_and_save(open_tab, zone, "zh-hans", inline=("facts", "value"), shot="other-zone")


def test_delegation_index_in_chinese(open_tab, site):
    edit_and_save(open_tab, site["delegation_index"], "zh-hans", shot="delegation-index")


def test_delegation_with_members_in_russian(open_tab, site):
    delegation = site["delegation"]
    assert delegation.members.count() > 1
    edit_and_save(open_tab, delegation, "ru", inline=("members", "position"), shot="delegation")


def test_delegation_submitted_for_moderation_in_english(open_tab, site):
    delegation = site["delegation"]
    edit_and_save(open_tab, delegation, "en", inline=("members", "name"), submit=True, shot="delegation-submitted")
    state = WorkflowState.objects.get(object_id=str(delegation.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.requested_by.username == USERNAMES["en"]
