"""The portal's identity: its names (site settings), its emblem and the files made from it.

The emblem is described once, as a few shapes on a 64-unit square (a globe in a gold ring, circled
by a gold route that ends in a hub in the east: a demonstration area linking the SCO region), and drawn from that
one description twice: as SVG markup (the header's brand, templates/includes/brand.html, and the
SVG favicon) and with Pillow (the favicon set, the touch icon, the share cards of
portal/sharecards.py). `manage.py make_identity_assets` writes the static files
(portal/static/portal/img/); they are committed, and tests/test_identity.py checks that they are
what this code draws.
"""

import io
import math
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from PIL import Image, ImageColor, ImageDraw

from portal import i18n

# --- Colours ----------------------------------------------------------------------------------
NAVY = "#0a2b55"
NAVY_LIGHT = "#123a6e"
TEAL = "#0e7490"
GOLD = "#c9a23f"
PALE = "#e8eef6"
#: The browser's theme colour (address bar, tab strip): the emblem's navy.
THEME_COLOR = NAVY

IMG_DIR = Path(__file__).resolve().parent / "static" / "portal" / "img"
#: The static files make_identity_assets writes, by name (under IMG_DIR, static "portal/img/…").
FAVICON_ICO = "favicon.ico"
FAVICON_SVG = "favicon.svg"
TOUCH_ICON = "apple-touch-icon.png"
EMBLEM_SVG = "emblem.svg"
DEFAULT_SHARE_IMAGE = "share-default.png"
ICO_SIZES = (16, 32, 48)
TOUCH_SIZE = 180
#: How long a browser or proxy may keep /favicon.ico without asking again: its address never
#: changes, so not a year; a new emblem reaches visitors within a month.
FAVICON_MAX_AGE = 30 * 24 * 60 * 60


# --- Names ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteNames:
    """The site's full and short name in one language."""

    name: str
    short_name: str


def site_names(request=None) -> SiteNames:
    """The names of the request's site in the active language (Settings → Site settings), each the
    translated default where the setting is empty. Without a site: the defaults.

    Remembered as plain strings until the content next changes (a settings change starts a new
    content generation): the head that shows them is made afresh on some requests (the search,
    addresses the page cache does not know) where the footer's settings come from the cache.
    """
    from django.core.exceptions import DisallowedHost

    from wagtail.models import Site

    from portal import pagecache
    from portal.models import SiteSettings

    site = None
    if request is not None:
        try:
            site = Site.find_for_request(request)
        except DisallowedHost:
            site = None
    if site is None:
        defaults = SiteSettings()
        return SiteNames(defaults.display_name(), defaults.display_short_name())

    def names() -> list[str]:
        site_settings = SiteSettings.for_request(request)
        return [site_settings.display_name(), site_settings.display_short_name()]

    language = translation.get_language() or i18n.default_language()
    return SiteNames(*pagecache.remember(f"site-names:{site.pk}:{language}", names))


# --- The emblem's shapes (units of a 64 × 64 square) -----------------------------------------


@dataclass(frozen=True)
class Shape:
    kind: str  # "rect", "circle", "ellipse", "path"
    color: str
    width: float = 0.0  # stroke width; 0: filled
    cx: float = 32.0
    cy: float = 32.0
    rx: float = 0.0
    ry: float = 0.0
    points: tuple[tuple[float, float], ...] = ()


@dataclass(frozen=True)
class Palette:
    background: str | None
    ring: str
    globe: str
    orbit: str
    hub: str


FULL = Palette(background=NAVY, ring=GOLD, globe=PALE, orbit=GOLD, hub=GOLD)
#: The emblem as a watermark on the share cards: lines a shade lighter than the card's navy.
GHOST = Palette(background=None, ring=NAVY_LIGHT, globe=NAVY_LIGHT, orbit=NAVY_LIGHT, hub=NAVY_LIGHT)

GLOBE_R = 17.0
ORBIT_RX, ORBIT_RY, ORBIT_TILT = 25.0, 8.0, math.radians(-22)
HUB_T = 0.0  # where the hub sits on the orbit: its eastern end (Qingdao, where the routes meet)


