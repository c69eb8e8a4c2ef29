"""The portal's content fixtures: a reviewable JSON page tree, loaded and exported.

Format: fixtures/README.md. Loading is one transaction that either applies
every file or changes nothing; a page whose stored state already equals its
fixture is left alone, so loading twice changes nothing. Export writes the
same format back, so export → load → export is stable.

Privacy travels with the pages (a page's own view restriction: login, groups by name,
password without the password); a load never removes a restriction. Export keeps the
published pages only and says what it leaves out (drafts, pages not live).
"""

import json
import re
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from django.utils import translation

from wagtail.fields import RichTextField
from wagtail.models import Page, PageViewRestriction, Site

from modelcluster.models import get_all_child_relations

from portal import i18n
from portal.i18n import translated_fields
from portal.models import HomePage, SiteSettings, Topic, page_models
from portal.sanitise import sanitise_rich_text

# The file of the site itself (settings, topics, home and index pages): read first, for every other
# page's parent is defined in it or in the page's own file.
SITE_FILE = HomePage.fixture_file


def fixture_files() -> tuple[str, ...]:
    """The fixture files, in the order they are read: the site's, then each page type's own
    (BasePage.fixture_file), as page_models() orders them."""
    return tuple(dict.fromkeys([SITE_FILE, *(model.fixture_file for model in page_models())]))


def file_for_type(model) -> str | None:
    """The fixture file a page type is exported to (BasePage.fixture_file)."""
    return model.fixture_file if model in page_models() else None


# Page's own fields an editor sets; the rest of Page's columns are bookkeeping.
PAGE_FIELDS = ("title", "slug", "seo_title", "search_description", "show_in_menus")
INLINE_SKIP = {"id", "sort_order"}
PAGE_ENTRIES = {"key", "parent", "type", "fields", "links", "inlines", "privacy"}
RESTRICTIONS = (PageViewRestriction.LOGIN, PageViewRestriction.GROUPS, PageViewRestriction.PASSWORD)
# Control characters (C0, DEL, C1) but tab and line breaks, and lone surrogates: PostgreSQL cannot
# store NUL at all, and no text of the portal needs any of them.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


class FixtureError(Exception):
    """A broken fixture; the message names the file and the object."""


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed_welcome_page: bool = False
    warnings: list[str] = field(default_factory=list)  # for the operator: what the load could not keep


# --- Field rules ------------------------------------------------------------


def localized_names(model) -> set[str]:
    return {i18n.localized(name, code) for name in translated_fields(model) for code in i18n.language_codes()}


def content_fields(model) -> list[models.Field]:
    """The editable fields of a page type or inline model, in declaration order."""
    hidden = localized_names(model)
    result = []
    for f in model._meta.get_fields():
        if f.auto_created or not getattr(f, "editable", False) or f.name in hidden:
            continue
        if issubclass(model, Page) and f.model is Page and f.name not in PAGE_FIELDS:
            continue
        if isinstance(f, models.ForeignKey) and getattr(f.remote_field, "parent_link", False):
            continue
        if f.name in INLINE_SKIP or getattr(f, "_is_parental_key", False) or type(f).__name__ == "ParentalKey":
            continue
        result.append(f)
    return result


# --- Export -----------------------------------------------------------------


class KeyIndex:
    """Page keys: the default-language path below the home page.

    On export, `exported` holds the ids of the pages written: a link to any other page (one not
    live) is left out and told in `warnings`, or the fixture would name a page it does not hold.
    """

    def __init__(self, home: Page, exported: set[int] | None = None, warnings: list[str] | None = None):
        self.home_path = getattr(home, i18n.localized("url_path", i18n.default_language()))
        self.exported = exported
        self.warnings = warnings if warnings is not None else []
        self.where = ""

    def is_exported(self, page: Page) -> bool:
        return self.exported is None or page.pk in self.exported

    def key_for(self, page: Page) -> str:
        path = getattr(page, i18n.localized("url_path", i18n.default_language()))
        return path[len(self.home_path) :].strip("/")


