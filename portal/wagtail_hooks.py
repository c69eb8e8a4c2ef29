from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import ListingButton
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from portal import i18n
from portal.l10n import report
from portal.l10n.models import TranslationState, TranslationStatus
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
