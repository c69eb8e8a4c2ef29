"""Translators edit the fields of their own language, nothing else.

A translator is a user in one of the TRANSLATOR_GROUPS and in no group with
full editing rights. In the page editor every other field is disabled: it is
shown for reference but Django ignores what is posted for it, and a POST that
tries to change it anyway is refused with a message naming the fields.
Publishing, deleting and moving are withheld through Wagtail's page
permissions (the groups hold only "change"); submissions go through Wagtail's
moderation workflow to the moderators.
"""

from django.forms import ModelMultipleChoiceField
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

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


def editable_names(model, languages: set[str]) -> set[str]:
    return {i18n.localized(name, code) for name in i18n.translated_fields(model) for code in languages}


def _lock(form, model, languages) -> None:
    allowed = editable_names(model, languages)
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
    for formset in getattr(form, "formsets", {}).values():
        for child in formset.forms:
            _lock(child, formset.model, languages)


def _comparable(field, value):
    if value is None:
        return ""
    if hasattr(value, "__iter__") and not isinstance(value, str | bytes | dict):
        return sorted(str(getattr(v, "pk", v)) for v in value)
    text = str(getattr(value, "pk", value))
    if "<" in text:
        # the editor's markup round trip changes attributes, not what a reader sees
        return " ".join(strip_tags(text).split())
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


def check(form, languages: set[str]) -> None:
    """Refuse a POST that changes what the translator may not change."""
    problems = changed_locked_fields(form)
    for prefix, formset in getattr(form, "formsets", {}).items():
        if formset.total_form_count() != formset.initial_form_count():
            form.add_error(None, _("Translators cannot add or remove items (%(items)s).") % {"items": prefix})
        for child in formset.forms:
            problems.extend(f"{prefix}: {name}" for name in changed_locked_fields(child))
            if formset.can_delete and getattr(child, "cleaned_data", {}).get("DELETE"):
                form.add_error(None, _("Translators cannot add or remove items (%(items)s).") % {"items": prefix})
    if problems:
        names = ", ".join(sorted(set(problems)))
        form.add_error(
            None,
            _("You may only edit the %(languages)s fields. Nothing was saved; these fields were changed: %(fields)s.")
            % {"languages": ", ".join(i18n.language_name(code) for code in sorted(languages)), "fields": names},
        )
