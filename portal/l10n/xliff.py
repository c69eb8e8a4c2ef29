"""XLIFF 1.2 export and import, for translation agencies and their CAT tools.

An export holds one <file> per page (original="page/<id>") and one
<trans-unit id="<page id>:<field key>"> per tracked field whose source is not
empty; `extradata` carries the source digest, so an import can tell when the
Chinese text changed after the export. Text is stored as-is: rich text is HTML
escaped as text (the file's datatype is "html", which CAT tools know).

An import writes the targets of each page as one new revision (a draft, or
published), through the same path as the admin, so the status machinery marks
what was filled as current. Each page is imported in its own transaction: a
page is saved with all its usable units or not at all, and the pages before
and after it are not affected. Every unit that cannot be imported is reported
with the reason (its id names the page and the field); nothing a file holds
raises out of import_xliff. A page the importing user may not edit (or
publish, when publishing), or that is locked against them, is not imported
at all (see _refusal). Rich text goes through the site's one sanitiser
(portal.sanitise): links and images whose id is not a number or whose type is
unknown are removed and named. Markup nested deeper than MAX_INLINE_DEPTH
rejects the unit.
"""

import re
import xml.etree.ElementTree as ET  # noqa: S405 - only builds XML; parsing goes through defusedxml
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import to_locale

from wagtail.fields import RichTextField
from wagtail.locks import BasicLock, ScheduledForPublishLock, WorkflowLock
from wagtail.models import Page

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as parse_xml
from modelcluster.models import get_all_child_relations

from portal import i18n
from portal.l10n import status
from portal.l10n.models import TranslationStatus
from portal.l10n.permissions import editable_pages
from portal.sanitise import sanitise_plain_text, sanitise_rich_text

XLIFF_NS = "urn:oasis:names:tc:xliff:document:1.2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

STATES = ("missing", "outdated", "all")
# XLIFF 1.2 target states for the portal's field states
TARGET_STATE = {"missing": "needs-translation", "outdated": "needs-review-translation", "current": "translated"}
UNTRANSLATED_STATES = {"new", "needs-translation"}
UNCHANGED = "unchanged"

# characters XML 1.0 cannot carry at all
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_UNIT_ID = re.compile(r"^(\d+):(.+)$")
# <g>, <mrk> … inside one target; CAT tools nest a handful, a reader recursing through thousands would crash
MAX_INLINE_DEPTH = 100


class XliffError(Exception):
    """A request that cannot be carried out, with a message a person can act on."""


# --- Languages --------------------------------------------------------------
def bcp47(code: str) -> str:
    """The BCP 47 tag of a portal language code: zh-hans → zh-Hans."""
    return to_locale(code).replace("_", "-")


def target_language(code: str) -> str:
    """`code` as a portal target language, or XliffError listing the valid ones."""
    valid = status.target_languages()
    normal = (code or "").strip().lower()
    if normal in valid:
        return normal
    if normal == status.source_language():
        raise XliffError(f"{code} is the source language, not a target; choose one of: {', '.join(valid)}.")
    raise XliffError(f"Unknown language {code!r}; choose one of: {', '.join(valid)}.")


def _portal_language(tag: str) -> str | None:
    """The portal language a BCP 47 tag from a file names (de-DE → de), or None."""
    normal = (tag or "").strip().lower().replace("_", "-")
    codes = i18n.language_codes()
    if normal in codes:
        return normal
    primary = normal.split("-")[0]
    # a regional variant (de-DE, ru-RU) names the language, but zh-CN says nothing about the script
    matches = [code for code in codes if code.split("-")[0] == primary]
    return matches[0] if len(matches) == 1 and "-" not in matches[0] else None


# --- Export -----------------------------------------------------------------
@dataclass
class ExportUnit:
    key: str
    label: str
    source: str
    target: str
    state: str  # missing | outdated | current
    digest: str
    rich: bool
    max_length: int | None


@dataclass
class ExportPage:
    page_id: int
    title: str
    type_name: str
    edit_url: str
    units: list[ExportUnit]


def _model_field(tracked: status.TrackedField):
    return tracked.obj._meta.get_field(tracked.name)


def _pages(page_ids, user=None) -> list[Page]:
    pages = Page.objects.filter(depth__gt=1).order_by("path")
    if page_ids is not None:
        ids = {int(pk) for pk in page_ids}
        pages = pages.filter(pk__in=ids)
        unknown = sorted(ids - set(pages.values_list("pk", flat=True)))
        if unknown:
            raise XliffError(f"No page with id {', '.join(map(str, unknown))}.")
    if user is not None:
        # the export holds the latest revisions, drafts and private pages included: only pages the user may edit
        pages = pages.filter(pk__in=editable_pages(user).values("pk"))
        return [page for page in pages.specific() if page.permissions_for_user(user).can_edit()]
    return list(pages.specific())


