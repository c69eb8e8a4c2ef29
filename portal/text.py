"""Text as a visitor reads it, in four scripts: cut to a length, search words marked, dates and date
ranges, soft hyphens in long German and Russian words.

Pure functions of plain values (strings, dates, language codes); portal/templatetags/text_tags.py
puts them into templates. Input text is plain text (portal.i18n.html_to_text makes it from rich
text); what returns markup (`highlight`, `hyphenate_html`) escapes the text itself.
"""

import functools
import re
from collections.abc import Iterable

from django.utils import dateformat, formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

ELLIPSIS = "…"

# Scripts written without spaces between words (Chinese, Japanese kana, Korean Hangul syllables) and
# their punctuation and full-width forms: a line, and so a cut, may fall between any two of these
# characters. (portal.i18n.HAN is the narrower rule for Chinese ideographs: slugs and bigrams.)
_CJK_RANGES = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003134f"
_CJK = re.compile(f"[{_CJK_RANGES}]")
# A letter or digit of a script that separates its words with spaces.
_SPACED_WORD_CHAR = f"[^\\W_{_CJK_RANGES}]"
_WORD_CHARS = re.compile(r"\w+")
_SCRIPT_RUNS = re.compile(f"[{_CJK_RANGES}]+|{_SPACED_WORD_CHAR}+")
# Left at the end of a cut text before the ellipsis: punctuation that leads into what was cut off.
_DANGLING = " \t,;:.·-–—/([{«„“‘\"'、，；：。（【「『《"


# --- Cutting --------------------------------------------------------------------


def _breaks_before(text: str, i: int) -> bool:
    """May text be cut between text[i - 1] and text[i]? At a space, and beside a CJK character."""
    before, after = text[i - 1], text[i]
    return before.isspace() or after.isspace() or bool(_CJK.match(before) or _CJK.match(after))


def _break_at_or_before(text: str, i: int, floor: int = 0) -> int | None:
    for position in range(min(i, len(text) - 1), floor, -1):
        if _breaks_before(text, position):
            return position
    return None


def _break_at_or_after(text: str, i: int, ceiling: int) -> int | None:
    for position in range(max(i, 1), min(ceiling, len(text) - 1) + 1):
        if _breaks_before(text, position):
            return position
    return None


def cut(text: str | None, length: int) -> str:
    """`text` (plain, whitespace collapsed) in at most `length` characters, the ellipsis included:
    cut at a space, or between two characters where one is CJK, never inside a word, with "…"
    and no dangling punctuation at the end. Only a single word longer than `length` is cut inside."""
    text = text or ""
    if len(text) > 4 * length:  # only the start is read: collapse its whitespace, not a whole page's
        head = " ".join(text[: 4 * length].split())
        text = head if len(head) > length else " ".join(text.split())
    else:
        text = " ".join(text.split())
    if len(text) <= length:
        return text
    if length <= len(ELLIPSIS):
        return ELLIPSIS[:length]
    limit = length - len(ELLIPSIS)
    end = _break_at_or_before(text, limit)
    head = text[: end or limit].rstrip(_DANGLING)
    if not head:  # nothing but punctuation before the break: cut the word instead
        head = text[:limit].rstrip(_DANGLING) or text[:limit]
    return head + ELLIPSIS


# --- Search words ---------------------------------------------------------------


def visitor_words(query: str) -> list[str]:
    """The words a visitor typed, lowercased, in order, once each: runs of letters and digits, a
    CJK run apart from the Latin or digits beside it ("SCO示范区" → "sco", "示范区")."""
    words = []
    for token in _WORD_CHARS.findall(query or ""):
        words.extend(run.lower() for run in _SCRIPT_RUNS.findall(token))
    return list(dict.fromkeys(w for w in words if w))


def _stem(word: str) -> str:
    return word[:-1] if len(word) >= 5 else word


@functools.lru_cache(maxsize=256)
def _word_pattern(word: str) -> re.Pattern:
    """Where a spaced-script word is found: at the start of a word of the text, and the rest of that
    word marked too (trainee → trainees). Words of five letters or more also match with their last
    letter changed, as an inflection changes it (Карамая → Карамай, zones → zone); words of one or
    two characters only match whole (a query "b" marks "b", not every word starting with b)."""
    stem = _stem(word)
    tail = "" if len(word) <= 2 else f"{_SPACED_WORD_CHAR}*"
    end = f"(?!{_SPACED_WORD_CHAR})" if not tail else ""
    return re.compile(f"(?<!{_SPACED_WORD_CHAR}){re.escape(stem)}{tail}{end}", re.IGNORECASE)