def _orbit_point(t: float) -> tuple[float, float]:
    x, y = ORBIT_RX * math.cos(t), ORBIT_RY * math.sin(t)
    cos, sin = math.cos(ORBIT_TILT), math.sin(ORBIT_TILT)
    return (32 + x * cos - y * sin, 32 + x * sin + y * cos)


def _orbit_front(steps: int = 48) -> tuple[tuple[float, float], ...]:
    """The orbit's front half, passing before the globe from its western to its eastern end."""
    return tuple(
        (round(x, 2), round(y, 2)) for x, y in (_orbit_point(math.pi * (1 - i / steps)) for i in range(steps + 1))
    )


def emblem_shapes(palette: Palette = FULL, background: str = "disc", small: bool = False) -> list[Shape]:
    """The emblem as shapes. `background`: "disc" (the header's seal), "square" (icons: the whole
    tile), "none". `small` draws fewer, thicker lines, legible at 16 and 32 pixels."""
    shapes = []
    if palette.background and background == "disc":
        shapes.append(Shape("circle", palette.background, rx=32))
    elif palette.background and background == "square":
        shapes.append(Shape("rect", palette.background, rx=0))
    if small:
        shapes += [
            Shape("circle", palette.ring, width=3.2, rx=28.4),
            Shape("circle", palette.globe, width=4.4, rx=15.5),
            Shape("ellipse", palette.globe, width=3.6, rx=6.2, ry=15.5),
            Shape("path", palette.globe, width=3.6, points=((16.5, 32.0), (47.5, 32.0))),
        ]
        return shapes
    chord = math.sqrt(GLOBE_R**2 - 9**2)
    shapes += [
        Shape("circle", palette.ring, width=1.8, rx=28.6),
        Shape("circle", palette.globe, width=2.2, rx=GLOBE_R),
        Shape("ellipse", palette.globe, width=1.7, rx=7.0, ry=GLOBE_R),
        Shape("path", palette.globe, width=1.7, points=((32 - GLOBE_R, 32.0), (32 + GLOBE_R, 32.0))),
        Shape("path", palette.globe, width=1.4, points=((32 - chord, 23.0), (32 + chord, 23.0))),
        Shape("path", palette.globe, width=1.4, points=((32 - chord, 41.0), (32 + chord, 41.0))),
    ]
    shapes.append(Shape("path", palette.orbit, width=2.4, points=_orbit_front()))
    hub_x, hub_y = _orbit_point(HUB_T)
    if palette.background:
        shapes.append(Shape("circle", palette.background, cx=round(hub_x, 2), cy=round(hub_y, 2), rx=4.4))
    shapes.append(Shape("circle", palette.hub, cx=round(hub_x, 2), cy=round(hub_y, 2), rx=3.1))
    return shapes


# --- SVG ----------------------------------------------------------------------------------------


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _svg_shape(shape: Shape) -> str:
    paint = (
        f'fill="none" stroke="{shape.color}" stroke-width="{_number(shape.width)}"'
        if shape.width
        else f'fill="{shape.color}"'
    )
    if shape.kind == "rect":
        return f'<rect width="64" height="64" {paint}/>'
    if shape.kind == "circle":
        return f'<circle cx="{_number(shape.cx)}" cy="{_number(shape.cy)}" r="{_number(shape.rx)}" {paint}/>'
    if shape.kind == "ellipse":
        return (
            f'<ellipse cx="{_number(shape.cx)}" cy="{_number(shape.cy)}" rx="{_number(shape.rx)}" '
            f'ry="{_number(shape.ry)}" {paint}/>'
        )
    d = "M" + " L".join(f"{_number(x)} {_number(y)}" for x, y in shape.points)
    return f'<path d="{d}" {paint} stroke-linecap="round" stroke-linejoin="round"/>'


def svg(shapes: list[Shape], attributes: str = "") -> str:
    body = "".join(_svg_shape(shape) for shape in shapes)
    return f'<svg {attributes}xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">{body}</svg>'


@cache
def brand_mark() -> SafeString:
    """The emblem inline in the header's brand link: decorative (the name beside it is the link's
    text), so hidden from assistive technology."""
    return mark_safe(  # noqa: S308 (markup made here from numbers and colour constants)
        svg(emblem_shapes(), 'class="brand-mark" aria-hidden="true" width="48" height="48" ')
    )


# --- Pillow -------------------------------------------------------------------------------------