def _plain(value):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


class LeftOut(Exception):
    """An inline object whose required link names a page the export leaves out."""


def _export_value(obj, f: models.Field, keys: KeyIndex, translated: set[str]):
    """(section, value) for one field, or None when empty."""
    if f.many_to_many:
        related = [r for r in getattr(obj, f.name).all() if _linkable(r, f, keys)]
        values = sorted(_link_name(r, keys) for r in related)
        return ("links", values) if values else None
    if f.many_to_one:
        target = getattr(obj, f.name)
        if target is not None and not _linkable(target, f, keys):
            if not f.null:
                raise LeftOut
            target = None
        return ("links", _link_name(target, keys)) if target is not None else None
    if f.name in translated:
        values = {code: getattr(obj, i18n.localized(f.name, code)) or "" for code in i18n.language_codes()}
        return ("fields", values) if any(values.values()) else None
    value = getattr(obj, f.attname)
    if value in (None, "") or (value is False and f.name == "show_in_menus"):
        return None
    return ("fields", _plain(value))


def _linkable(target, f: models.Field, keys: KeyIndex) -> bool:
    if not isinstance(target, Page) or keys.is_exported(target):
        return True
    keys.warnings.append(
        f"{keys.where}: link '{f.name}' to '{keys.key_for(target)}' left out: that page is not live, so not exported"
    )
    return False


def _link_name(target, keys: KeyIndex):
    if isinstance(target, Page):
        return keys.key_for(target)
    if isinstance(target, Topic):
        return target.slug
    raise FixtureError(f"cannot export a link to {type(target).__name__} {target.pk}")


def export_object(obj, keys: KeyIndex) -> dict:
    model = type(obj)
    translated = translated_fields(model)
    data: dict = {"fields": {}, "links": {}}
    for f in content_fields(model):
        item = _export_value(obj, f, keys, translated)
        if item is not None:
            data[item[0]][f.name] = item[1]
    return data


def export_page(page: Page, keys: KeyIndex) -> dict:
    page = page.specific
    data = export_object(page, keys)
    spec = {"key": keys.key_for(page), "type": page._meta.label, "fields": data["fields"]}
    if page.depth > 2:
        spec["parent"] = keys.key_for(page.get_parent())
    if data["links"]:
        spec["links"] = data["links"]
    inlines = {}
    for relation in get_all_child_relations(page):
        children = []
        for child in getattr(page, relation.get_accessor_name()).all():
            try:
                child_data = export_object(child, keys)
            except LeftOut:  # e.g. a featured article that is not live: the item goes with it
                continue
            children.append({**child_data["fields"], **child_data["links"]})
        if children:
            inlines[relation.get_accessor_name()] = children
    if inlines:
        spec["inlines"] = inlines
    return spec


def prepare_tree() -> None:
    """Give the tree root its translation columns.

    wagtail-modeltranslation adds Page's language columns after the root page
    exists and leaves them empty; children would then get url paths without a
    leading slash.
    """
    default = i18n.default_language()
    values = {i18n.localized("url_path", code): "/" for code in i18n.language_codes()}
    values[i18n.localized("title", default)] = "Root"
    values[i18n.localized("slug", default)] = "root"
    Page.objects.filter(depth=1).update(**values)


def find_home() -> HomePage | None:
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site and isinstance(site.root_page.specific, HomePage):
        return site.root_page.specific
    return None