def _edit_url(page: Page) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("wagtailadmin_pages:edit", args=[page.pk])


def export_pages(language: str, state: str = "all", page_ids=None, user=None) -> list[ExportPage]:
    """What an export of `language` holds: pages in tree order, each with its units.

    With `user`, only the pages that user may edit (others are left out, not named).
    """
    language = target_language(language)
    if state not in STATES:
        raise XliffError(f"Unknown state {state!r}; choose one of: {', '.join(STATES)}.")
    # labels and notes in English, the language agencies and the portal's editors share
    with translation.override("en"):
        return _export_pages(language, state, page_ids, user)


def _export_pages(language: str, state: str, page_ids, user) -> list[ExportPage]:
    source = status.source_language()
    pages = _pages(page_ids, user)
    stored = {
        row.page_id: row for row in TranslationStatus.objects.filter(language=language, page__in=[p.pk for p in pages])
    }
    result = []
    for page in pages:
        latest = page.get_latest_revision_as_object()
        tracked = status.tracked_fields(latest)
        if not tracked:
            continue
        row = stored.get(page.pk)
        outdated = set(row.outdated_fields) if row else set(status.compute(latest)[language].outdated)
        units = []
        for item in tracked:
            if item.empty(source):
                continue
            field_state = "missing" if item.empty(language) else "outdated" if item.key in outdated else "current"
            if state != "all" and field_state != state:
                continue
            model_field = _model_field(item)
            units.append(
                ExportUnit(
                    key=item.key,
                    label=status.field_label(latest, item.key),
                    source=item.text(source),
                    target="" if field_state == "missing" else item.text(language),
                    state=field_state,
                    digest=status.digest(item.text(source)),
                    rich=isinstance(model_field, RichTextField),
                    max_length=None if isinstance(model_field, models.TextField) else model_field.max_length,
                )
            )
        if units:
            result.append(
                ExportPage(
                    page_id=page.pk,
                    title=str(getattr(latest, i18n.localized("title", source)) or latest.draft_title),
                    type_name=str(type(page)._meta.verbose_name),
                    edit_url=_edit_url(page),
                    units=units,
                )
            )
    return result


def _xml_text(value: str) -> str:
    return _XML_INVALID.sub("", value)


def render_xliff(pages: list[ExportPage], language: str) -> bytes:
    """XLIFF 1.2 for `pages` (from export_pages), as UTF-8 bytes."""
    source_tag, target_tag = bcp47(status.source_language()), bcp47(language)
    # unqualified names, xmlns written on the root: ElementTree's default_namespace option
    # refuses the unqualified attribute names XLIFF uses
    root = ET.Element("xliff", {"xmlns": XLIFF_NS, "version": "1.2"})
    for page in pages:
        file = ET.SubElement(
            root,
            "file",
            {
                "original": f"page/{page.page_id}",
                "source-language": source_tag,
                "target-language": target_tag,
                "datatype": "html",
            },
        )
        header = ET.SubElement(file, "header")
        ET.SubElement(header, "note").text = _xml_text(
            f"Page {page.page_id}: {page.title} ({page.type_name}). Edit in the admin: {page.edit_url}"
        )
        body = ET.SubElement(file, "body")
        for unit in page.units:
            attrs = {
                "id": f"{page.page_id}:{unit.key}",
                "resname": unit.key,
                "extradata": unit.digest,
                "datatype": "html" if unit.rich else "plaintext",
                XML_SPACE: "preserve",
            }
            if unit.max_length:
                attrs.update({"maxwidth": str(unit.max_length), "size-unit": "char"})
            element = ET.SubElement(body, "trans-unit", attrs)
            ET.SubElement(element, "source", {XML_LANG: source_tag}).text = _xml_text(unit.source)
            target = ET.SubElement(element, "target", {XML_LANG: target_tag, "state": TARGET_STATE[unit.state]})
            target.text = _xml_text(unit.target) or None
            kind = "rich text (HTML: keep the markup)" if unit.rich else "plain text"
            ET.SubElement(element, "note").text = f"{unit.label} · {kind} · {unit.state}"
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{text}\n'.encode()


