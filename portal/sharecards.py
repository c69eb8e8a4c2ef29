"""Share cards: a page's title, in the page's language, on a branded 1200 × 630 picture, for the
og:image of pages that have no picture of their own (a link shared in WeChat, Telegram or X shows
it).

Drawn the way Wagtail makes an image rendition from a signed URL: the page's head only names the
card (/share-cards/<page id>/<language>/<digest>.png, the digest of everything drawn on it and of
the design's version), which costs no drawing and no font; the card is made with Pillow the first
time that address is fetched (by a chat app's crawler, usually) and kept in the media storage
(Django's default storage: MEDIA_ROOT, or the S3 bucket) under sharecards/<language>/<digest>.png,
so every later fetch, from any worker, reads the file. The same title gives the same card, made
once; a new title gives a new address, and an old address leads to the current card. Drafts
(previews), unpublished and private pages never get a card, by the head or by a crafted address:
their head shows the default share image, which has no title on it.

The text is set in a CJK font that covers Latin and Cyrillic too (Noto Sans CJK, Debian's
fonts-noto-cjk), found at its usual path or through fontconfig, or named by SHARE_CARD_FONT.
Without it, pages share the default image and the system check portal.W001 says why.
"""

import hashlib
import io
import json
import logging
import shutil
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core import checks
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import reverse
from django.utils import formats, translation
from django.utils.cache import patch_cache_control
from django.utils.text import capfirst

from PIL import Image, ImageDraw, ImageFont, features

from portal import i18n, identity
from portal.fontmap import Coverage

logger = logging.getLogger(__name__)

WIDTH, HEIGHT = 1200, 630
#: Part of every card's name: raise it when the drawing changes, and every page gets a new card.
DESIGN_VERSION = 1
DIRECTORY = "sharecards"
#: Where Debian's fonts-noto-cjk puts the bold face (SHARE_CARD_FONT empty: looked for here first).
KNOWN_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
FONTCONFIG_PATTERN = "Noto Sans CJK SC:bold"
#: Characters the font must have for the check to pass: Chinese, Cyrillic and German.
SAMPLE_TEXT = "上合示范区经贸合作Демонстрационнаязонаß"

MARGIN = 72
TEXT_WIDTH = WIDTH - 2 * MARGIN
TITLE_TOP, TITLE_BOTTOM = 212, 532
TITLE_SIZES = (76, 70, 64, 58, 52, 46, 40)
TITLE_MAX_LINES = 5
LINE_HEIGHT = 1.3
MARK_SIZE = 96
LABEL_SEPARATOR = " · "

# Line breaking: Chinese (and Japanese, Korean) text may break between any two characters but for
# punctuation that must not start a line (closing marks) or end one (opening marks); other scripts
# break at spaces and after a hyphen inside a compound, never inside a word.
_CLOSING = set("，。、：；！？）」』》】〕〉”’…‥·・,.;:!?)]}%‰")
_OPENING = set("（「『《【〔〈“‘([{")
_HYPHENS = set("-‐–")


def _breaks_anywhere(char: str) -> bool:
    return bool(
        i18n.HAN.match(char)
        or "\u3000" <= char <= "\u30ff"  # CJK punctuation, kana
        or "\uac00" <= char <= "\ud7af"  # hangul
        or "\uff00" <= char <= "\uffef"  # full-width forms
    )


# --- The font -----------------------------------------------------------------------------------


def font_path() -> str | None:
    """The font file share cards are set in, or None when there is none."""
    return _font_path(getattr(settings, "SHARE_CARD_FONT", "") or "")


@lru_cache(maxsize=4)
def _font_path(configured: str) -> str | None:
    if configured:
        return configured if Path(configured).is_file() else None
    if Path(KNOWN_FONT).is_file():
        return KNOWN_FONT
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        found = subprocess.run(  # noqa: S603 (a fixed program and pattern)
            [fc_match, "-f", "%{file}", FONTCONFIG_PATTERN], capture_output=True, text=True, timeout=10, check=False
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return found if found and Path(found).is_file() else None


@lru_cache(maxsize=4)
def _face_index(path: str) -> int:
    """The face of a font collection (.ttc) for Simplified Chinese, else the first."""
    for index in range(16):
        try:
            family, _style = ImageFont.truetype(path, 12, index=index).getname()
        except OSError:
            break
        if family and family.endswith(" SC"):
            return index
    return 0


@lru_cache(maxsize=32)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, index=_face_index(path))


