"""The page editor's form (every BasePage's base_form_class), its inline items' forms and its slug rules."""

import re

from django import forms
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.widgets import AdminAutoHeightTextInput, SlugInput
from wagtail.models import Page

from portal import i18n
from portal.l10n.permissions import check, restrict, translator_languages
from portal.l10n.titles import admin_title


class OneLineTexts:
    """Form mixin: one-line texts (titles, bylines, sources, a fact's label, a member's name) grow to
    show all their lines, so a long Chinese text is read whole, also where a translator sees it
    read-only (portal/static/portal/admin/editor.js keeps Enter from breaking the line). Line
    breaks that reach the server anyway (pasted text) become spaces."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.one_line_fields = [name for name, field in self.fields.items() if is_one_line_text(field)]
        for name in self.one_line_fields:
            field = self.fields[name]
            attrs = {k: v for k, v in field.widget.attrs.items() if k not in {"type", "rows", "data-controller"}}
            field.widget = AdminAutoHeightTextInput(attrs={**attrs, "data-portal-one-line": ""})

    def join_one_line_texts(self) -> None:
        for name in self.one_line_fields:
            value = self.cleaned_data.get(name)
            if isinstance(value, str) and ("\n" in value or "\r" in value):
                self.cleaned_data[name] = " ".join(value.split())

    def clean(self):
        self.join_one_line_texts()
        return super().clean()


class PortalPageFormMetaclass(type(WagtailAdminPageForm)):
    """The inline items' forms (a zone's facts, a visit's members) get one-line texts too. Wagtail's
    InlinePanel builds them as WagtailAdminModelForm whatever the item's model says (its
    base_form_class counts only for a top-level form), so each page form class's formsets are given
    a form with OneLineTexts mixed in, the add button's empty form included."""

    def __new__(mcs, name, bases, attrs):
        form_class = super().__new__(mcs, name, bases, attrs)
        for formset in getattr(form_class, "formsets", {}).values():
            form = formset.form
            if not issubclass(form, OneLineTexts):
                formset.form = type(form)(form.__name__, (OneLineTexts, form), {"__module__": form.__module__})
        return form_class