def export_all(warnings: list[str] | None = None) -> dict[str, dict]:
    """The fixture files, as {file name: document}, for the current database.

    Only published content is written: a page not live (and what lies below it) is left out,
    and so are links to it; a live page's unpublished draft is not kept. Each is told in
    `warnings`, with password restrictions, whose passwords are never written.
    """
    home = find_home()
    if home is None:
        raise FixtureError("There is no home page to export: the default site's root is not a portal.HomePage.")
    warnings = warnings if warnings is not None else []
    pages = list(home.get_descendants(inclusive=True).specific().order_by("path"))
    exported, left_out = set(), []
    for page in pages:
        if not page.live or any(page.path.startswith(path) for path in left_out):
            left_out.append(page.path)
        else:
            exported.add(page.pk)
    keys = KeyIndex(home, exported, warnings)
    docs: dict[str, dict] = {name: {"pages": []} for name in fixture_files()}
    site_settings = SiteSettings.objects.filter(site__is_default_site=True).first()
    if site_settings:
        docs[SITE_FILE]["settings"] = export_object(site_settings, keys)["fields"]
    docs[SITE_FILE]["topics"] = [
        {"slug": t.slug, **export_object(t, keys)["fields"]} for t in Topic.objects.order_by("slug")
    ]
    restrictions: dict[int, list] = {}
    for restriction in PageViewRestriction.objects.prefetch_related("groups").order_by("pk"):
        restrictions.setdefault(restriction.page_id, []).append(restriction)
    for page in pages:
        keys.where = f"page '{keys.key_for(page)}'"
        if page.pk not in exported:
            why = "is not live (a draft or unpublished)" if not page.live else "lies below a page that is not live"
            warnings.append(f"{keys.where} {why}: not exported")
            continue
        name = file_for_type(type(page))
        if name is None:
            raise FixtureError(f"page {page.pk} ({page._meta.label}) has no fixture file")
        if page.has_unpublished_changes:
            warnings.append(
                f"{keys.where} has unpublished changes: the fixture holds the published version, the draft is not kept"
            )
        spec = export_page(page, keys)
        privacy = export_privacy(restrictions.get(page.pk, []), keys.where)
        if privacy is not None:
            spec["privacy"] = privacy
            if privacy["restriction"] == PageViewRestriction.PASSWORD:
                warnings.append(
                    f"{keys.where} is protected by a password, exported without it (passwords are never written): "
                    "loaded into a database that lacks this page, it gets a new random password nobody knows"
                )
        docs[name]["pages"].append(spec)
    return {name: doc for name, doc in docs.items() if any(doc.values())}


def export_privacy(restrictions: list, where: str) -> dict | None:
    """A page's own view restriction in the fixture format: its kind, and the groups' names; a
    password is never written. The admin gives a page one restriction at most."""
    if not restrictions:
        return None
    if len(restrictions) > 1:
        raise FixtureError(
            f"{where} has {len(restrictions)} view restrictions; a fixture keeps one, as the admin's Privacy "
            "setting makes: remove the others first"
        )
    restriction = restrictions[0]
    privacy = {"restriction": restriction.restriction_type}
    if restriction.restriction_type == PageViewRestriction.GROUPS:
        privacy["groups"] = sorted(group.name for group in restriction.groups.all())
    return privacy


