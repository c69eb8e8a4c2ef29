"""Rich text that reaches the database without the admin editor (fixtures, imports), cleaned the way the editor would.

The admin editor only ever stores what the field's features allow. Text from
elsewhere goes through the same whitelist: Wagtail's own `DbWhitelister`
(wagtail.admin.rich_text.converters.editor_html), built from the field's
features. It works on the editor's HTML, where links and embeds carry
`data-linktype` / `data-embedtype`; the stored format (`<a linktype="page"
id="3">`, `<embed embedtype="image" …/>`) is lifted into that form first, so
a link or image survives when its feature is enabled and goes when it is not.

Besides what the whitelist drops (unknown elements are unwrapped, every
attribute not allowed is removed, so `onclick` & co. go, and `href`s with a
scheme other than http(s), ftp, mailto or tel), the contents of <script>,
<style> and similar elements (DROPPED_WITH_CONTENT) are removed, not kept as
text. `sanitise_rich_text(…, removed=[])` also lists what it removed (the
XLIFF import tells translators), and `sanitise_plain_text` cleans text bound
for a plain-text field with the same drop list.

A link or embed is kept only when it is valid: its type is one the field's
features allow, every attribute its handler stores is there, ids are whole
numbers a database key can hold, an image's format is registered and URLs are
safe (`reference_is_valid`). Wagtail's own handlers raise on anything else
("1 or 1=1" as an id), which would break the editor and the public page; the
page editor refuses such text (`validate_rich_text`, portal/richtext.py) and
the renderer skips it.
"""

import copy
import re
from collections.abc import Sequence
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from wagtail.admin.rich_text.converters.editor_html import DbWhitelister, EditorHTMLConverter
from wagtail.images.formats import get_image_formats
from wagtail.rich_text import features as feature_registry
from wagtail.whitelist import allow_without_attributes, check_url

from bs4 import BeautifulSoup
from bs4.dammit import EntitySubstitution
from bs4.formatter import HTMLFormatter

# Elements whose content is code, a fallback or a drawing, never text a visitor should read.
DROPPED_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "template",
        "noscript",
        "iframe",
        "frame",
        "frameset",
        "object",
        "applet",
        "head",
        "title",
        "svg",
        "math",
    }
)
_DROPPED_ELEMENT = re.compile(
    r"<(" + "|".join(sorted(DROPPED_WITH_CONTENT)) + r")\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL
)


class _StoredFormatter(HTMLFormatter):
    """Escape like the admin editor's stored HTML: &, <, > in text (quotes stay), and " too in attributes."""

    def __init__(self):
        super().__init__(entity_substitution=EntitySubstitution.substitute_xml, void_element_close_prefix="/")

    def attribute_value(self, value):
        return EntitySubstitution.substitute_xml(value).replace('"', "&quot;")


