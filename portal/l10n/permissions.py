"""Translators edit the fields of their own language, nothing else.

A translator is a user in one of the TRANSLATOR_GROUPS and in no group with
full editing rights. In the page editor every other field is disabled: it is
shown for reference but Django ignores what is posted for it, and a POST that
tries to change it anyway is refused with a message naming the fields.

An inline item's id, order and deletion mark are not disabled: the formset
cannot be read without them and a browser does not send a disabled input.
They are held to what was rendered instead (same id, same place, not deleted),
and so is the number of items.

Publishing is withheld through Wagtail's page permissions (the groups hold only
"change"). Wagtail also lets "change" delete and move unpublished pages, copy
pages and revert to an old revision; for translators these are refused
(`may_restructure`): BasePage.permissions_for_user returns
PortalPagePermissionTester, which every Wagtail view, button and bulk action
asks, and the hooks in portal/wagtail_hooks.py refuse the rest (revert) and
take them out of the page listing's menu.
Submissions go through Wagtail's moderation workflow to the moderators.
Comments are Wagtail's own business (authors edit their own).
"""

from django.forms import ModelMultipleChoiceField
from django.forms.formsets import DELETION_FIELD_NAME, ORDERING_FIELD_NAME
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from wagtail.models import PagePermissionTester

from portal import i18n

TRANSLATOR_GROUPS = {
    "zh-hans": "Translators – 中文",
    "en": "Translators – English",
    "de": "Translators – Deutsch",
    "ru": "Translators – Русский",
}
FULL_RIGHTS_GROUPS = {"Editors", "Moderators"}


