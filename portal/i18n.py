"""The portal's language rules: the one place that knows them.

Languages come from settings.LANGUAGES; the fallback chain from
settings.MODELTRANSLATION_FALLBACK_LANGUAGES. Everything else (models,
templates, search, fixtures) asks this module.
"""

import functools
import html
import re
import unicodedata
from collections.abc import Callable, Collection, Mapping

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.encoding import iri_to_uri
from django.utils.html import strip_tags
from django.utils.text import slugify

from modeltranslation.translator import NotRegistered, translator
from modeltranslation.utils import build_localized_fieldname


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def default_language() -> str:
    return settings.LANGUAGE_CODE


def language_name(code: str) -> str:
    return dict(settings.LANGUAGES)[code]


def fallback_chain(code: str) -> list[str]:
    """The languages tried, in order, when a field is empty in `code`."""
    fallbacks = settings.MODELTRANSLATION_FALLBACK_LANGUAGES
    chain = [code, *fallbacks.get(code, fallbacks.get("default", ()))]
    return list(dict.fromkeys(chain))


@functools.lru_cache(maxsize=4096)
def localized(field_name: str, code: str) -> str:
    return build_localized_fieldname(field_name, code)


def localized_columns(field_name: str) -> list[str]:
    """The field's column in every language, e.g. for .only(): title_zh_hans, title_en, …"""
    return [localized(field_name, code) for code in language_codes()]


def translated_fields(model) -> set[str]:
    """Names of the model's fields that have a column per language (Page's url_path aside)."""
    try:
        names = set(translator.get_options_for_model(model).all_fields)
    except NotRegistered:
        return set()
    return names - {"url_path"}


def shown_value(values: Mapping, field_name: str, code: str, chain: list[str] | None = None):
    """The value of translated field `field_name` a visitor of `code` sees, from a mapping of its
    columns (title_zh_hans, title_en …): the first one filled (neither None nor "") along the
    fallback chain (`chain`: fallback_chain(code), given when already at hand), as modeltranslation
    reads it; None when none is."""
    for candidate in chain or fallback_chain(code):
        value = values.get(localized(field_name, candidate))
        if value is not None and value != "":
            return value
    return None


def field_language(instance, field_name: str, code: str | None = None) -> str | None:
    """The language whose value `instance.<field_name>` shows in `code`.

    None when no language has a value.
    """
    code = code or translation.get_language()
    for candidate in fallback_chain(code):
        value = getattr(instance, localized(field_name, candidate), None)
        if value not in (None, ""):
            return candidate
    return None


# --- Text -----------------------------------------------------------------
# Chinese characters: the CJK unified ideographs (extension A and the basic block) and the
# compatibility ideographs. Slugs turn them into pinyin, the search cuts them into bigrams.
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


def has_han(text: str) -> bool:
    return bool(HAN.search(text))


# A start or end tag as the sanitiser stores them (a letter after "<", no "<" or ">" inside).
_SIMPLE_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_MEDIA_TAG = re.compile(r"<(img|embed|iframe|video|audio)\b", re.IGNORECASE)
# A character a reader sees at the start of the text or just after a tag: not blank, for sure.
_VISIBLE_AFTER_TAG = re.compile(r"(?:^|>)\s*[^\s<&]")
# The start or end of an element a browser shows on a line of its own (and <br>, <hr>, a table's
# cell): its text is a word apart from the text before and after it.
_BLOCK_TAG = re.compile(
    r"<(?=/?(?:address|article|aside|blockquote|br|dd|div|dl|dt|figcaption|figure|footer|h[1-6]|header|hr|li"
    r"|main|nav|ol|p|pre|section|table|td|th|tr|ul)[\s/>])",
    re.IGNORECASE,
)
# Soft hyphens (portal.text.hyphenate) are break opportunities, not characters a reader sees.
_SOFT_HYPHEN = "\u00ad"