def export_xliff(language: str, state: str = "all", page_ids=None, user=None) -> bytes:
    """XLIFF 1.2 of the pages' tracked fields in `language` (see module doc); with `user`, the pages they may edit."""
    return render_xliff(export_pages(language, state, page_ids, user), target_language(language))


# --- Import report ------------------------------------------------------------
@dataclass
class PageResult:
    page_id: int
    title: str
    changed: list[str] = field(default_factory=list)
    revision_id: int | None = None
    published: bool = False
    note: str = ""


@dataclass
class UnitMessage:
    unit_id: str
    message: str


@dataclass
class ImportReport:
    language: str | None = None
    file_error: str | None = None
    pages: list[PageResult] = field(default_factory=list)
    rejected: list[UnitMessage] = field(default_factory=list)
    skipped: list[UnitMessage] = field(default_factory=list)
    warnings: list[UnitMessage] = field(default_factory=list)

    @property
    def changed_count(self) -> int:
        return sum(len(page.changed) for page in self.pages)


class _FileRejected(Exception):
    pass


# --- Reading the file -----------------------------------------------------------
def _split(tag) -> tuple[str | None, str]:
    if not isinstance(tag, str):  # comments and processing instructions
        return None, ""
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _is(element, name: str) -> bool:
    # XLIFF elements: in the 1.2 namespace, or in none (some tools drop it); a CAT tool's own
    # elements (memoQ, Trados) live in other namespaces and are ignored
    namespace, local = _split(element.tag)
    return namespace in (XLIFF_NS, "") and local == name


def _child(element, name: str):
    return next((child for child in element if _is(child, name)), None)