def translator_languages(user) -> set[str]:
    """The languages `user` is restricted to; empty for users with full rights."""
    if user is None or not user.is_authenticated or user.is_superuser:
        return set()
    cached = getattr(user, "_portal_translator_languages", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        if names & FULL_RIGHTS_GROUPS:
            cached = set()
        else:
            cached = {code for code, name in TRANSLATOR_GROUPS.items() if name in names}
        user._portal_translator_languages = cached
    return cached


def editable_pages(user):
    """The pages `user` may edit (Wagtail's "change", or "add" on pages they own), as a queryset.

    For lists (the translations report, its CSV, the XLIFF export); one page is asked with
    `page.permissions_for_user(user).can_edit()`.
    """
    from wagtail.models import Page
    from wagtail.permission_policies.pages import PagePermissionPolicy

    if user is None or not user.is_authenticated:
        return Page.objects.none()
    return PagePermissionPolicy().instances_user_has_any_permission_for(user, ["change"])


def may_restructure(user) -> bool:
    """Whether `user` may delete, move, copy, unpublish or revert pages: not translators."""
    return not translator_languages(user)


class PortalPagePermissionTester(PagePermissionTester):
    """Wagtail's page permissions, without the structural actions translators may not take.

    For the page models' `permissions_for_user`: Wagtail's views, buttons and bulk actions ask it.
    """

    def can_delete(self, ignore_bulk=False):
        return may_restructure(self.user) and super().can_delete(ignore_bulk)

    def can_move(self):
        return may_restructure(self.user) and super().can_move()

    def can_copy(self):
        return may_restructure(self.user) and super().can_copy()

    def can_unpublish(self):
        return may_restructure(self.user) and super().can_unpublish()

    def can_lock(self):
        return may_restructure(self.user) and super().can_lock()


def editable_names(model, languages: set[str]) -> set[str]:
    return {i18n.localized(name, code) for name in i18n.translated_fields(model) for code in languages}


# formsets that are not page content: Wagtail checks its comments itself
UNRESTRICTED_FORMSETS = {"comments"}


def _content_formsets(form) -> dict:
    return {
        prefix: formset
        for prefix, formset in getattr(form, "formsets", {}).items()
        if prefix not in UNRESTRICTED_FORMSETS
    }


def _lock(form, model, languages, keep: set[str] = frozenset()) -> None:
    allowed = editable_names(model, languages) | keep
    form._portal_locked = [name for name in form.fields if name not in allowed]
    for name in form._portal_locked:
        field = form.fields[name]
        field.disabled = True
        if isinstance(field, ModelMultipleChoiceField) and form.initial.get(name):
            # a disabled field cleans its initial value: keys, not model instances
            form.initial[name] = [getattr(item, "pk", item) for item in form.initial[name]]


def restrict(form, languages: set[str]) -> None:
    """Disable every field of `form` (and its inline formsets) outside `languages`."""
    _lock(form, form._meta.model, languages)
    for formset in _content_formsets(form).values():
        # the formset's own inputs stay enabled, else the browser leaves them out; check() holds them
        keep = {formset.model._meta.pk.name, DELETION_FIELD_NAME, ORDERING_FIELD_NAME}
        existing = list(formset.get_queryset())
        for index, child in enumerate(formset.forms):
            item = existing[index] if index < len(existing) else None
            if formset.is_bound and item is not None and item.pk is None and child.instance is not item:
                # An item an editor added in a draft of a live page is not in the database yet. Django cannot
                # find it by its (empty) id and gives the form a blank one, which the locked fields would
                # save empty: the form gets the item back.
                child.instance = item
                child.initial = {**child.initial, **model_to_dict(item, child._meta.fields, child._meta.exclude)}
            _lock(child, formset.model, languages, keep)
            if item is not None and item.pk is None:
                # modelcluster keeps an item without an id only when its form has changed: locked fields never do
                child.has_changed = lambda: True


def _comparable(field, value):
    if value is None:
        return ""
    if hasattr(value, "__iter__") and not isinstance(value, str | bytes | dict):
        return sorted(str(getattr(v, "pk", v)) for v in value)
    text = str(getattr(value, "pk", value))
    if "<" in text:
        # the editor's markup round trip changes attributes, not what a reader sees
        return i18n.html_to_text(text)
    return text.strip()


def changed_locked_fields(form) -> list[str]:
    """Locked fields a POST tried to change (present in the data with another value)."""
    changed = []
    for name in getattr(form, "_portal_locked", []):
        field = form.fields[name]
        key = form.add_prefix(name)
        if key not in form.data and not any(k.startswith(key + "-") or k.startswith(key + "_") for k in form.data):
            continue  # not posted: what a browser does with a disabled field
        field.disabled = False
        try:
            raw = field.widget.value_from_datadict(form.data, form.files, key)
            try:
                posted = field.clean(raw)
            except Exception:  # noqa: BLE001 - invalid is certainly not the stored value
                changed.append(name)
                continue
        finally:
            field.disabled = True
        initial = form.get_initial_for_field(field, name)
        if _comparable(field, posted) != _comparable(field, field.to_python(initial) if initial is not None else None):
            changed.append(name)
    return changed


def _posted(child, name: str):
    """The cleaned value posted for `name` of an inline item's form, or None when it does not clean."""
    try:
        return child.fields[name].clean(child[name].data)
    except Exception:  # noqa: BLE001 - a value that does not clean is not the rendered one
        return None


def changed_item_bookkeeping(formset) -> tuple[list[str], bool]:
    """An inline formset's items whose id or order a POST changed, and whether one is marked deleted.

    The items must come back as rendered: the i-th form names the i-th item, in i-th place.
    """
    changed, deleted = [], False
    existing = list(formset.get_queryset())
    pk_name = formset.model._meta.pk.name
    for index, child in enumerate(formset.forms[: formset.initial_form_count()]):
        expected = existing[index].pk if index < len(existing) else None
        # an item an editor added in a draft of a live page has no id yet, and is rendered with an empty one
        if str(child[pk_name].data or "").strip() != ("" if expected is None else str(expected)):
            changed.append(f"{index + 1}.{pk_name}")
        if formset.can_order and _posted(child, ORDERING_FIELD_NAME) != index + 1:
            changed.append(f"{index + 1}.{ORDERING_FIELD_NAME}")
        if formset.can_delete and _posted(child, DELETION_FIELD_NAME):
            deleted = True
    return changed, deleted


def check(form, languages: set[str]) -> None:
    """Refuse a POST that changes what the translator may not change."""
    problems = changed_locked_fields(form)
    for prefix, formset in _content_formsets(form).items():
        changed, deleted = changed_item_bookkeeping(formset)
        counts = {formset.total_form_count(), formset.initial_form_count(), len(formset.get_queryset())}
        if deleted or len(counts) > 1:
            form.add_error(None, _("Translators cannot add or remove items (%(items)s).") % {"items": prefix})
        problems.extend(f"{prefix}: {name}" for name in changed)
        for child in formset.forms:
            problems.extend(f"{prefix}: {name}" for name in changed_locked_fields(child))
    if problems:
        names = ", ".join(sorted(set(problems)))
        form.add_error(
            None,
            _("You may only edit the %(languages)s fields. Nothing was saved; these fields were changed: %(fields)s.")
            % {"languages": ", ".join(i18n.language_name(code) for code in sorted(languages)), "fields": names},
        )