def dumps(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_all(directory: Path, warnings: list[str] | None = None) -> list[Path]:
    written = []
    for name, document in export_all(warnings).items():
        path = Path(directory) / name
        path.write_text(dumps(document), encoding="utf-8")
        written.append(path)
    return written


# --- Load -------------------------------------------------------------------


def read_documents(directory: Path) -> list[tuple[str, dict]]:
    documents = []
    for name in fixture_files():
        path = Path(directory) / name
        if not path.exists():
            continue
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except RecursionError as exc:
            raise FixtureError(f"{name}: the JSON is nested too deeply") from exc
        except json.JSONDecodeError as exc:
            raise FixtureError(f"{name}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
        except UnicodeDecodeError as exc:
            raise FixtureError(f"{name}: not UTF-8 ({exc})") from exc
        if not isinstance(document, dict):
            raise FixtureError(f"{name}: the file must hold one JSON object")
        unknown = set(document) - {"settings", "topics", "pages"}
        if unknown:
            raise FixtureError(f"{name}: unknown section(s) {', '.join(sorted(unknown))}")
        try:
            check_characters(name, document)
        except RecursionError as exc:
            raise FixtureError(f"{name}: the JSON is nested too deeply") from exc
        documents.append((name, document))
    return documents


def shown(text: str) -> str:
    """`text` with its control characters written as escapes, for a message."""
    return CONTROL_CHARACTER.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def check_characters(name: str, document: dict) -> None:
    """Refuse a control character anywhere in a document (a text, a link, a key) before anything
    is written: PostgreSQL refuses NUL with a raw DataError, SQLite would store it."""

    def where(path: list) -> str:
        if len(path) >= 2 and path[0] == "pages" and isinstance(document["pages"][path[1]], dict):
            key = document["pages"][path[1]].get("key")
            page = f"page '{shown(key)}'" if isinstance(key, str) else f"page #{path[1] + 1}"
            return f"{name}: {page}: " + ".".join(map(str, path[2:]))
        if len(path) >= 2 and path[0] == "topics":
            return f"{name}: topic #{path[1] + 1}: " + ".".join(map(str, path[2:]))
        return f"{name}: " + ".".join(map(str, path))

    def walk(value, path: list) -> None:
        if isinstance(value, str):
            found = CONTROL_CHARACTER.search(value)
            if found:
                raise FixtureError(
                    f"{where(path)}: the control character U+{ord(found.group()):04X} at character "
                    f"{found.start() + 1} of '{shown(value)[:80]}'; remove it (only tabs and line breaks are text)"
                )
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(key, path)
                walk(item, [*path, key])
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, [*path, index])

    walk(document, [])


class Loader:
    def __init__(self, documents: list[tuple[str, dict]]):
        self.documents = documents
        self.pages: dict[str, Page] = {}
        self.report = LoadReport()
        self.where = ""  # what is being loaded, for an error the database raises

    # -- values --
    def _where(self, name: str, what: str) -> str:
        return f"{name}: {what}"

    def assign(self, obj, values: dict, where: str) -> None:
        """Set `values` ({field: value}) on `obj`; fields left out are emptied."""
        model = type(obj)
        translated = translated_fields(model)
        allowed = {f.name: f for f in content_fields(model) if not f.is_relation}
        for key in values:
            if key not in allowed:
                raise FixtureError(f"{where}: unknown field '{key}' on {model._meta.label}")
        for name, f in allowed.items():
            value = values.get(name)
            if name in translated:
                if value is None:
                    value = {code: "" for code in i18n.language_codes()}
                if not isinstance(value, dict):
                    raise FixtureError(
                        f"{where}: field '{name}' is translatable; give an object with the language codes "
                        f"{', '.join(i18n.language_codes())}"
                    )
                wrong = set(value) - set(i18n.language_codes())
                if wrong:
                    raise FixtureError(
                        f"{where}: field '{name}' has unknown language code(s) {', '.join(sorted(wrong))}; "
                        f"use {', '.join(i18n.language_codes())}"
                    )
                for code in i18n.language_codes():
                    text = value.get(code) or ""
                    if not isinstance(text, str):
                        raise FixtureError(f"{where}: field '{name}' [{code}] must be text")
                    if text and isinstance(f, RichTextField):
                        # only the admin's editor cleans rich text; fixtures are cleaned here
                        try:
                            text = sanitise_rich_text(text, f.features)
                        except RecursionError as exc:  # the cleaner walks the markup's tree recursively
                            raise FixtureError(
                                f"{where}: field '{name}' [{code}]: the rich text is nested too deeply to be "
                                "cleaned; simplify its markup"
                            ) from exc
                    setattr(obj, i18n.localized(name, code), text or ("" if not f.null else None))
            else:
                if isinstance(value, dict):
                    raise FixtureError(f"{where}: field '{name}' does not change with language; give a plain value")
                if value is None:
                    value = f.get_default() if f.has_default() else (None if f.null else "")
                    if name == "show_in_menus":
                        value = False
                try:
                    value = f.to_python(value)
                except ValidationError as exc:
                    raise FixtureError(f"{where}: field '{name}': {'; '.join(exc.messages)}") from exc
                setattr(obj, f.attname, value)

    def resolve(self, model_field: models.Field, ref, where: str):
        target_model = model_field.related_model
        if target_model is Topic:
            topic = Topic.objects.filter(slug=ref).first()
            if topic is None:
                raise FixtureError(f"{where}: link '{model_field.name}' names unknown topic '{ref}'")
            return topic
        if issubclass(target_model, Page):
            page = self.pages.get(ref)
            if page is None:
                raise FixtureError(f"{where}: link '{model_field.name}' names unknown page '{ref}'")
            specific = page.specific
            if not isinstance(specific, target_model):
                raise FixtureError(
                    f"{where}: link '{model_field.name}' needs a {target_model._meta.label}, '{ref}' is a "
                    f"{specific._meta.label}"
                )
            return specific
        raise FixtureError(f"{where}: links to {target_model._meta.label} are not supported in fixtures")

    def assign_links(self, obj, links: dict, where: str) -> None:
        model = type(obj)
        relations = {f.name: f for f in content_fields(model) if f.is_relation}
        for key in links:
            if key not in relations:
                raise FixtureError(f"{where}: unknown link '{key}' on {model._meta.label}")
        for name, f in relations.items():
            ref = links.get(name)
            if f.many_to_many:
                refs = ref or []
                if not isinstance(refs, list):
                    raise FixtureError(f"{where}: link '{name}' must be a list")
                setattr(obj, name, [self.resolve(f, r, where) for r in refs])
            else:
                setattr(obj, name, self.resolve(f, ref, where) if ref is not None else None)

    def build_inline(self, model, data: dict, where: str):
        if not isinstance(data, dict):
            raise FixtureError(f"{where}: each inline item must be an object")
        relation_names = {f.name for f in content_fields(model) if f.is_relation}
        child = model()
        self.assign(child, {k: v for k, v in data.items() if k not in relation_names}, where)
        self.assign_links(child, {k: v for k, v in data.items() if k in relation_names}, where)
        return child

    # -- pages --
    def page_model(self, spec: dict, where: str):
        from django.apps import apps

        label = spec.get("type")
        try:
            model = apps.get_model(label) if isinstance(label, str) else None
        except (LookupError, ValueError):
            model = None
        if model is None or not issubclass(model, Page):
            raise FixtureError(f"{where}: unknown page type {label!r}")
        return model

    def page_specs(self):
        for name, document in self.documents:
            pages = document.get("pages", [])
            if not isinstance(pages, list):
                raise FixtureError(f"{name}: 'pages' must be a list")
            for index, spec in enumerate(pages):
                if not isinstance(spec, dict) or not isinstance(spec.get("key"), str):
                    raise FixtureError(f"{name}: page #{index + 1} has no 'key'")
                unknown = set(spec) - PAGE_ENTRIES
                if unknown:
                    raise FixtureError(f"{name}: page '{spec['key']}': unknown entry {', '.join(sorted(unknown))}")
                yield name, spec

    def ensure_home(self, spec: dict, where: str) -> HomePage:
        home = find_home()
        if home is not None:
            return home
        root = Page.get_first_root_node()
        # Wagtail's welcome page is the default site's root in a fresh database.
        for site in Site.objects.all():
            welcome = site.root_page
            site.delete()
            if type(welcome.specific) is Page and not welcome.get_children().exists():
                welcome.delete()
                self.report.removed_welcome_page = True
        home = HomePage()
        self.assign(home, spec.get("fields", {}), where)
        root.add_child(instance=home)
        Site.objects.create(
            hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="SCODA Portal"
        )
        return home

    def create_page(self, spec: dict, where: str) -> Page:
        model = self.page_model(spec, where)
        parent_key = spec.get("parent")
        parent = self.pages.get(parent_key)
        if parent is None:
            raise FixtureError(f"{where}: parent '{parent_key}' is not defined before this page")
        if (
            not parent.specific_class.creatable_subpage_models()
            or model not in parent.specific_class.allowed_subpage_models()
        ):
            raise FixtureError(
                f"{where}: a {model._meta.label} cannot be placed under {parent.specific_class._meta.label}"
            )
        page = model()
        self.assign(page, spec.get("fields", {}), where)
        try:
            parent.add_child(instance=page)
        except ValidationError as exc:
            raise FixtureError(f"{where}: {'; '.join(exc.messages)}") from exc
        return page

    def apply(self, page: Page, spec: dict, where: str) -> None:
        model = type(page)
        self.assign(page, spec.get("fields", {}), where)
        self.assign_links(page, spec.get("links", {}), where)
        inlines = spec.get("inlines", {})
        relations = {r.get_accessor_name(): r for r in get_all_child_relations(page)}
        for name in inlines:
            if name not in relations:
                raise FixtureError(f"{where}: unknown inline '{name}' on {model._meta.label}")
        for name, relation in relations.items():
            items = inlines.get(name, [])
            if not isinstance(items, list):
                raise FixtureError(f"{where}: inline '{name}' must be a list")
            children = [
                self.build_inline(relation.related_model, item, f"{where}, {name} #{i + 1}")
                for i, item in enumerate(items)
            ]
            for position, child in enumerate(children):
                child.sort_order = position
            setattr(page, name, children)
        try:
            revision = page.save_revision(log_action=False, clean=True)
            revision.publish(log_action=False)
        except ValidationError as exc:
            messages = (
                "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.message_dict.items())
                if hasattr(exc, "message_dict")
                else "; ".join(exc.messages)
            )
            raise FixtureError(f"{where}: {messages}") from exc

    def load_settings_and_topics(self) -> None:
        for name, document in self.documents:
            for index, topic in enumerate(document.get("topics", [])):
                slug = topic.get("slug") if isinstance(topic, dict) else None
                where = self.where = f"{name}: topic '{slug or '#' + str(index + 1)}'"
                if not slug:
                    raise FixtureError(f"{where}: no slug")
                obj = Topic.objects.filter(slug=slug).first() or Topic(slug=slug)
                self.assign(obj, {k: v for k, v in topic.items() if k != "slug"} | {"slug": slug}, where)
                self.save_checked(obj, where)

    def load_site_settings(self) -> None:
        for name, document in self.documents:
            if "settings" in document:
                site = Site.objects.get(is_default_site=True)
                obj = SiteSettings.for_site(site)
                where = self.where = f"{name}: settings"
                self.assign(obj, document["settings"], where)
                self.save_checked(obj, where)

    @staticmethod
    def save_checked(obj, where: str) -> None:
        """Save a topic or the settings after the checks the admin's form makes (lengths, e-mail):
        pages are checked by save_revision(clean=True)."""
        try:
            obj.full_clean()
        except ValidationError as exc:
            raise FixtureError(f"{where}: {_validation_message(exc)}") from exc
        obj.save()

    # -- privacy --
    def wanted_privacy(self, spec: dict, where: str) -> tuple[str, list] | None:
        """(restriction type, groups) the page's fixture asks for, or None (no "privacy" entry)."""
        privacy = spec.get("privacy")
        if privacy is None:
            return None
        if not isinstance(privacy, dict):
            raise FixtureError(f'{where}: \'privacy\' must be an object such as {{"restriction": "login"}}')
        if "password" in privacy:
            raise FixtureError(
                f"{where}: 'privacy' holds a password; fixtures never keep passwords. Write "
                '{"restriction": "password"}: the page gets a new random password, to be set in the admin'
            )
        kind = privacy.get("restriction")
        if kind not in RESTRICTIONS:
            raise FixtureError(
                f"{where}: unknown privacy restriction {kind!r}; use {', '.join(repr(k) for k in RESTRICTIONS)}"
            )
        unknown = set(privacy) - {"restriction", "groups"}
        if unknown or ("groups" in privacy) != (kind == PageViewRestriction.GROUPS):
            raise FixtureError(
                f"{where}: 'privacy' takes 'restriction', and 'groups' (a list of group names) for 'groups' only"
            )
        names = privacy.get("groups", [])
        if kind == PageViewRestriction.GROUPS and (
            not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names)
        ):
            raise FixtureError(f"{where}: 'groups' must be a list of group names")
        groups = list(Group.objects.filter(name__in=names).order_by("name"))
        missing = sorted(set(names) - {group.name for group in groups})
        if missing:
            raise FixtureError(
                f"{where}: no group named {', '.join(repr(n) for n in missing)}; create it first "
                "(admin → Settings → Groups), so that the page stays private to the right people"
            )
        return kind, groups

    def apply_privacy(self, page: Page, spec: dict, where: str) -> bool:
        """Give `page` the view restriction its fixture asks for; True when one was made.

        A load never makes a page public: a restriction the fixture does not name stays, with a
        warning. A password restriction already there keeps its password; a new one gets a
        random password nobody knows (fixtures never hold passwords), with a warning."""
        wanted = self.wanted_privacy(spec, where)
        existing = list(PageViewRestriction.objects.filter(page=page).prefetch_related("groups"))
        if wanted is None:
            if existing:
                kinds = ", ".join(r.restriction_type for r in existing)
                self.report.warnings.append(
                    f"{where} is private in the database ({kinds}) but not in the fixture: left private; remove "
                    "the restriction in the admin (Privacy) if the page is to be public"
                )
            return False
        kind, groups = wanted
        same_kind = len(existing) == 1 and existing[0].restriction_type == kind
        if same_kind and sorted(existing[0].groups.all(), key=lambda group: group.name) == groups:
            return False
        restriction = PageViewRestriction(page=page, restriction_type=kind)
        if kind == PageViewRestriction.PASSWORD:
            restriction.password = secrets.token_urlsafe(24)
            self.report.warnings.append(
                f"{where} is protected by a password, which fixtures do not keep: it got a new random "
                "password nobody knows; set one in the admin (Privacy) to let visitors in"
            )
        for old in existing:
            old.delete()
        restriction.save()
        if groups:
            restriction.groups.set(groups)
        return True

    def run(self) -> LoadReport:
        prepare_tree()
        self.load_settings_and_topics()
        specs = list(self.page_specs())
        keys_seen = set()
        # First pass: every page exists, so links may point forward and across files.
        for name, spec in specs:
            key = spec["key"]
            where = self.where = f"{name}: page '{key}'"
            if key in keys_seen:
                raise FixtureError(f"{where}: the key is defined twice")
            keys_seen.add(key)
            if key == "":
                self.pages[key] = self.ensure_home(spec, where)
                continue
            if not self.pages:
                raise FixtureError(f'{where}: the home page (key "") must come first')
            parent = self.pages.get(spec.get("parent"))
            existing = None
            if parent is not None:
                path = (
                    getattr(parent, i18n.localized("url_path", i18n.default_language())) + key.rsplit("/", 1)[-1] + "/"
                )
                existing = Page.objects.filter(**{i18n.localized("url_path", i18n.default_language()): path}).first()
            if existing is not None:
                self.pages[key] = existing.specific
                self.page_model(spec, where)
            else:
                self.pages[key] = self.create_page(spec, where)
                self.report.created.append(key)
        self.load_site_settings()
        # Second pass: fields, links and inlines; a page already as specified is left alone.
        keys = KeyIndex(self.pages[""])
        for name, spec in specs:
            key = spec["key"]
            where = self.where = f"{name}: page '{key}'"
            page = self.pages[key].specific
            if type(page) is not self.page_model(spec, where):
                raise FixtureError(f"{where}: the database has a {page._meta.label} at this key, not {spec['type']}")
            wanted = _normalise(type(page), spec)
            unchanged = (
                page.live
                and page.latest_revision_id
                and not page.has_unpublished_changes
                and export_page(page, keys) == wanted
            )
            if not unchanged:
                self.apply(page, spec, where)
                if keys.key_for(page) != key:
                    raise FixtureError(
                        f"{where}: the key must be the parent's key + '/' + the zh-hans slug; this page's is "
                        f"'{keys.key_for(page)}'"
                    )
            restricted = self.apply_privacy(page, spec, where)
            if key not in self.report.created:
                (self.report.unchanged if unchanged and not restricted else self.report.updated).append(key)
        return self.report