def match_spans(text: str, words: Iterable[str]) -> list[tuple[int, int]]:
    """Where `words` (visitor_words) occur in `text`: sorted, overlapping and touching spans merged.

    A CJK word is found as written; when the text does not hold it whole (the search matches
    Chinese by character pairs, which need not be next to each other), its pairs are marked."""
    spans = []
    for word in words:
        if not word:
            continue
        if _CJK.match(word):  # no case to fold
            pieces = [word] if word in text else [word[i : i + 2] for i in range(len(word) - 1)] or [word]
            for piece in pieces:
                start = text.find(piece)
                while start >= 0:
                    spans.append((start, start + len(piece)))
                    start = text.find(piece, start + 1)
        else:
            spans.extend(match.span() for match in _word_pattern(word).finditer(text))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str | None, words: Iterable[str]) -> SafeString:
    """`text` escaped, with each occurrence of `words` in <mark>; the words are matched in the
    plain text, so a word can never match inside markup or an entity, nor become markup."""
    text = text or ""
    parts, position = [], 0
    for start, end in match_spans(text, list(words)):
        parts.append(escape(text[position:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308 (every piece of text is escaped above)


def _first_match(text: str, words: list[str]) -> int | None:
    """Where the first of `words` is found in `text` (as match_spans finds them), else where one
    occurs inside a longer word (SQLite matches "zone" in "Freihandelszone"), else None. Reads only
    as far as each word's first occurrence."""
    found = []
    lowered = text.lower()
    for word in words:
        if not word:
            continue
        if _CJK.match(word):
            pieces = [word] if word in text else [word[i : i + 2] for i in range(len(word) - 1)]
            found.extend(position for piece in pieces if (position := text.find(piece)) >= 0)
        # a plain search first: the pattern's look-behind costs more on a long text without the word
        elif _stem(word) in lowered and (match := _word_pattern(word).search(text)):
            found.append(match.start())
    if not found:
        found = [position for word in words if word and (position := lowered.find(word)) >= 0]
    return min(found) if found else None


def excerpt(text: str | None, words: Iterable[str], length: int) -> str:
    """A stretch of plain `text` of at most `length` characters (ellipses included) that shows the
    first of `words` found, a little of what precedes it first; cut at word boundaries (cut)."""
    text = " ".join((text or "").split())
    if len(text) <= length:
        return text
    found = _first_match(text, list(words))
    if found is None or found < length // 4:
        return cut(text, length)
    # Start a quarter of the length before the word, at the next place a cut may fall, else at the
    # start of the word the match is in.
    start = _break_at_or_after(text, found - length // 4, found)
    if start is None:
        start = _break_at_or_before(text, found) or 0
    if start <= 0:
        return cut(text, length)
    return ELLIPSIS + cut(text[start:].lstrip(), length - len(ELLIPSIS))


# --- Dates ------------------------------------------------------------------------

# A range within one month writes the month and year once: (start's format, between, end's format),
# Django date format characters (E: the month's name as Russian writes it after a day).
_RANGE_IN_MONTH = {
    "en": ("j", "–", "j F Y"),
    "de": ("j.", "–", "j. F Y"),
    "ru": ("j", "–", "j E Y г."),
    "zh-hans": ("Y年n月j日", "至", "j日"),
}
# Between two full dates (different months or years).
_BETWEEN_FULL_DATES = {"zh-hans": "至"}
_DEFAULT_BETWEEN = " – "


def format_date(value) -> str:
    """A date the way the active language writes one (its DATE_FORMAT, portal/formats for English)."""
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def date_range_parts(start, end, code: str) -> tuple[str, str, str]:
    """(start, between, end) of a date range written in language `code` (the active language's
    month names): "9", "–", "10 March 2021"; a range of one day is ("9 March 2021", "", "")."""
    if not start:
        return format_date(end), "", ""
    if not end or end == start:
        return format_date(start), "", ""
    if (start.year, start.month) == (end.year, end.month) and start < end and code in _RANGE_IN_MONTH:
        start_format, between, end_format = _RANGE_IN_MONTH[code]
        return dateformat.format(start, start_format), between, dateformat.format(end, end_format)
    return format_date(start), _BETWEEN_FULL_DATES.get(code, _DEFAULT_BETWEEN), format_date(end)


def date_range(start, end, code: str) -> str:
    """A date range as text: "9–10 March 2021", "9.–10. März 2021", "9–10 марта 2021 г.",
    "2021年3月9日至10日"; across months or years both dates in full."""
    return "".join(date_range_parts(start, end, code))


# --- Soft hyphens -------------------------------------------------------------------

SOFT_HYPHEN = "\u00ad"
# The languages whose long words get soft hyphens, with their dictionary (pyphen's): German for its
# compounds (Grenzwirtschaftskooperationszone), Russian for its long official words
# (Демонстрационной, торгово-экономического), which overflow a phone's heading line. Chromium and
# Firefox here ship no hyphenation dictionary, so CSS `hyphens: auto` does nothing for them.
HYPHENATION = {"de": "de_DE", "ru": "ru_RU"}
# Shorter words fit a line (and a heading of short words needs no break inside one).
MIN_HYPHENATED_LENGTH = 10
_LONG_WORD = re.compile(rf"(?<![&#\w])[^\W\d_]{{{MIN_HYPHENATED_LENGTH},}}")
_TOKEN = re.compile(r"\S+")
# Text that is not prose: addresses, e-mail, paths.
_NOT_PROSE = re.compile(r"://|@|^www\.|/|\\")
_MARKUP = re.compile(r"(<!--.*?-->|<[^>]*>)", re.S)
_TAG_NAME = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
# Elements whose text is code or is not shown as prose.
_VERBATIM = frozenset({"code", "pre", "kbd", "samp", "var", "script", "style", "textarea", "svg", "math"})


@functools.cache
def _dictionary(code: str):
    import pyphen

    name = HYPHENATION.get(code)
    # at least three letters go to the next line ("Freihandels-zone", not "Freihandelszo-ne")
    return pyphen.Pyphen(lang=name, left=2, right=3) if name else None


def load_dictionaries() -> None:
    """Load every hyphenation dictionary now (portal/wsgi.py, when a worker starts): German's takes
    about 2 s and 18 MB, which the first German visitor of each worker would otherwise wait for."""
    for code in HYPHENATION:
        _dictionary(code)


@functools.lru_cache(maxsize=8192)
def _hyphenated_word(code: str, word: str) -> str:
    return _dictionary(code).inserted(word, hyphen=SOFT_HYPHEN)


def hyphenate(text: str, code: str) -> str:
    """Plain (or escaped) `text` with soft hyphens where a dictionary of language `code` allows a
    break in words of MIN_HYPHENATED_LENGTH letters or more; unchanged in other languages. Each part
    of a hyphenated compound (Hightech-Industrieentwicklungszone) is taken on its own; addresses,
    e-mail, paths and character references (&amp;) are left as they are."""
    if code not in HYPHENATION or not text:
        return text

    def token(match):
        value = match.group(0)
        if len(value) < MIN_HYPHENATED_LENGTH or _NOT_PROSE.search(value):
            return value
        return _LONG_WORD.sub(lambda word: _hyphenated_word(code, word.group(0)), value)

    return _TOKEN.sub(token, text)


def hyphenate_html(markup: str, code: str) -> SafeString:
    """Soft hyphens (hyphenate) in the text of trusted `markup`: never in tags and their attributes,
    comments, or the text of code, pre, script and the like."""
    if code not in HYPHENATION:
        return mark_safe(markup)  # noqa: S308 (trusted markup, unchanged)
    parts = _MARKUP.split(markup)
    verbatim = 0
    for index, part in enumerate(parts):
        if index % 2:  # a tag or a comment
            tag = _TAG_NAME.match(part)
            if tag and tag.group(2).lower() in _VERBATIM and not part.endswith("/>"):
                verbatim = max(verbatim + (-1 if tag.group(1) else 1), 0)
        elif part and not verbatim:
            parts[index] = hyphenate(part, code)
    return mark_safe("".join(parts))  # noqa: S308 (trusted markup; only its text gained soft hyphens)


# A spreadsheet program reads a cell starting with one of these as a formula (=HYPERLINK(…), +cmd|…).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """`value` for a CSV cell: text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