def html_to_text(value) -> str:
    """What a reader sees of `value` (rich text, or plain text that may hold markup), on one line:
    tags removed, a space where a block ends or starts (paragraphs, headings, list items, <br>: "with
    it. In 2018", not "with it.In 2018"), character references decoded (&amp; → &, &nbsp; → space),
    soft hyphens dropped, whitespace collapsed.

    Django's strip_tags (an HTML parser) decides where markup is unusual (comments, a "<" that
    starts no tag, a ">" inside an attribute); the well-formed markup the sanitiser stores is taken
    out with one regular expression, the same result about twenty times faster. The space goes in
    before each block tag, so whichever of the two takes the tag out, the space stays.
    """
    if not value:
        return ""
    text = str(value)
    if "<" in text:
        text = _BLOCK_TAG.sub(" <", text)
        stripped = _SIMPLE_TAG.sub("", text)
        text = strip_tags(text) if "<" in stripped or ">" in stripped else stripped
    if "&" in text:
        text = html.unescape(text)
    if _SOFT_HYPHEN in text:
        text = text.replace(_SOFT_HYPHEN, "")
    return " ".join(text.split())


def is_blank_html(value: str | None) -> bool:
    """True for rich text a visitor would see as empty, such as ``<p></p>`` or ``<p>&nbsp;</p>``."""
    if not value:
        return True
    if _VISIBLE_AFTER_TAG.search(value) or _MEDIA_TAG.search(value):
        return False
    return not html_to_text(value)


# --- Slugs ----------------------------------------------------------------
_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "i",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "y",
            "",
            "e",
            "iu",
            "ia",
        ],
        strict=True,
    )
)
_GERMAN = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}


def ascii_slug(text: str, max_length: int = 80) -> str:
    """An ASCII slug for a title in any of the portal's languages.

    Chinese becomes pinyin, Russian is transliterated (ICAO-style), German
    umlauts become ae/oe/ue; the rest goes through Django's slugify.
    """
    text = unicodedata.normalize("NFC", text or "").lower()
    if has_han(text):
        # imported here: its dictionaries cost ~55 MB, needed only when a page is saved
        from pypinyin import lazy_pinyin

        text = " ".join(lazy_pinyin(text))
    text = "".join(_CYRILLIC.get(ch, _GERMAN.get(ch, ch)) for ch in text)
    slug = slugify(text)[:max_length].strip("-")
    return slug


def unique_slug(slug: str, taken: Collection[str]) -> str:
    """`slug`, or `slug-2`, `slug-3` … (Wagtail's rule for the slugs it makes) when a sibling has it."""
    if slug not in taken:
        return slug
    number = 2
    while f"{slug}-{number}" in taken:
        number += 1
    return f"{slug}-{number}"


#: taken(code, slug): the slugs starting with `slug` that a page's siblings have in language `code`.
Taken = Callable[[str, str], Collection[str]]


def complete_slugs(
    titles: dict[str, str | None], slugs: dict[str, str | None], taken: Taken | None = None
) -> dict[str, str | None]:
    """Every language's slug: its own, else one made from its own title, else the
    slug of the language its title falls back to.

    Routing reads `page.slug` through the fallback chain, so the URL of a
    language without its own title must use the same fallback. With `taken`, a slug
    made here that a sibling has already gets a number (two titles that read alike
    in pinyin, 示范 and 师范, or an editor's forgotten draft of the same title, never
    clash); a slug the editor gave is kept as it is, for the editor to see the clash.
    """
    result: dict[str, str | None] = {}
    for code in language_codes():
        slug = slugs.get(code) or ""
        if slug and not slug.isascii():
            slug = ascii_slug(slug)
        made = not slug
        if not slug and titles.get(code):
            slug = ascii_slug(titles[code])
        if not slug:
            slug = next((result[c] for c in fallback_chain(code)[1:] if result.get(c)), "")
        if made and slug and taken is not None:
            slug = unique_slug(slug, taken(code, slug))
        result[code] = slug or None
    return result


def complete_slug_columns(values: Mapping, taken: Taken | None = None) -> dict[str, str | None]:
    """complete_slugs for a mapping of title and slug columns (title_en, slug_en …: a page's
    attributes, a form's cleaned data): {slug column: slug} in every language."""
    codes = language_codes()
    slugs = complete_slugs(
        {code: values.get(localized("title", code)) for code in codes},
        {code: values.get(localized("slug", code)) for code in codes},
        taken,
    )
    return {localized("slug", code): slug for code, slug in slugs.items()}