def _validation_message(exc: ValidationError) -> str:
    """A model's validation errors by field, a translation's field named with its language."""
    if not hasattr(exc, "message_dict"):
        return "; ".join(exc.messages)
    suffixes = {i18n.localized("", code): code for code in i18n.language_codes()}
    parts = []
    for name, messages in exc.message_dict.items():
        label = f"'{name}'"
        for suffix, code in suffixes.items():
            if name.endswith(suffix) and len(name) > len(suffix):
                label = f"'{name[: -len(suffix)]}' [{code}]"
        parts.append(f"field {label}: {' '.join(messages)}")
    return "; ".join(parts)


def _normalise_values(model, values: dict) -> dict:
    """`values` as export_object would write them: empty dropped, plain values canonical."""
    fields = {f.name: f for f in content_fields(model)}
    out = {}
    for name, value in values.items():
        f = fields.get(name)
        if isinstance(value, dict):
            value = {code: value.get(code) or "" for code in i18n.language_codes()}
            if isinstance(f, RichTextField):
                value = {code: _normalised_rich_text(text, f.features) for code, text in value.items()}
            if any(value.values()):
                out[name] = value
        elif isinstance(value, list):
            if value:
                out[name] = sorted(value)
        elif value is None or value == "" or (value is False and name == "show_in_menus"):
            continue  # as _export_value leaves them out (a False of any other boolean is written)
        elif f is not None and not f.is_relation:
            try:
                out[name] = _plain(f.to_python(value))
            except ValidationError:
                out[name] = value  # reported with its file and page by Loader.assign

        else:
            out[name] = value
    return out