@lru_cache(maxsize=4)
def covered(path: str) -> Coverage:
    """The code points the font has a glyph for (its character map), read in a child process
    (portal/fontmap.py says why); `ord(char) in covered(path)`."""
    result = subprocess.run(  # noqa: S603 (this interpreter, a module of the project, a font path)
        [sys.executable, "-m", "portal.fontmap", path, str(_face_index(path))],
        capture_output=True,
        timeout=60,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )
    if result.returncode:
        raise OSError(f"cannot read the character map of {path}: {result.stderr.decode(errors='replace')[-300:]}")
    return Coverage(result.stdout)


def drawable(text: str, path: str) -> str:
    """`text` without the characters the font lacks (they would be drawn as boxes), spaces evened."""
    codes = covered(path)
    kept = "".join(char if char.isspace() or ord(char) in codes else " " for char in text)
    return " ".join(kept.split())


def check_font(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """portal.W001: share cards need a font with Chinese, Cyrillic and Latin glyphs."""
    configured = getattr(settings, "SHARE_CARD_FONT", "") or ""
    path = font_path()
    hint = (
        "Install the Noto CJK fonts (Debian: apt-get install fonts-noto-cjk) or set SHARE_CARD_FONT to the "
        "path of a font file with Chinese, Cyrillic and Latin glyphs."
    )
    if path is None:
        where = f"SHARE_CARD_FONT={configured!r} is not a file" if configured else f"{KNOWN_FONT} is missing"
        return [
            checks.Warning(
                f"No font for share cards ({where}): pages without an image of their own share the default image.",
                hint=hint,
                id="portal.W001",
            )
        ]
    try:
        missing = sorted({char for char in SAMPLE_TEXT if ord(char) not in covered(path)})
    except Exception as exc:  # not a font fontTools can read
        return [checks.Warning(f"The share card font {path} cannot be read: {exc}", hint=hint, id="portal.W001")]
    if missing:
        return [
            checks.Warning(
                f"The share card font {path} lacks {''.join(missing)!r}: titles in those scripts lose characters.",
                hint=hint,
                id="portal.W001",
            )
        ]
    return []


# --- Laying text out ----------------------------------------------------------------------------


@dataclass
class Unit:
    """A piece of text no line may break inside, and whether a space comes before it."""

    text: str
    space_before: bool


def units(text: str) -> list[Unit]:
    """`text` cut where a line may break (see _breaks_anywhere, _CLOSING, _OPENING)."""
    pieces: list[Unit] = []
    word, space = "", False

    def flush():
        nonlocal word, space
        if word:
            pieces.append(Unit(word, space))
            word, space = "", False

    for char in text:
        if char.isspace():
            flush()
            space = bool(pieces)
        elif _breaks_anywhere(char):
            if char in _OPENING:  # stays with what follows
                flush()
                word = char
            elif char in _CLOSING or (word and word[-1] in _OPENING):
                # a closing mark stays with what precedes (joined below when it starts a piece),
                # a character with the opening mark before it
                word += char
                flush()
            else:
                flush()
                word = char
                flush()
        else:
            word += char
            if char in _HYPHENS and len(word) > 1:  # a compound may break after its hyphen
                flush()
    flush()
    joined: list[Unit] = []
    for unit in pieces:
        if joined and not unit.space_before and (unit.text[0] in _CLOSING or joined[-1].text[-1] in _OPENING):
            joined[-1] = Unit(joined[-1].text + unit.text, joined[-1].space_before)
        elif joined and unit.space_before and _is_one_letter(joined[-1].text):
            # a one-letter word (Russian в, и, с; English a) never ends a line: it goes with the next
            joined[-1] = Unit(joined[-1].text + " " + unit.text, joined[-1].space_before)
        else:
            joined.append(unit)
    return joined


def _is_one_letter(text: str) -> bool:
    return len(text) == 1 and text.isalpha() and not _breaks_anywhere(text)


def _line_text(line: list[Unit]) -> str:
    return "".join((" " if unit.space_before and position else "") + unit.text for position, unit in enumerate(line))


def wrap(pieces: list[Unit], font: ImageFont.FreeTypeFont, width: float) -> list[str] | None:
    """The lines `pieces` make in `width` pixels, filled greedily; None when a piece is wider."""
    lines: list[list[Unit]] = []
    line: list[Unit] = []
    for unit in pieces:
        if font.getlength(unit.text) > width:
            return None
        if line and font.getlength(_line_text([*line, unit])) > width:
            lines.append(line)
            line = [Unit(unit.text, False)]
        else:
            line.append(unit if line else Unit(unit.text, False))
    if line:
        lines.append(line)
    return [_line_text(line) for line in lines]


def shorten(pieces: list[Unit], font: ImageFont.FreeTypeFont, width: float, max_lines: int) -> list[str]:
    """The lines of `pieces`, at most `max_lines`, the last ending in "…" after a whole piece when
    the text is longer."""
    lines = wrap(pieces, font, width) or []
    if len(lines) <= max_lines:
        return lines
    kept = list(pieces)
    while kept:
        kept.pop()
        candidate = wrap([*kept, Unit("…", False)], font, width) or []
        if len(candidate) <= max_lines:
            return candidate
    return ["…"]


def fit(text: str, path: str, width: float = TEXT_WIDTH, height: float = TITLE_BOTTOM - TITLE_TOP):
    """(font, lines) for a title: the largest of TITLE_SIZES at which it fits whole in the area;
    else the smallest, shortened. A word wider than a line at the smallest size is set smaller."""
    pieces = units(text)
    for size in TITLE_SIZES:
        font = _font(path, size)
        max_lines = min(TITLE_MAX_LINES, int(height // (size * LINE_HEIGHT)))
        lines = wrap(pieces, font, width)
        if lines is not None and len(lines) <= max_lines:
            return font, lines
    size = TITLE_SIZES[-1]
    longest = max((unit.text for unit in pieces), key=_font(path, size).getlength, default="")
    while size > 12 and _font(path, size).getlength(longest) > width:
        size -= 2
    font = _font(path, size)
    return font, shorten(pieces, font, width, min(TITLE_MAX_LINES, int(height // (size * LINE_HEIGHT))))


# --- Drawing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Card:
    """Everything a share card shows; its file name is a digest of this and the design's version."""

    title: str
    language: str
    site_name: str
    short_name: str
    label: str = ""

    def digest(self, path: str) -> str:
        parts = [DESIGN_VERSION, self.title, self.language, self.site_name, self.short_name, self.label, path]
        return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()[:32]

    def file_name(self, path: str) -> str:
        return f"{DIRECTORY}/{self.language}/{self.digest(path)}.png"


def _text(draw, position, text, font, fill, language):
    options = {"language": identity.language_tag(language)} if features.check("raqm") else {}
    draw.text(position, text, font=font, fill=fill, anchor="ls", **options)


@lru_cache(maxsize=2)
def _ground(ghost: bool) -> Image.Image:
    return _draw_ground(ghost)


def _background(ghost: bool = True) -> Image.Image:
    """A copy of the card's ground, drawn once per process (the large emblem takes a second)."""
    return _ground(ghost).copy()


def _draw_ground(ghost: bool) -> Image.Image:
    """The card's ground: navy, the emblem's lines large and faint on the right, a gold rule below."""
    image = Image.new("RGB", (WIDTH, HEIGHT), identity.NAVY)
    if ghost:
        mark = identity.emblem_image(760, palette=identity.GHOST, background="none")
        image.paste(mark, (WIDTH - 470, (HEIGHT - 760) // 2), mark)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, HEIGHT - 10, WIDTH, HEIGHT], fill=identity.GOLD)
    return image


def _masthead(image: Image.Image, path: str, name: str, short_name: str, language: str) -> None:
    """The emblem, the short name and the full name along the top."""
    mark = identity.emblem_image(MARK_SIZE)
    image.paste(mark, (MARGIN, 56), mark)
    draw = ImageDraw.Draw(image)
    left = MARGIN + MARK_SIZE + 28
    _text(draw, (left, 56 + 36), short_name, _font(path, 34), identity.PALE, language)
    small = _font(path, 22)
    for number, line in enumerate(shorten(units(name), small, WIDTH - MARGIN - left, 2)):
        _text(draw, (left, 56 + 72 + number * 30), line, small, "#b9c7da", language)


def png(image: Image.Image) -> bytes:
    """The card as PNG with 128 colours: flat colours and smooth text look the same as in full
    colour, at a third of the size (about 40 KB), which chat apps fetch faster."""
    buffer = io.BytesIO()
    image.quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(buffer, format="PNG")
    return buffer.getvalue()


def _label(draw, label: str, font, language: str) -> None:
    """The page's kind and date along the bottom, parted by a gold dot (the font's middle dot is
    full-width in a CJK face)."""
    x, y = MARGIN, HEIGHT - 48
    for number, part in enumerate(label.split(LABEL_SEPARATOR)):
        if number:
            centre = y - font.size * 0.33
            draw.ellipse([x + 14, centre - 3.5, x + 21, centre + 3.5], fill=identity.GOLD)
            x += 35
        lines = shorten(units(part), font, WIDTH - MARGIN - x, 1)
        if not lines:
            break
        _text(draw, (x, y), lines[0], font, identity.GOLD, language)
        x += font.getlength(lines[0])


def render(card: Card, path: str) -> bytes:
    """The card as PNG bytes."""
    image = _background()
    _masthead(image, path, card.site_name, card.short_name, card.language)
    draw = ImageDraw.Draw(image)
    draw.rectangle([MARGIN, TITLE_TOP - 30, MARGIN + 96, TITLE_TOP - 24], fill=identity.GOLD)
    font, lines = fit(drawable(card.title, path), path)
    size = font.size
    step = size * LINE_HEIGHT
    block = step * (len(lines) - 1) + size
    top = TITLE_TOP + max(0, (TITLE_BOTTOM - TITLE_TOP - block) / 2)
    for number, line in enumerate(lines):
        _text(draw, (MARGIN, top + size * 0.88 + number * step), line, font, "#ffffff", card.language)
    if card.label:
        _label(draw, card.label, _font(path, 28), card.language)
    return png(image)


def default_image_png() -> bytes:
    """The default share image (static, portal/img/share-default.png): the emblem and the site's
    standard names in Chinese and English, for views that are not pages and pages without a card."""
    from portal.models import SiteSettings

    path = font_path()
    if path is None:
        raise RuntimeError(check_font()[0].msg)
    names = {}
    for code in ("zh-hans", "en"):
        with translation.override(code):
            names[code] = str(SiteSettings.DEFAULT_SITE_NAME)
    image = _background(ghost=False)
    mark = identity.emblem_image(260)
    image.paste(mark, (MARGIN, (HEIGHT - 260) // 2 - 10), mark)
    draw = ImageDraw.Draw(image)
    left = MARGIN + 260 + 64
    width = WIDTH - MARGIN - left
    # The Chinese name on one line if it fits at 38 px or more (a break inside it would cut a word).
    zh_size = next((size for size in range(52, 37, -2) if _font(path, size).getlength(names["zh-hans"]) <= width), 38)
    zh_font, en_font = _font(path, zh_size), _font(path, 30)
    zh_lines = shorten(units(names["zh-hans"]), zh_font, width, 2)
    en_lines = shorten(units(names["en"]), en_font, width, 3)
    zh_step, en_step, rule_gap = round(zh_size * 1.3), 42, 34
    block = (len(zh_lines) - 1) * zh_step + zh_size + 2 * rule_gap + (len(en_lines) - 1) * en_step + 30
    y = (HEIGHT - block) / 2 + zh_size * 0.88
    for line in zh_lines:
        _text(draw, (left, y), line, zh_font, "#ffffff", "zh-hans")
        y += zh_step
    rule = y - zh_step + zh_size * 0.12 + rule_gap - 3
    draw.rectangle([left, rule, left + 96, rule + 6], fill=identity.GOLD)
    y = rule + 3 + rule_gap + 30 * 0.88
    for line in en_lines:
        _text(draw, (left, y), line, en_font, identity.PALE, "en")
        y += en_step
    return png(image)


# --- Cards for pages ----------------------------------------------------------------------------


def page_label(page) -> str:
    """The kind of page and its date in the active language ("News article · 9 March 2021"): for the
    types the search lists as their own (articles, zones, visits), not for the home and index pages."""
    parts = []
    if getattr(page, "search_label", None):
        parts.append(capfirst(str(page._meta.verbose_name)))
    date = getattr(page, "sort_date", None)
    if date:
        parts.append(formats.date_format(date, "DATE_FORMAT"))
    return LABEL_SEPARATOR.join(parts)


def card_for(page, request) -> Card | None:
    """The card of a live, public page as a visitor of the active language sees it; None for a
    preview (a draft), a page not live, a private page (public ones only: nobody may read a private
    page's title in a picture at a public address), or without the font."""
    from portal.models import is_public

    if getattr(request, "is_preview", False) or not getattr(page, "live", False) or not is_public(page):
        return None
    if font_path() is None:
        return None
    title = " ".join(unicodedata.normalize("NFC", page.seo_title or page.title or "").split())
    if not title:
        return None
    names = identity.site_names(request)
    language = translation.get_language() or i18n.default_language()
    return Card(title, language, names.name, names.short_name, page_label(page))


def page_card(page, request) -> dict | None:
    """og:image of a page without a picture of its own: {url, width, height, alt}, or None. Names
    the card only; serve() draws it when it is first fetched."""
    card = card_for(page, request)
    if card is None:
        return None
    url = request.build_absolute_uri(card_url(page, card))
    return {"url": url, "width": WIDTH, "height": HEIGHT, "alt": card.title}


def card_url(page, card: Card) -> str:
    return reverse("share_card", args=[page.pk, card.language, card.digest(font_path())])


#: A card's address names what is drawn on it: it never changes, browsers and proxies may keep it.
CARD_MAX_AGE = 365 * 24 * 3600


def serve(request, page_id: int, language: str, digest: str):
    """/share-cards/<page id>/<language>/<digest>.png: the page's card, drawn and stored on the first
    fetch, read from the storage after. 404 for a page that is not live and public (a crafted
    address learns nothing), a redirect to the current card for an old digest, the default image
    when drawing fails."""
    from wagtail.models import Page

    if language not in i18n.language_codes():
        raise Http404("no such language")
    page = Page.objects.live().filter(pk=page_id).specific().first()
    if page is None:
        raise Http404("no such page")
    with translation.override(language):
        card = card_for(page, request)
    if card is None:
        raise Http404("this page has no share card")
    path = font_path()
    if card.digest(path) != digest:
        return HttpResponseRedirect(card_url(page, card))
    content = stored(card.file_name(path), lambda: render(card, path))
    if content is None:
        return HttpResponseRedirect(default_image(request)["url"])
    response = HttpResponse(content, content_type="image/png")
    patch_cache_control(response, public=True, max_age=CARD_MAX_AGE, immutable=True)
    return response


def stored(name: str, make) -> bytes | None:
    """The media file `name`, made with make() and saved first if the storage lacks it; the drawn
    bytes when only saving fails (logged); None when drawing fails (logged)."""
    try:
        with default_storage.open(name, "rb") as file:
            return file.read()
    except FileNotFoundError:
        pass
    except Exception:
        logger.exception("share card %s could not be read", name)
    try:
        content = make()
    except Exception:
        logger.exception("share card %s could not be drawn", name)
        return None
    try:
        saved = default_storage.save(name, ContentFile(content))
        if saved != name:  # another process saved it meanwhile: keep one copy
            default_storage.delete(saved)
    except Exception:
        logger.exception("share card %s could not be stored", name)
    return content


def default_image(request) -> dict:
    """og:image of views that are not pages, and of pages that get no card."""
    try:
        url = static(f"portal/img/{identity.DEFAULT_SHARE_IMAGE}")
    except ValueError:  # the static files' manifest lacks it (collectstatic not run): the plain name
        url = settings.STATIC_URL + f"portal/img/{identity.DEFAULT_SHARE_IMAGE}"
    return {
        "url": request.build_absolute_uri(url),
        "width": WIDTH,
        "height": HEIGHT,
        "alt": identity.site_names(request).name,
    }
