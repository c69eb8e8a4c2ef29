from urllib.parse import urlsplit

from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import ListingButton
from wagtail.models import Page
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from portal import i18n
from portal.l10n import report
from portal.l10n.models import TranslationState, TranslationStatus
from portal.l10n.permissions import may_restructure
from portal.models import Topic


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    list_display = ["name", "slug"]
    search_fields = ["name"]
    add_to_admin_menu = True
    menu_order = 300


register_snippet(TopicViewSet)


@hooks.register("register_admin_urls")
def translation_urls():
    return [
        path("translations/", report.report, name="portal_translations"),
        path("translations/confirm/<int:page_id>/<str:language>/", report.confirm, name="portal_translations_confirm"),
        path("translations/xliff/", report.xliff_export, name="portal_translations_xliff_export"),
        path("translations/xliff/import/", report.xliff_import, name="portal_translations_xliff_import"),
    ]


@hooks.register("insert_global_admin_css")
def editor_css():
    """The same layout for every language's title; growing one-line texts (Wagtail has no
    editor-only CSS hook any more; the rules name only the editor's elements)."""
    return format_html('<link rel="stylesheet" href="{}">', static("portal/admin/editor.css"))


@hooks.register("insert_editor_js")
def editor_js():
    """Slugs left to the server for titles beyond ASCII; one-line texts kept on one line."""
    return format_html('<script src="{}"></script>', static("portal/admin/editor.js"))


@hooks.register("after_create_page")
@hooks.register("after_edit_page")
def slug_notes(request, page):
    """Say why a slug made from the title got a number: a draft has it (PortalPageForm)."""
    for text, holder_pk in getattr(page, "slug_notes", []):
        edit = reverse("wagtailadmin_pages:edit", args=[holder_pk])
        messages.warning(request, text, buttons=[messages.button(edit, _("Edit that draft"))])


@hooks.register("register_reports_menu_item")
def translations_menu_item():
    return MenuItem(_("Translations"), reverse("portal_translations"), name="translations", icon_name="globe", order=50)


STATE_MARK = {TranslationState.COMPLETE: "✓", TranslationState.MISSING: "✗", TranslationState.OUTDATED: "!"}


@hooks.register("construct_page_listing_buttons")
def translation_state_button(buttons, page, user, context=None):
    """Each page's per-language state in the page listing, e.g. "EN ✓ DE ! RU ✗"."""
    request = context.get("request") if context else None
    cache = getattr(request, "_portal_l10n_states", None) if request else None
    if cache is None:
        pages = (context or {}).get("pages") or [page]
        ids = [p.pk for p in pages] if page in pages else [page.pk]
        cache = {}
        for row in TranslationStatus.objects.filter(page_id__in=ids).values_list("page_id", "language", "state"):
            cache.setdefault(row[0], {})[row[1]] = row[2]
        if request is not None:
            request._portal_l10n_states = cache
    states = cache.get(page.pk)
    if states is None:
        states = dict(TranslationStatus.objects.filter(page_id=page.pk).values_list("language", "state"))
    if not states:
        return
    label = " ".join(
        f"{code.split('-')[0].upper()} {STATE_MARK.get(states.get(code), '–')}" for code in i18n.language_codes()
    )
    buttons.append(
        ListingButton(
            label,
            f"{reverse('portal_translations')}?section={page.pk}",
            attrs={"title": _("Translation state per language")},
            priority=60,
        )
    )


# --- Translators edit texts; they do not restructure the site ------------------------------------------
# PortalPagePermissionTester tells Wagtail's views and buttons; these hooks refuse the requests
# themselves, at the points Wagtail offers, so a crafted GET or POST gets no further.
RESTRUCTURE_REFUSED = _(
    "Translators edit texts only: they cannot delete, move, copy, unpublish or revert pages. Ask an editor."
)
RESTRUCTURING_VIEWS = ("delete", "move", "copy", "unpublish", "convert_alias")


def _refuse(request, page):
    messages.error(request, RESTRUCTURE_REFUSED)
    return redirect("wagtailadmin_pages:edit", page.pk)


# order=-1: before wagtail-modeltranslation's own before_copy_page, which answers the copy request itself
@hooks.register("before_delete_page", order=-1)
@hooks.register("before_copy_page", order=-1)
@hooks.register("before_unpublish_page", order=-1)
@hooks.register("before_convert_alias_page", order=-1)
def refuse_restructuring(request, page):
    if not may_restructure(request.user):
        return _refuse(request, page)
    return None


@hooks.register("before_move_page", order=-1)
def refuse_moving(request, page, destination):
    return refuse_restructuring(request, page)


@hooks.register("before_edit_page", order=-1)
def refuse_reverting(request, page):
    # reverting saves an old revision's dates, links and every language as a new draft
    match = request.resolver_match
    if match and match.url_name == "revisions_revert":
        return refuse_restructuring(request, page)
    return None


@hooks.register("before_bulk_action", order=-1)
def refuse_bulk_page_actions(request, action_type, objects, action_class_instance):
    if issubclass(action_class_instance.model, Page) and not may_restructure(request.user):
        messages.error(request, RESTRUCTURE_REFUSED)
        return redirect(action_class_instance.next_url or "wagtailadmin_home")
    return None


@hooks.register("construct_page_listing_buttons")
def hide_restructuring_buttons(buttons, page, user, context=None):
    """The listing's "More" menu offers translators no delete, move, copy or unpublish."""
    if may_restructure(user):
        return
    refused = {reverse(f"wagtailadmin_pages:{name}", args=[page.pk]) for name in RESTRUCTURING_VIEWS}
    for button in buttons:
        children = getattr(button, "dropdown_buttons", None)
        if children:
            children[:] = [child for child in children if urlsplit(child.url or "").path not in refused]
