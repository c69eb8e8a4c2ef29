"""Per-field translation status: missing and outdated, per page and language.

The source language is the default one (zh-hans). For every field that has a
value in the source, each other language is
- missing when its own value is empty,
- outdated when the source changed after the translation was made or
  confirmed (the digest in TranslationRecord no longer matches),
- current otherwise.
Status follows the page's latest revision (drafts included) and is stored in
TranslationStatus when a revision is saved, so the report is one query.
"""

import functools
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db import transaction

from wagtail.fields import RichTextField
from wagtail.models import Page, Revision

from modelcluster.models import get_all_child_relations

from portal import i18n
from portal.l10n.models import TranslationRecord, TranslationState, TranslationStatus

UNTRACKED = {"slug", "url_path"}


def source_language() -> str:
    return i18n.default_language()


def target_languages() -> list[str]:
    return [code for code in i18n.language_codes() if code != source_language()]


def digest(value) -> str:
    # a change detector, not a security boundary
    return hashlib.sha1(" ".join(str(value or "").split()).encode(), usedforsecurity=False).hexdigest()[:16]


def is_empty(obj, name: str, value) -> bool:
    try:
        model_field = obj._meta.get_field(name)
    except Exception:  # noqa: BLE001 - unknown attribute: treat by value
        return is_empty_value(value, rich=False)
    return is_empty_value(value, rich=isinstance(model_field, RichTextField))


# --- Pure functions of plain values (the benchmark generator computes its rows with them) --------


def is_empty_value(value, rich: bool) -> bool:
    """Whether a field's value counts as not written: None, "", or rich text that shows nothing."""
    if value is None or value == "":
        return True
    return rich and i18n.is_blank_html(value)


@functools.cache
def model_fields(model) -> tuple[tuple[str, bool], ...]:
    """(name, is rich text) of `model`'s tracked fields, in the order they are reported."""
    names = sorted(i18n.translated_fields(model) - UNTRACKED)
    return tuple((name, isinstance(model._meta.get_field(name), RichTextField)) for name in names)


def field_key(name: str, accessor: str | None = None, index: int = 0) -> str:
    """A tracked field's key: "summary", or "facts[0].label" for an inline child's field."""
    return f"{accessor}[{index}].{name}" if accessor else name


@dataclass(frozen=True)
class FieldValues:
    """A tracked field as plain data: its key, whether it is rich text, its value in every language."""

    key: str
    rich: bool
    values: dict

    @functools.cached_property
    def _empty(self) -> dict[str, bool]:
        return {code: is_empty_value(value, self.rich) for code, value in self.values.items()}

    def empty(self, code: str) -> bool:
        return self._empty.get(code, True)

    @functools.cached_property
    def source_digest(self) -> str:
        return digest(self.values[source_language()])


def row_fields(model, values: Mapping, inlines: Mapping[str, list[Mapping]]) -> list[FieldValues]:
    """The tracked fields of a page given as rows: {column: value} of the page, and of its inline
    children per accessor ("facts": [{column: value}, …]); in tracked_fields' order."""
    codes = i18n.language_codes()

    def fields_of(model_, row: Mapping, accessor=None, index=0) -> list[FieldValues]:
        return [
            FieldValues(
                field_key(name, accessor, index), rich, {code: row.get(i18n.localized(name, code)) for code in codes}
            )
            for name, rich in model_fields(model_)
        ]

    fields = fields_of(model, values)
    for relation in get_all_child_relations(model):
        accessor = relation.get_accessor_name()
        if not model_fields(relation.related_model):
            continue
        for index, child in enumerate(inlines.get(accessor, [])):
            fields.extend(fields_of(relation.related_model, child, accessor, index))
    return fields


@dataclass
class LanguageStatus:
    language: str
    expected: int = 0
    filled: int = 0
    missing: list = field(default_factory=list)
    outdated: list = field(default_factory=list)

    @property
    def state(self) -> str:
        if self.missing:
            return TranslationState.MISSING
        if self.outdated:
            return TranslationState.OUTDATED
        return TranslationState.COMPLETE


def statuses(fields: Iterable[FieldValues], records: Mapping[tuple[str, str], str] | None) -> dict[str, LanguageStatus]:
    """Status in every language of the tracked fields; `records` are the source digests
    {(key, language): digest} translations were made against (None: every translation current)."""
    source = source_language()
    targets = target_languages()
    result = {code: LanguageStatus(code) for code in i18n.language_codes()}
    for item in fields:
        if item.empty(source):
            # the source is empty: only a translation without a source is worth telling
            continue
        result[source].expected += 1
        result[source].filled += 1
        for code in targets:
            status = result[code]
            status.expected += 1
            if item.empty(code):
                status.missing.append(item.key)
                continue
            status.filled += 1
            if records is not None and records.get((item.key, code), item.source_digest) != item.source_digest:
                status.outdated.append(item.key)
    return result


def current_records(fields: Iterable[FieldValues]) -> list[tuple[str, str, str]]:
    """(key, language, source digest) of every written translation of a written source:
    what marks them all current (rebuild(mark_current=True))."""
    source = source_language()
    return [
        (item.key, code, item.source_digest)
        for item in fields
        if not item.empty(source)
        for code in target_languages()
        if not item.empty(code)
    ]