class RichTextWhitelister(DbWhitelister):
    #: When a list, what clean() removed is noted in it ("<script>", "onclick", "link page abc").
    removed: list[str] | None = None

    def __init__(self, converter_rules, extra_elements: Sequence[str] = ()):
        super().__init__(converter_rules)
        for element in extra_elements:
            self.element_rules.setdefault(element, allow_without_attributes)

    def reporting(self) -> "RichTextWhitelister":
        """A copy with the same rules that notes what it removes in its own `removed`."""
        clone = copy.copy(self)
        clone.removed = []
        return clone

    def clean(self, html: str) -> str:
        doc = BeautifulSoup(html, "html.parser")
        self.clean_node(doc, doc)
        return doc.decode(formatter=_StoredFormatter())

    def _note(self, what: str) -> None:
        if self.removed is not None and what not in self.removed:
            self.removed.append(what)

    def clean_tag_node(self, doc, tag):
        name, before = tag.name, dict(tag.attrs)
        if name in DROPPED_WITH_CONTENT:
            # unwrapping (the whitelister's way with unknown tags) would show the script as text
            self._note(f"<{name}>")
            tag.decompose()
            return
        _lift_stored_format(tag)
        if "data-embedtype" in tag.attrs:
            handler = self.embed_handlers.get(tag["data-embedtype"])
            if handler is None or not _valid_reference(handler, tag):
                self._note_reference(name, before)
                tag.decompose()
                return
        elif tag.name == "a" and "data-linktype" in tag.attrs:
            handler = self.link_handlers.get(tag["data-linktype"])
            if handler is None or not _valid_reference(handler, tag):
                self._note_reference(name, before)
                for child in list(tag.contents):
                    self.clean_node(doc, child)
                tag.unwrap()
                return
        super().clean_tag_node(doc, tag)
        if self.removed is None or any(k in before for k in _REFERENCE_MARKERS):
            return
        if name != "div" and name not in self.element_rules:
            self._note(f"<{name}>")
            return
        for attr, value in before.items():
            if attr not in tag.attrs:
                self._note(f"{attr}={value}" if attr in ("href", "src") else attr)

    def _note_reference(self, name: str, before: dict) -> None:
        """A link or embed dropped: an unknown type or an invalid reference."""
        kind = next((before[k] for k in _REFERENCE_MARKERS if k in before), "")
        reference = before.get("id", before.get("data-id", ""))
        self._note(f"{'link' if name == 'a' else name} {kind} {reference}".strip())


_REFERENCE_MARKERS = ("linktype", "data-linktype", "embedtype", "data-embedtype")


def _lift_stored_format(tag) -> None:
    """`<a linktype="page" id="3">` → `<a data-linktype="page" data-id="3">`; the same for <embed embedtype=…>."""
    marker = {"a": "linktype", "embed": "embedtype"}.get(tag.name)
    if marker and marker in tag.attrs:
        tag.attrs = {f"data-{name}": value for name, value in tag.attrs.items() if not name.startswith("data-")}


def _valid_reference(handler, tag) -> bool:
    """The handler finds every attribute it stores, and those are valid (reference_is_valid)."""
    try:
        attrs = handler.get_db_attributes(tag)
    except KeyError:
        return False
    kind = "embed" if "data-embedtype" in tag.attrs else "a"
    return reference_is_valid(kind, tag.get(f"data-{'embedtype' if kind == 'embed' else 'linktype'}"), attrs)


# Pages, images and documents have 32-bit keys: a larger number finds nothing on SQLite and
# is an error on PostgreSQL.
MAX_ID = 2**31 - 1
_ID = re.compile(r"[0-9]{1,10}")
# What Wagtail's handlers read from a stored link or embed of each type; without it they raise.
REQUIRED_ATTRIBUTES = {("a", "page"): ("id",), ("a", "document"): ("id",), ("embed", "image"): ("id", "format")}


def is_valid_id(value) -> bool:
    """A key as the stored format carries it: ASCII digits of a positive number a key column holds."""
    value = str(value)
    return bool(_ID.fullmatch(value)) and 0 < int(value) <= MAX_ID


def reference_is_valid(kind: str, type_: str | None, attrs: dict) -> bool:
    """Whether a stored `<a linktype=type_ …>` (kind "a") or `<embed embedtype=type_ …/>` (kind "embed")
    with these attributes can be drawn by Wagtail's handlers: the attributes they read are there,
    ids are keys (is_valid_id), an image's format is registered and a URL is safe."""
    if any(name not in attrs for name in REQUIRED_ATTRIBUTES.get((kind, type_), ())):
        return False
    if "id" in attrs and not is_valid_id(attrs["id"]):
        return False
    if (kind, type_) == ("embed", "image") and attrs["format"] not in {f.name for f in get_image_formats()}:
        return False
    return "url" not in attrs or check_url(str(attrs["url"])) is not None