class PortalPageForm(OneLineTexts, WagtailAdminPageForm, metaclass=PortalPageFormMetaclass):
    """The page editor's form: slugs made on the server, texts readable whole.

    - A slug left empty is made from the title of the same language (pinyin for Chinese, one
      transliteration for Russian: i18n.ascii_slug), numbered when a sibling has it already. The
      browser keeps the slug empty while a title is typed (portal/static/portal/admin/editor.js):
      the rule and its dictionaries stay here, an autosave brings the slug made back into the editor
      (get_field_updates_for_resave), and a page not yet live remakes it when its title changes.
    - One-line texts (titles, bylines, sources) grow to show all their lines, in the inline items
      too (OneLineTexts, PortalPageFormMetaclass).
    - Only the default language's title is required, and only it says so in its placeholder.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default = i18n.default_language()
        for code in i18n.language_codes():
            field = self.fields.get(i18n.localized("slug", code))
            if field is not None:
                field.required = False
                # only a page not live follows its title (and a live one need not load pinyin's dictionaries)
                syncs = bool(self.instance.pk) and not self.instance.live
                edited = syncs and self.slug_made_by_editor(code)
                field.widget.attrs.update(slug_widget_attrs(field.widget.attrs, edited))
            title = self.fields.get(i18n.localized("title", code))
            if title is not None and code != default:
                # Wagtail's title panel would say "Page title*": required, which only the default one is
                title.widget.attrs["placeholder"] = False
        self.translator_languages = translator_languages(self.for_user)
        if self.translator_languages:
            restrict(self, self.translator_languages)

    def slug_made_by_editor(self, code: str) -> bool:
        """Whether the stored slug in `code` is one an editor chose, not the one its title makes (or,
        without a title, the copy of its fallback language's slug), numbered or not: the browser
        leaves a chosen slug alone when the title changes (Wagtail's rule for a slug edited by hand)."""
        slug = getattr(self.instance, i18n.localized("slug", code), "") or ""
        if not slug:
            return False
        title = getattr(self.instance, i18n.localized("title", code), "") or ""
        if title:
            made = i18n.ascii_slug(title)
        else:
            fallbacks = (getattr(self.instance, i18n.localized("slug", c), "") for c in i18n.fallback_chain(code)[1:])
            made = next((s for s in fallbacks if s), "")
        return not (slug == made or re.fullmatch(re.escape(made) + r"-\d+", slug))

    def clean(self):
        self.join_one_line_texts()  # before the slugs are made from the titles
        # Only the languages the form has a slug field for (a translator's form has fewer).
        codes = [c for c in i18n.language_codes() if i18n.localized("slug", c) in self.fields]
        columns = {i18n.localized(name, c) for name in ("title", "slug") for c in codes}
        given = {column: value for column, value in self.cleaned_data.items() if column in columns}
        for code in codes:
            if self.slug_follows_title(code, given):
                given[i18n.localized("slug", code)] = ""
        parent = self.parent_page or (self.instance.get_parent() if self.instance.pk else None)
        taken = i18n.sibling_slugs(parent, exclude_pk=self.instance.pk)
        made = i18n.complete_slug_columns(given, taken)
        for column, slug in made.items():
            if column in self.fields:
                self.cleaned_data[column] = slug or ""
        self.explain_slugs(parent, codes, given, made)
        cleaned = super().clean()
        if self.translator_languages:
            check(self, self.translator_languages)
        return cleaned

    def slug_follows_title(self, code: str, given: dict) -> bool:
        """Whether the posted slug in `code` is the one the page's previous title made (or a copy of
        its fallback's), on a page not live: it is made again, from the new title (Wagtail's editor
        syncs such a slug too, and an autosave may post the old one while the title is being typed)."""
        if not self.instance.pk or self.instance.live:
            return False
        column, title = i18n.localized("slug", code), i18n.localized("title", code)
        stored = getattr(self.instance, column, "") or ""
        old_title = getattr(self.instance, title, "") or ""
        new_title = given.get(title) or ""
        return (
            bool(stored)
            and given.get(column) == stored
            and (new_title != old_title or not new_title)
            and not self.slug_made_by_editor(code)
        )

    def explain_slugs(self, parent, codes, given: dict, made: dict) -> None:
        """Name the sibling behind a clash: an editor's slug that a sibling has (one message for the
        field, in place of one per language), or a made slug that got a number because of a draft."""
        self.slug_clashes: dict[str, str] = {}
        self.slug_notes: list[tuple[str, int]] = []
        if parent is None:
            return
        plain = None
        for code in codes:
            column = i18n.localized("slug", code)
            slug = made.get(column)
            if not slug:
                continue
            if given.get(column):
                if self.instance.pk and slug == getattr(self.instance, column):
                    continue  # unchanged: no new clash
                holder = slug_holder(parent, self.instance.pk, code, slug)
                if holder is not None:
                    self.slug_clashes[column] = clash_message(holder, slug, self.for_user)
                continue
            plain = plain or i18n.complete_slug_columns(given)
            if plain.get(column) and plain[column] != slug:
                holder = slug_holder(parent, self.instance.pk, code, plain[column])
                noted = {pk for _text, pk in self.slug_notes}
                if holder is not None and not holder.live and holder.pk not in noted:
                    self.slug_notes.append(numbered_message(holder, plain[column], slug, self.for_user))

    def _post_clean(self):
        super()._post_clean()
        # one message that names the page in the way, instead of wagtail-modeltranslation's
        # "This slug is already in use" once per language
        for column, message in getattr(self, "slug_clashes", {}).items():
            if column in self.errors:
                self.errors[column] = self.error_class([message])
            else:
                self.add_error(column, message)

    def get_field_updates_for_resave(self):
        """After an autosave, the slugs the server made go back into the still open editor."""
        updates = list(super().get_field_updates_for_resave())
        for code in i18n.language_codes():
            column = i18n.localized("slug", code)
            field = self.fields.get(column)
            if field is not None and not field.disabled:
                updates.append((self.add_prefix(column), getattr(self.instance, column) or ""))
        return updates

    def save(self, commit=True):
        page = super().save(commit=commit)
        # read by the after_create_page / after_edit_page hooks (portal/wagtail_hooks.py)
        page.slug_notes = getattr(self, "slug_notes", [])
        return page


def slug_holder(parent, exclude_pk, code: str, slug: str) -> Page | None:
    """The child of `parent` (but `exclude_pk`) whose slug in `code` is `slug`, as routing reads it."""
    chain = [i18n.localized("slug", c) for c in i18n.fallback_chain(code)]
    match = Q()
    for column in chain:
        match |= Q(**{column: slug})
    pages = Page.objects.child_of(parent).filter(match).order_by("path")
    if exclude_pk:
        pages = pages.exclude(pk=exclude_pk)
    for page in pages:
        if next((getattr(page, c) for c in chain if getattr(page, c)), "") == slug:
            return page
    return None


def _draft_facts(holder, user) -> tuple[bool, dict]:
    """(whether `holder` is `user`'s own draft never published, the values the messages name)."""
    saved = holder.latest_revision_created_at
    own = not holder.live and holder.first_published_at is None and user is not None and holder.owner_id == user.pk
    date = formats.date_format(timezone.localtime(saved), "SHORT_DATETIME_FORMAT") if saved else "–"
    return own, {"title": admin_title(holder), "date": date}


def clash_message(holder, slug: str, user) -> str:
    """Why the slug an editor gave cannot be used: which page has it, and what to do."""
    own, facts = _draft_facts(holder, user)
    if own:
        return _(
            "Your draft “%(title)s” (last saved %(date)s, never published) has the slug “%(slug)s” in this "
            "section already: Wagtail saves a new page as soon as you type in it. Continue that draft (it is "
            "listed in this section of the page explorer) or delete it, or choose another slug."
        ) % {**facts, "slug": slug}
    if not holder.live:
        return _(
            "The draft “%(title)s” (not published) has the slug “%(slug)s” in this section already: choose "
            "another slug, or delete that draft."
        ) % {**facts, "slug": slug}
    return _("The page “%(title)s” has the slug “%(slug)s” in this section already: choose another slug.") % {
        **facts,
        "slug": slug,
    }


def numbered_message(holder, base: str, slug: str, user) -> tuple[str, int]:
    """(a note that a made slug got a number because a draft has it, the draft's id)."""
    own, facts = _draft_facts(holder, user)
    if own:
        text = _(
            "Your earlier draft “%(title)s” (last saved %(date)s, never published) has the slug “%(base)s”, so "
            "this page got “%(slug)s”. Delete that draft if you do not need it."
        )
    else:
        text = _("The draft “%(title)s” (not published) has the slug “%(base)s”, so this page got “%(slug)s”.")
    return text % {**facts, "base": base, "slug": slug}, holder.pk


def is_one_line_text(field) -> bool:
    """A plain text field shown as a one-line input (not a slug, URL, e-mail or number)."""
    widget = field.widget
    return (
        type(field) is forms.CharField
        and isinstance(widget, forms.TextInput)
        and widget.input_type == "text"
        and not isinstance(widget, SlugInput)
    )


def slug_widget_attrs(attrs: dict, made_by_editor: bool) -> dict:
    """Wagtail's slug input with the portal's controller (portal/static/portal/admin/editor.js) in
    place of its own title sync: the slug is left empty for the server to make."""
    actions = attrs.get("data-action", "")
    return {
        "data-controller": " ".join(filter(None, ["portal-slug", attrs.get("data-controller")])),
        "data-action": " ".join(
            filter(None, ["w-sync:check->portal-slug#check w-sync:apply->portal-slug#apply", actions])
        ),
        "data-portal-slug-edited-value": "true" if made_by_editor else "false",
    }