def _normalised_rich_text(text, features) -> str:
    if not isinstance(text, str):
        return text  # reported with its file and page by Loader.assign
    if i18n.is_blank_html(text):
        return ""
    try:
        return sanitise_rich_text(text, features)
    except RecursionError:
        return text  # nested too deeply: reported with its file, page and field by Loader.assign


def _normalise(model, spec: dict) -> dict:
    """The spec as export_page would write it."""
    out = {"key": spec["key"], "type": model._meta.label, "fields": _normalise_values(model, spec.get("fields") or {})}
    if spec.get("parent") is not None:
        out["parent"] = spec["parent"]
    links = _normalise_values(model, spec.get("links") or {})
    if links:
        out["links"] = links
    relations = {r.get_accessor_name(): r.related_model for r in get_all_child_relations(model)}
    inlines = {
        name: [_normalise_values(relations[name], item) for item in items]
        for name, items in (spec.get("inlines") or {}).items()
        if items and name in relations
    }
    if inlines:
        out["inlines"] = inlines
    return out


def load_all(directory: Path | None = None) -> LoadReport:
    """Load every fixture file in one transaction; raise FixtureError and change nothing on error."""
    directory = Path(directory or settings.FIXTURE_DIRS[0])
    documents = read_documents(directory)
    # Errors are for the operator, in English; pages pin their own
    # default-language columns when saved (BasePage.save).
    loader = Loader(documents)
    with translation.override("en"):
        try:
            with transaction.atomic():
                return loader.run()
        except DatabaseError as exc:  # what the checks above let through; rolled back like the rest
            raise FixtureError(
                f"{loader.where or 'the fixtures'}: the database refused a value: {' '.join(str(exc).split())}"
            ) from exc