def reference_problems(html: str, features: Sequence[str] | None = None) -> list[ValidationError]:
    """Every link and embed in stored rich text that the field's features do not allow or that
    is not valid (reference_is_valid), each as a ValidationError to show an editor."""
    if not html or ("linktype" not in html and "<embed" not in html):
        return []
    whitelister = _whitelister(tuple(feature_registry.get_default_features() if features is None else features))
    problems = []
    for tag in BeautifulSoup(html, "html.parser").find_all(["a", "embed"]):
        kind, marker = ("a", "linktype") if tag.name == "a" else ("embed", "embedtype")
        if marker not in tag.attrs:
            continue
        type_ = tag[marker]
        handlers = whitelister.link_handlers if kind == "a" else whitelister.embed_handlers
        attrs = {name: value for name, value in tag.attrs.items() if name != marker}
        if type_ not in handlers:
            message = _("Links of the type “%(type)s” are not allowed here.")
            if kind == "embed":
                message = _("Embedded items of the type “%(type)s” are not allowed here.")
            problems.append(ValidationError(message, code="rich_text_type", params={"type": type_}))
        elif not reference_is_valid(kind, type_, attrs):
            problems.append(
                ValidationError(
                    _("A link or image refers to “%(reference)s”, which is not a valid reference."),
                    code="rich_text_reference",
                    params={"reference": " ".join(f'{name}="{value}"' for name, value in sorted(attrs.items()))},
                )
            )
    return problems


def validate_rich_text(html: str, features: Sequence[str] | None = None) -> None:
    """Raise ValidationError listing the links and embeds of stored rich text that the editor and
    the public page could not draw (reference_problems); for importers that refuse rather than
    clean (sanitise_rich_text drops them)."""
    problems = reference_problems(html, features)
    if problems:
        raise ValidationError(problems)


def _block_and_style_elements(features: Sequence[str]) -> list[str]:
    """Elements that features give only to the Draftail editor (blockquote, code, sup, …), none with attributes."""
    elements = []
    for feature in features:
        rule = feature_registry.get_converter_rule("contentstate", feature) or {}
        to_database = rule.get("to_database_format", {}) if isinstance(rule, dict) else {}
        for spec in [*to_database.get("block_map", {}).values(), *to_database.get("style_map", {}).values()]:
            if isinstance(spec, str):
                elements.append(spec)
            elif isinstance(spec, dict) and isinstance(spec.get("element"), str) and not spec.get("props"):
                elements.append(spec["element"])
                if isinstance(spec.get("wrapper"), str):
                    elements.append(spec["wrapper"])
    return elements


@lru_cache(maxsize=32)
def _whitelister(features: tuple[str, ...]) -> RichTextWhitelister:
    converter = EditorHTMLConverter(features)
    return RichTextWhitelister(converter.converter_rules, _block_and_style_elements(features))


def sanitise_rich_text(html: str, features: Sequence[str] | None = None, removed: list[str] | None = None) -> str:
    """`html` in Wagtail's stored rich text format, keeping only what `features` allow.

    `features` is the RichTextField's feature list (`field.features`); None
    means Wagtail's default features, as for a RichTextField without any.
    The result is stable: sanitising it again changes nothing. Given a list,
    `removed` receives what was taken out ("<script>", "onclick", …).
    RecursionError for markup nested too deeply for the tree walker.
    """
    if not html:
        return html or ""
    if features is None:
        features = feature_registry.get_default_features()
    whitelister = _whitelister(tuple(features))
    if removed is None:
        return whitelister.clean(html)
    reporting = whitelister.reporting()
    cleaned = reporting.clean(html)
    removed.extend(what for what in reporting.removed if what not in removed)
    return cleaned


def sanitise_plain_text(text: str) -> str:
    """Text bound for a plain-text field without its markup: the elements of DROPPED_WITH_CONTENT
    with their content, every other tag (its text kept). Line breaks and character references stay
    as written: the field is plain text, escaped when shown."""
    if not text or "<" not in text:
        return text or ""
    return strip_tags(_DROPPED_ELEMENT.sub("", text))
