"""Rich text in the page editor and on the public page, safe from text the editor would not store.

Draftail posts its content as JSON (contentstate); Wagtail converts it with
`json.loads` and trusts every link and image entity's id. Anything else (a
post that is not JSON, an image "id" of "1 or 1=1") raised in the view, or was
stored and then raised each time the page was drawn or opened in the editor.

- `DraftailRichTextArea` (settings.WAGTAILADMIN_RICH_TEXT_EDITORS) hands a post
  it cannot convert to the form field as `UnreadableRichText` (and one with lists nested
  deeper than MAX_LIST_DEPTH, unconverted, as `TooDeepRichText`), and opens stored
  text with invalid references with those references dropped
  (portal.sanitise.sanitise_rich_text);
- `RichTextFormField`, the form field of every RichTextField in Wagtail's admin
  forms, turns either into an error on that field: nothing is saved;
- the handlers that draw links and images on the public page skip an invalid
  reference (drawn as Wagtail draws a missing page or image) instead of raising.

The form field and the handlers are registered when this module is imported:
portal/urls.py imports it, so before the first request is served.
"""

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.forms.models import register_form_field_override
from wagtail.admin.rich_text.editors.draftail import DraftailRichTextArea as WagtailDraftailRichTextArea
from wagtail.documents.rich_text import DocumentLinkHandler
from wagtail.fields import RichTextField
from wagtail.images.rich_text import ImageEmbedHandler
from wagtail.rich_text import features as feature_registry
from wagtail.rich_text import get_rewriter
from wagtail.rich_text.pages import PageLinkHandler

from draftjs_exporter.error import ExporterException

from portal.sanitise import reference_is_valid, reference_problems, sanitise_rich_text

# What the converter may raise on a post that is JSON of the wrong shape, or no JSON at all.
CONVERSION_ERRORS = (ExporterException, ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError)
# The deepest list nesting (a block's "depth") a post may have. Draftail nests 4 deep at most
# (Wagtail's maxListNesting); the converter builds one wrapper per level, and the HTML cleaners
# (portal.sanitise) recurse per element, so a crafted post nested ~100 deep gave text they broke on.
MAX_LIST_DEPTH = 10


class UnreadableRichText:
    """A post the editor's converter could not read; RichTextFormField refuses it."""

    def __init__(self, posted: str):
        self.posted = posted


class TooDeepRichText(UnreadableRichText):
    """A post whose blocks' depths are not whole numbers from 0 to MAX_LIST_DEPTH; not converted."""


def _depths_out_of_range(posted: str) -> bool:
    """Whether any block of the contentstate has a depth that is not an int from 0 to MAX_LIST_DEPTH.
    A post that is not contentstate at all is left to the converter (UnreadableRichText)."""
    try:
        blocks = json.loads(posted).get("blocks")
    except (ValueError, TypeError, AttributeError, RecursionError):
        return False
    if not isinstance(blocks, list):
        return False
    for block in blocks:
        depth = block.get("depth", 0) if isinstance(block, dict) else 0
        if type(depth) is not int or not 0 <= depth <= MAX_LIST_DEPTH:
            return True
    return False


class DraftailRichTextArea(WagtailDraftailRichTextArea):
    def format_value(self, value):
        if isinstance(value, UnreadableRichText):
            value = ""  # the post is not contentstate: Draftail could not open it either
        elif value and reference_problems(value, self.features):
            value = sanitise_rich_text(value, self.features)
        return super().format_value(value)

    def value_from_datadict(self, data, files, name):
        posted = data.get(name)
        if posted is None:
            return None
        if _depths_out_of_range(posted):
            return TooDeepRichText(posted)
        try:
            return self.converter.to_database_format(posted)
        except CONVERSION_ERRORS:
            return UnreadableRichText(posted)


class RichTextFormField(forms.CharField):
    """A RichTextField's form field: the widget's conversion worked and every link and image is valid."""

    default_error_messages = {
        "unreadable": _("This text could not be read: it is not in the rich text editor's format."),
        "too_deep": _("The lists in this text are nested too deeply (at most %(max)d levels)."),
    }

    def to_python(self, value):
        if isinstance(value, TooDeepRichText):
            raise ValidationError(self.error_messages["too_deep"], code="too_deep", params={"max": MAX_LIST_DEPTH})
        if isinstance(value, UnreadableRichText):
            raise ValidationError(self.error_messages["unreadable"], code="unreadable")
        return super().to_python(value)

    def validate(self, value):
        super().validate(value)
        if self.disabled:
            return  # the stored value, which the user cannot change (a translator's locked language)
        features = getattr(self.widget, "features", None)
        problems = reference_problems(value, features)
        if problems:
            raise ValidationError(problems)


register_form_field_override(RichTextField, override={"form_class": RichTextFormField})


# --- Drawing links and images on the public page ------------------------------------------------


class _SkipsInvalidReferences:
    """A link or embed handler that draws an invalid reference as a missing one, without a query."""

    kind = "a"
    missing = "<a>"

    @classmethod
    def expand_db_attributes_many(cls, attrs_list: list[dict]) -> list[str]:
        valid = [reference_is_valid(cls.kind, cls.identifier, attrs) for attrs in attrs_list]
        drawn = iter(super().expand_db_attributes_many([a for a, ok in zip(attrs_list, valid, strict=True) if ok]))
        return [next(drawn) if ok else cls.missing for ok in valid]

    @classmethod
    def extract_references(cls, attrs):
        if reference_is_valid(cls.kind, cls.identifier, attrs):
            yield from super().extract_references(attrs)


class SafePageLinkHandler(_SkipsInvalidReferences, PageLinkHandler):
    pass


class SafeDocumentLinkHandler(_SkipsInvalidReferences, DocumentLinkHandler):
    pass


class SafeImageEmbedHandler(_SkipsInvalidReferences, ImageEmbedHandler):
    kind = "embed"
    missing = '<img alt="">'


SAFE_HANDLERS = {
    "link": [SafePageLinkHandler, SafeDocumentLinkHandler],
    "embed": [SafeImageEmbedHandler],
}


def register_safe_handlers(features) -> None:
    for handler in SAFE_HANDLERS["link"]:
        features.register_link_type(handler)
    for handler in SAFE_HANDLERS["embed"]:
        features.register_embed_type(handler)


# Wagtail's own handlers are registered by the register_rich_text_features hooks of wagtail
# (pages), wagtail.documents and wagtail.images; a later order replaces them. The registry reads
# the hooks once, on first use: if that has happened already, replace them directly and forget the
# rewriter built from the old ones.
hooks.register("register_rich_text_features", register_safe_handlers, order=1000)
if feature_registry.has_scanned_for_features:
    register_safe_handlers(feature_registry)
    get_rewriter.cache_clear()