# --- Pages -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackedField:
    key: str  # "summary" or "facts[0].label"
    obj: object
    name: str  # model field name on obj
    rich: bool = False

    def value(self, code: str):
        return getattr(self.obj, i18n.localized(self.name, code), None)

    def empty(self, code: str) -> bool:
        return is_empty_value(self.value(code), self.rich)

    def text(self, code: str) -> str:
        return str(self.value(code) or "")

    def values(self) -> FieldValues:
        return FieldValues(self.key, self.rich, {code: self.value(code) for code in i18n.language_codes()})


def tracked_fields(page: Page) -> list[TrackedField]:
    """The page's translatable fields, its inline children's included, in a stable order."""
    page = page.specific if type(page) is Page else page
    fields = [TrackedField(name, page, name, rich) for name, rich in model_fields(type(page))]
    for relation in get_all_child_relations(page):
        accessor = relation.get_accessor_name()
        names = model_fields(relation.related_model)
        if not names:
            continue
        for index, child in enumerate(getattr(page, accessor).all()):
            fields.extend(TrackedField(field_key(name, accessor, index), child, name, rich) for name, rich in names)
    return fields


def compute(page: Page, records: dict | None = None) -> dict[str, LanguageStatus]:
    """Status of `page` (as given: a live page or a revision's object) in every language."""
    if records is None:
        records = {(r.field, r.language): r.source_digest for r in TranslationRecord.objects.filter(page_id=page.pk)}
    return statuses([tracked.values() for tracked in tracked_fields(page)], records)


def _latest_object(page: Page):
    """The page as its latest revision has it (drafts included), read afresh."""
    return Page.objects.get(pk=page.pk).specific.get_latest_revision_as_object()


@transaction.atomic
def record_revision(revision: Revision, user=None) -> None:
    """After a revision: translations that changed are current; then store the status."""
    page = revision.as_object()
    previous_revision = (
        Revision.page_revisions.filter(object_id=revision.object_id, created_at__lte=revision.created_at)
        .exclude(pk=revision.pk)
        .order_by("-created_at", "-pk")
        .first()
    )
    previous = {t.key: t for t in tracked_fields(previous_revision.as_object())} if previous_revision else {}
    records = {(r.field, r.language): r for r in TranslationRecord.objects.filter(page_id=page.pk)}
    source = source_language()
    for tracked in tracked_fields(page):
        if tracked.empty(source):
            continue
        current = digest(tracked.text(source))
        before = previous.get(tracked.key)
        for code in target_languages():
            if tracked.empty(code):
                continue
            changed = before is None or before.text(code) != tracked.text(code)
            record = records.get((tracked.key, code))
            if record is None or changed:
                # a translation written (or first seen) now is written against the current source
                TranslationRecord.objects.update_or_create(
                    page_id=page.pk,
                    field=tracked.key,
                    language=code,
                    defaults={"source_digest": current, "updated_by": user},
                )
    store_status(page)


def store_status(page: Page) -> dict[str, LanguageStatus]:
    statuses = compute(page)
    for code, status in statuses.items():
        TranslationStatus.objects.update_or_create(
            page_id=page.pk,
            language=code,
            defaults={
                "state": status.state,
                "expected": status.expected,
                "filled": status.filled,
                "missing_fields": status.missing,
                "outdated_fields": status.outdated,
            },
        )
    return statuses


@transaction.atomic
def confirm(page: Page, language: str, keys: list[str] | None = None, user=None) -> int:
    """Mark translations in `language` as still correct against the current source."""
    page = _latest_object(page)
    source = source_language()
    count = 0
    for tracked in tracked_fields(page):
        if (keys is None or tracked.key in keys) and not tracked.empty(source) and not tracked.empty(language):
            TranslationRecord.objects.update_or_create(
                page_id=page.pk,
                field=tracked.key,
                language=language,
                defaults={"source_digest": digest(tracked.text(source)), "updated_by": user},
            )
            count += 1
    store_status(page)
    return count


def rebuild(mark_current: bool = False) -> int:
    """Recompute every page's status; with mark_current, all translations count as current."""
    pages = Page.objects.filter(depth__gt=1).specific()
    count = 0
    for page in pages:
        latest = _latest_object(page)
        if mark_current:
            TranslationRecord.objects.filter(page_id=page.pk).delete()
            TranslationRecord.objects.bulk_create(
                TranslationRecord(page_id=page.pk, field=key, language=code, source_digest=source_digest)
                for key, code, source_digest in current_records(t.values() for t in tracked_fields(latest))
            )
        store_status(latest)
        count += 1
    return count


def field_label(page: Page, key: str) -> str:
    """A readable name for a tracked field key, e.g. 'Facts #1 · label'."""
    if "[" in key:
        accessor, rest = key.split("[", 1)
        index, name = rest.split("].", 1)
        relation = next((r for r in get_all_child_relations(page) if r.get_accessor_name() == accessor), None)
        model = relation.related_model if relation else None
        group = model._meta.verbose_name.capitalize() if model else accessor
        verbose = model._meta.get_field(name).verbose_name if model else name
        return f"{group} #{int(index) + 1} · {verbose}"
    try:
        return str(page._meta.get_field(key).verbose_name).capitalize()
    except Exception:  # noqa: BLE001
        return key