def _depth(element) -> int:
    """How deep elements nest inside `element` (itself 0), without recursing."""
    deepest, stack = 0, [(element, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node)
    return deepest


def _text(element) -> str:
    """The text of <source>/<target>, through <mrk>, <g> and native-code wrappers."""
    parts = [element.text or ""]
    for child in element:
        namespace, _local = _split(child.tag)
        if namespace in (XLIFF_NS, ""):
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _parse(data: bytes | str):
    try:
        return parse_xml(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except ET.ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(":")[0]
        raise _FileRejected(
            f"The file is not well-formed XML (line {line}, column {column + 1}: {reason}); nothing was imported."
        ) from exc
    except DefusedXmlException as exc:
        raise _FileRejected(
            "The file declares a DOCTYPE or entities, which XLIFF does not need; it was refused for safety "
            "and nothing was imported."
        ) from exc


def _file_language(root, expected: str | None) -> str:
    namespace, local = _split(root.tag)
    if local != "xliff":
        raise _FileRejected(f"This is not an XLIFF file (its root element is <{local}>); nothing was imported.")
    version = root.get("version", "1.2" if namespace == XLIFF_NS else "")
    if namespace not in (XLIFF_NS, "") or not version.startswith("1."):
        raise _FileRejected(
            f"Only XLIFF 1.2 is read (this file is version {version or 'unknown'}); "
            "save it as XLIFF 1.2 in the CAT tool. Nothing was imported."
        )
    files = [child for child in root if _is(child, "file")]
    if not files:
        raise _FileRejected("The file holds no <file> element; nothing was imported.")
    source_primary = status.source_language().split("-")[0]
    languages = set()
    for file in files:
        source_tag = file.get("source-language", "")
        if source_tag.lower().split("-")[0] != source_primary:
            raise _FileRejected(
                f"The file translates from {source_tag or 'an unnamed language'}, but the portal's source language "
                f"is {bcp47(status.source_language())}; nothing was imported."
            )
        tag = file.get("target-language")
        if not tag:
            target = next((t for t in file.iter() if _is(t, "target") and t.get(XML_LANG)), None)
            tag = target.get(XML_LANG) if target is not None else ""
        code = _portal_language(tag)
        if code is None:
            valid = ", ".join(bcp47(c) for c in status.target_languages())
            raise _FileRejected(
                f"The file's target language {tag or '(none)'} is not a language of the portal "
                f"({valid}); nothing was imported."
            )
        if code == status.source_language():
            raise _FileRejected(
                f"The file's target language {tag} is the portal's source language; nothing was imported."
            )
        languages.add(code)
    if len(languages) > 1:
        raise _FileRejected(
            f"The file mixes target languages ({', '.join(sorted(languages))}); import one language per file."
        )
    language = languages.pop()
    if expected and language != expected:
        raise _FileRejected(f"This file is for {language}, not {expected}; nothing was imported.")
    return language


@dataclass
class _Unit:
    unit_id: str
    page_id: int
    key: str
    source: str
    target: str | None
    digest: str | None
    state: str | None


def _read_units(root, report: ImportReport) -> list[_Unit]:
    units, seen = [], set()
    for file in (child for child in root if _is(child, "file")):
        match = re.fullmatch(r"page/(\d+)", file.get("original", ""))
        file_page = int(match.group(1)) if match else None
        for element in file.iter():
            if not _is(element, "trans-unit"):
                continue
            unit_id = (element.get("id") or "").strip()
            match = _UNIT_ID.match(unit_id)
            if match:
                page_id, key = int(match.group(1)), match.group(2)
            elif file_page is not None and element.get("resname"):
                # a tool that renumbered the units kept the file's page and the unit's resname
                page_id, key = file_page, element.get("resname").strip()
            else:
                report.rejected.append(UnitMessage(unit_id or "(no id)", "not a unit of a portal export"))
                continue
            unit_id = f"{page_id}:{key}"
            if unit_id in seen:
                report.rejected.append(
                    UnitMessage(unit_id, "appears more than once in the file; only the first counts")
                )
                continue
            seen.add(unit_id)
            source, target = _child(element, "source"), _child(element, "target")
            if any(part is not None and _depth(part) > MAX_INLINE_DEPTH for part in (source, target)):
                report.rejected.append(UnitMessage(unit_id, f"markup nested deeper than {MAX_INLINE_DEPTH} levels"))
                continue
            units.append(
                _Unit(
                    unit_id=unit_id,
                    page_id=page_id,
                    key=key,
                    source=_text(source) if source is not None else "",
                    target=_text(target) if target is not None else None,
                    digest=(element.get("extradata") or "").strip() or None,
                    state=target.get("state") if target is not None else None,
                )
            )
    return units


# --- Cleaning targets ---------------------------------------------------------
def clean_rich_text(html: str, features) -> tuple[str, list[str]]:
    """`html` (database format) as portal.sanitise stores it for a field with `features`, and what was removed.

    RecursionError for markup nested too deeply for the HTML tree walkers.
    """
    removed: list[str] = []
    return sanitise_rich_text(html, features, removed=removed), removed


def _clean(model_field, value: str) -> tuple[str, list[str]]:
    if isinstance(model_field, RichTextField):
        return clean_rich_text(value, model_field.features)
    text = sanitise_plain_text(value)
    return text.strip(), (["tags (the field is plain text)"] if text != value else [])


def _same(a: str, b: str) -> bool:
    return a.split() == b.split()


# --- Import -------------------------------------------------------------------
def _materialise_children(page) -> None:
    # A page without a draft comes straight from the database, its children as a live queryset
    # that re-reads on every access; held in the cluster, the edits reach save_revision.
    for relation in get_all_child_relations(page):
        accessor = relation.get_accessor_name()
        setattr(page, accessor, list(getattr(page, accessor).all()))


def _plan(page, units: list[_Unit], language: str, report: ImportReport) -> list[str]:
    """Set each importable unit's target on `page` (not saved); the keys that changed."""
    source = status.source_language()
    tracked = {item.key: item for item in status.tracked_fields(page)}
    changed = []
    for unit in units:
        item = tracked.get(unit.key)
        if item is None:
            report.rejected.append(UnitMessage(unit.unit_id, f"page {page.pk} has no field {unit.key}"))
            continue
        current_source = item.text(source)
        exported = unit.digest or status.digest(unit.source)
        if item.empty(source) or exported != status.digest(current_source):
            report.rejected.append(UnitMessage(unit.unit_id, "source changed since export; export again"))
            continue
        raw = (unit.target or "").strip()
        if not raw:
            report.skipped.append(UnitMessage(unit.unit_id, "empty target"))
            continue
        if unit.state in UNTRANSLATED_STATES and _same(raw, current_source):
            report.skipped.append(UnitMessage(unit.unit_id, "not translated yet (the target is a copy of the source)"))
            continue
        model_field = _model_field(item)
        try:
            value, removed = _clean(model_field, raw)
        except RecursionError:
            report.rejected.append(UnitMessage(unit.unit_id, "markup nested too deeply; simplify it"))
            continue
        if status.is_empty(item.obj, item.name, value):
            report.skipped.append(UnitMessage(unit.unit_id, "empty target (nothing left after removing markup)"))
            continue
        max_length = None if isinstance(model_field, models.TextField) else model_field.max_length
        if max_length and len(value) > max_length:
            report.rejected.append(
                UnitMessage(unit.unit_id, f"{len(value)} characters; the field holds at most {max_length}")
            )
            continue
        stored = item.text(language)
        if not item.empty(language) and _same(_clean(model_field, stored)[0], value):
            report.skipped.append(UnitMessage(unit.unit_id, UNCHANGED))
            continue
        if removed:
            report.warnings.append(
                UnitMessage(unit.unit_id, f"removed unsafe or unsupported markup: {', '.join(removed)}")
            )
        setattr(item.obj, i18n.localized(item.name, language), value)
        changed.append(unit.key)
    return changed


def _refusal(page, user, publish: bool) -> str | None:
    """Why `user` may not import into `page` (None: they may), as the admin's editor and publish buttons decide.

    Without a user (the shell, no --user) only a lock refuses.
    """
    if user is not None:
        permissions = page.permissions_for_user(user)
        if not permissions.can_edit():
            return _("you may not edit page %(page)s") % {"page": page.pk}
        if publish and not permissions.can_publish():
            return _("you may not publish page %(page)s; import it without publishing") % {"page": page.pk}
    lock = page.get_lock()
    if lock is None or (user is not None and not lock.for_user(user)):
        return None
    if isinstance(lock, BasicLock):
        who = page.locked_by.get_username() if page.locked_by else "someone"
        return f"page {page.pk} is locked by {who} in the admin"
    if isinstance(lock, WorkflowLock):
        return _("page %(page)s is awaiting moderation and locked for you") % {"page": page.pk}
    if isinstance(lock, ScheduledForPublishLock):
        return _("page %(page)s is scheduled for publishing and locked until then") % {"page": page.pk}
    return _("page %(page)s is locked") % {"page": page.pk}


def _import_page(page, units: list[_Unit], language: str, publish: bool, user, report: ImportReport) -> None:
    result = PageResult(page_id=page.pk, title=str(getattr(page, i18n.localized("title", status.source_language()))))
    refusal = _refusal(page, user, publish)
    if refusal:
        for unit in units:
            report.rejected.append(UnitMessage(unit.unit_id, refusal))
        report.pages.append(result)
        return
    had_draft = page.has_unpublished_changes
    try:
        with transaction.atomic():
            latest = page.get_latest_revision_as_object()
            _materialise_children(latest)
            result.changed = _plan(latest, units, language, report)
            if result.changed:
                revision = latest.save_revision(user=user, log_action=True)
                result.revision_id = revision.pk
                if publish and had_draft:
                    result.note = "saved as a draft, not published: the page had unpublished changes by an editor"
                elif publish:
                    revision.publish(user=user, log_action=True)
                    result.published = True
    except (ValidationError, ValueError, TypeError, RecursionError) as exc:
        # the page's transaction is rolled back: none of its units is saved, other pages are not touched
        messages = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        for key in result.changed:
            report.rejected.append(UnitMessage(f"{page.pk}:{key}", f"page {page.pk} was not saved: {messages}"))
        result.changed, result.revision_id, result.published, result.note = [], None, False, ""
    report.pages.append(result)


def import_xliff(
    data: bytes | str,
    publish: bool = False,
    user=None,
    expected_language: str | None = None,
    allowed_languages: set[str] | None = None,
) -> ImportReport:
    """Write the targets of an XLIFF 1.2 file back as one new revision per page; an ImportReport.

    `allowed_languages` (a translator's) refuses a file for any other language before anything is written.
    With `user`, a page they may not edit (or publish, with `publish`) is not imported and its units are
    rejected with the reason; so is a page locked against them (by a person, a workflow or a schedule).
    """
    report = ImportReport()
    try:
        if expected_language:
            expected_language = target_language(expected_language)
        root = _parse(data)
        report.language = _file_language(root, expected_language)
        if allowed_languages and report.language not in allowed_languages:
            names = ", ".join(i18n.language_name(code) for code in sorted(allowed_languages))
            raise _FileRejected(
                f"This file is for {i18n.language_name(report.language)}; you may import only {names}. "
                "Nothing was imported."
            )
    except (_FileRejected, XliffError) as exc:
        report.file_error = str(exc)
        return report
    by_page: dict[int, list[_Unit]] = defaultdict(list)
    for unit in _read_units(root, report):
        by_page[unit.page_id].append(unit)
    pages = Page.objects.filter(depth__gt=1).in_bulk(list(by_page))
    for page_id, units in by_page.items():
        page = pages.get(page_id)
        if page is None:
            for unit in units:
                report.rejected.append(UnitMessage(unit.unit_id, f"no page with id {page_id}"))
            continue
        _import_page(page.specific, units, report.language, publish, user, report)
    return report