def sibling_slugs(parent, exclude_pk=None) -> Taken:
    """taken() for complete_slugs: the slugs the children of `parent` (but `exclude_pk`) have in a
    language, as routing reads them (an empty one through the fallback chain), among those that
    start with the slug asked about: one narrow query per slug made."""
    from django.db.models import Q

    from wagtail.models import Page

    def taken(code: str, slug: str) -> set[str]:
        if parent is None or not parent.pk:
            return set()
        chain = [localized("slug", c) for c in fallback_chain(code)]
        match = Q()
        for column in chain:
            match |= Q(**{f"{column}__startswith": slug})
        rows = Page.objects.child_of(parent).filter(match)
        if exclude_pk:
            rows = rows.exclude(pk=exclude_pk)
        return {next((row[c] for c in chain if row[c]), "") for row in rows.values(*chain)} - {""}

    return taken


VISIBLE_EXCLUDED = {"slug", "seo_title", "search_description"}


def fallback_languages(instance, code: str | None = None) -> tuple[str | None, set[str]]:
    """(language the title is shown in if not `code`, languages any shown text falls back to)."""
    code = code or translation.get_language()
    title_language = field_language(instance, "title", code)
    shown = set()
    for name in translated_fields(type(instance)) - VISIBLE_EXCLUDED:
        language = field_language(instance, name, code)
        if language and language != code:
            shown.add(language)
    return (title_language if title_language != code else None), shown


# --- URLs in every language ---------------------------------------------------


def page_urls(page, request=None, *, full: bool = False) -> dict[str, str]:
    """{language: URL} of `page` in every language it has a URL in: what page.get_url(request)
    (page.get_full_url(request) with `full`) gives while the language is active. The language
    switcher, hreflang and canonical links, the CDN purge and (through LanguagePaths) the
    sitemap all take a page's URLs from here."""
    urls = {}
    for code in language_codes():
        with translation.override(code):
            url = page.get_full_url(request) if full else page.get_url(request)
        if url:
            urls[code] = url
    return urls


class LanguagePaths:
    """page_urls() for many pages of one site at once (the sitemap), from their url_path columns.

    The same rule as page_urls, which asks Page.get_url under translation.override(code): the
    language's prefix ("/de/") followed by the page's url_path in that language (read through
    the fallback chain, as modeltranslation reads it) below the site root's. Worked out here
    once per language, instead of a language switch and a reverse() per page and language,
    which cost more than all the rest of the sitemap. `urls()` takes a page or a row of its
    url_path columns (localized_columns("url_path")); tests/test_seo.py checks that both equal page_urls for every page.
    """

    def __init__(self, root):
        """`root`: the site's root page (a page or a row with its url_path columns)."""
        self.chains = {
            code: [localized("url_path", candidate) for candidate in fallback_chain(code)] for code in language_codes()
        }
        self.prefixes: dict[str, str] = {}
        self.roots: dict[str, str] = {}
        for code, chain in self.chains.items():
            root_path = self.url_path(root, chain)
            with translation.override(code):
                try:
                    prefix = reverse("wagtail_serve", args=("",))
                except NoReverseMatch:  # Wagtail serves no pages in this language
                    continue
            if root_path:
                self.prefixes[code], self.roots[code] = prefix, root_path

    @staticmethod
    def url_path(page, chain: list[str]) -> str | None:
        return next((value for column in chain if (value := getattr(page, column))), None)

    def urls(self, page) -> dict[str, str]:
        """{language: URL} of a page, or of a row with the url_path columns; a language it has no URL in is left out."""
        urls = {}
        for code, root_path in self.roots.items():
            url_path = self.url_path(page, self.chains[code])
            if url_path and url_path.startswith(root_path):
                urls[code] = iri_to_uri(self.prefixes[code] + url_path[len(root_path) :])
        return urls