def _rgb(color: str) -> tuple[int, ...]:
    return ImageColor.getrgb(color)


def _draw_shape(draw: ImageDraw.ImageDraw, shape: Shape, scale: float) -> None:
    color = _rgb(shape.color)
    width = max(1, round(shape.width * scale))

    def box(rx, ry):
        return [(shape.cx - rx) * scale, (shape.cy - ry) * scale, (shape.cx + rx) * scale, (shape.cy + ry) * scale]

    if shape.kind == "rect":
        draw.rectangle([0, 0, 64 * scale, 64 * scale], fill=color)
    elif shape.kind in ("circle", "ellipse"):
        ry = shape.ry if shape.kind == "ellipse" else shape.rx
        if shape.width:  # Pillow strokes inwards from the box: widen it by half the stroke
            half = shape.width / 2
            draw.ellipse(box(shape.rx + half, ry + half), outline=color, width=width)
        else:
            draw.ellipse(box(shape.rx, ry), fill=color)
    else:
        points = [(x * scale, y * scale) for x, y in shape.points]
        draw.line(points, fill=color, width=width, joint="curve")
        radius = shape.width * scale / 2
        for x, y in (points[0], points[-1]):  # round caps, as the SVG's
            draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=color)


@lru_cache(maxsize=16)
def emblem_image(size: int, palette: Palette = FULL, background: str = "disc", small: bool = False) -> Image.Image:
    """The emblem as an RGBA image of size × size pixels, drawn three to eight times larger and
    reduced (Pillow draws without anti-aliasing). Kept per process: paste it, never draw on it."""
    factor = max(3, min(8, 2400 // size))  # up to 8 × for icons; a large watermark needs less
    scale = size * factor / 64
    canvas = Image.new("RGBA", (size * factor, size * factor), (0, 0, 0, 0))
    draw = ImageDraw.Draw(canvas)
    for shape in emblem_shapes(palette, background, small):
        _draw_shape(draw, shape, scale)
    return canvas.resize((size, size), Image.Resampling.LANCZOS)


# --- The static files ---------------------------------------------------------------------------


def favicon_ico() -> bytes:
    """favicon.ico: 16, 32 and 48 pixels, each drawn at its size (the small ones simplified)."""
    images = [emblem_image(size, background="square", small=size < 48) for size in ICO_SIZES]
    buffer = io.BytesIO()
    largest = images[-1]
    largest.save(buffer, format="ICO", sizes=[(s, s) for s in ICO_SIZES], append_images=images[:-1])
    return buffer.getvalue()


def touch_icon() -> bytes:
    """The apple-touch-icon: opaque (iOS rounds the corners itself), 180 pixels."""
    image = emblem_image(TOUCH_SIZE, background="square").convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def favicon_svg() -> str:
    """The SVG favicon: the simplified emblem on its square, crisp at any tab size."""
    return svg(emblem_shapes(background="square", small=True)) + "\n"


def emblem_svg() -> str:
    """The emblem alone, for documents and partners (the header inlines the same markup)."""
    return svg(emblem_shapes()) + "\n"


def static_files() -> dict[str, bytes]:
    """{file name in IMG_DIR: content} of everything make_identity_assets writes."""
    from portal import sharecards

    return {
        FAVICON_ICO: favicon_ico(),
        FAVICON_SVG: favicon_svg().encode(),
        EMBLEM_SVG: emblem_svg().encode(),
        TOUCH_ICON: touch_icon(),
        DEFAULT_SHARE_IMAGE: sharecards.default_image_png(),
    }


# --- /favicon.ico -------------------------------------------------------------------------------


@cache
def _favicon() -> bytes:
    return (IMG_DIR / FAVICON_ICO).read_bytes()


@require_safe
def favicon(request):
    """/favicon.ico at the site's root, where browsers and feed readers look for it unasked."""
    response = HttpResponse(_favicon(), content_type="image/x-icon")
    patch_cache_control(response, public=True, max_age=FAVICON_MAX_AGE)
    return response


def language_tag(code: str | None = None) -> str:
    """The BCP 47 tag of a language code (zh-hans → zh-Hans), as text shaping wants it."""
    code = code or translation.get_language() or i18n.default_language()
    language, _, script = code.partition("-")
    return f"{language}-{script.title()}" if len(script) == 4 else code
