"""The zones on a map of the SCO region, drawn on the server as SVG.

Nothing is loaded at run time: the country outlines are a committed file (zones/data/base_map.json,
built from Natural Earth by `manage.py build_base_map`), already projected into the two frames
below; a zone is placed from the latitude and longitude its page holds.

- Projection: Lambert conformal conic centred on Central Asia (80° E, standard parallels 20° N and
  50° N), the usual choice for a region wide from west to east in the middle latitudes: shapes
  stay true from Belarus to the Pacific and from Sri Lanka to Siberia.
- Frames: MAIN, the SCO region from Egypt, Turkey and Belarus to the Sea of Japan, from Sri Lanka
  to Siberia; INSET, Shandong around Qingdao, where SCODA and its partner zones lie close together.
  A frame is the rectangle of the projected plane between two corners, scaled to `width` units:
  the same projection in both, so the inset is an enlargement of a rectangle of the main map.
- Markers: numbered links (the same number as the list beside the map), moved apart where they
  would overlap (a line leads back to the true place); labels (the zone's city, in the active
  language) only where they overlap nothing.

Everything here works on plain values (MapZone) and returns strings, so a drawing can be kept
(`draw` is memoised on its arguments) and tested without a database.
"""

import json
import math
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from django.utils.html import escape

DATA_FILE = Path(__file__).resolve().parent / "data" / "base_map.json"


# --- Projection --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LambertConformalConic:
    """Lambert's conformal conic projection of the sphere (Snyder, Map Projections, pp. 104–110),
    onto a plane in units of the Earth's radius, north up."""

    lon0: float  # central meridian
    lat0: float  # latitude of origin
    lat1: float  # standard parallels
    lat2: float
    n: float = field(init=False, repr=False)
    f: float = field(init=False, repr=False)
    rho0: float = field(init=False, repr=False)

    def __post_init__(self):
        phi1, phi2 = math.radians(self.lat1), math.radians(self.lat2)
        n = math.log(math.cos(phi1) / math.cos(phi2)) / math.log(_t(phi2) / _t(phi1))
        f = math.cos(phi1) * _t(phi1) ** n / n
        object.__setattr__(self, "n", n)
        object.__setattr__(self, "f", f)
        object.__setattr__(self, "rho0", f / _t(math.radians(self.lat0)) ** n)

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        # The pole opposite the cone's apex is at infinity: stop just short of it.
        lat = max(-89.9, min(89.9, lat))
        lon = (lon - self.lon0 + 180) % 360 - 180  # the other side of the globe wraps around
        rho = self.f / _t(math.radians(lat)) ** self.n
        theta = self.n * math.radians(lon)
        return rho * math.sin(theta), self.rho0 - rho * math.cos(theta)

    def unproject(self, x: float, y: float) -> tuple[float, float]:
        rho = math.copysign(math.hypot(x, self.rho0 - y), self.n)
        theta = math.atan2(x, self.rho0 - y)
        lat = 2 * math.atan((self.f / rho) ** (1 / self.n)) - math.pi / 2
        return self.lon0 + math.degrees(theta / self.n), math.degrees(lat)

    def as_dict(self) -> dict:
        return {"lon0": self.lon0, "lat0": self.lat0, "lat1": self.lat1, "lat2": self.lat2}


def _t(phi: float) -> float:
    return math.tan(math.pi / 4 + phi / 2)


@dataclass(frozen=True)
class Frame:
    """The rectangle of the projected plane between two corners (longitude, latitude), drawn
    `width` units wide in SVG coordinates (x to the right, y down, origin at the top left)."""

    projection: LambertConformalConic
    south_west: tuple[float, float]
    north_east: tuple[float, float]
    width: float
    left: float = field(init=False, repr=False)
    top: float = field(init=False, repr=False)
    scale: float = field(init=False, repr=False)
    height: float = field(init=False, repr=False)

    def __post_init__(self):
        x0, y0 = self.projection.project(*self.south_west)
        x1, y1 = self.projection.project(*self.north_east)
        scale = self.width / (x1 - x0)
        object.__setattr__(self, "left", x0)
        object.__setattr__(self, "top", y1)
        object.__setattr__(self, "scale", scale)
        object.__setattr__(self, "height", round((y1 - y0) * scale, 1))

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        """SVG coordinates of a place; outside 0…width × 0…height when the place is outside the frame."""
        x, y = self.projection.project(lon, lat)
        return (x - self.left) * self.scale, (self.top - y) * self.scale

    def contains(self, lon: float, lat: float, margin: float = 0) -> bool:
        """Whether a place lies in the frame, `margin` units or more from its edges."""
        x, y = self.point(lon, lat)
        return margin <= x <= self.width - margin and margin <= y <= self.height - margin

    @property
    def view_box(self) -> str:
        return f"0 0 {_num(self.width)} {_num(self.height)}"

    def as_dict(self) -> dict:
        return {"south_west": list(self.south_west), "north_east": list(self.north_east), "width": self.width}


SCO_PROJECTION = LambertConformalConic(lon0=80, lat0=40, lat1=20, lat2=50)
MAIN = Frame(SCO_PROJECTION, south_west=(43.63, -3.02), north_east=(148.6, 50.9), width=1000)
INSET = Frame(SCO_PROJECTION, south_west=(114.0, 34.9), north_east=(123.2, 37.65), width=400)
FRAMES = {"main": MAIN, "inset": INSET}


@cache
def base_map() -> dict:
    """The committed base map: {"main": SVG path data, "inset": …} and what it was built from."""
    with DATA_FILE.open(encoding="utf-8") as file:
        data = json.load(file)
    return data


def base_map_is_current(data: dict) -> bool:
    """Whether the base map was built for the projection and frames this module draws with."""
    return data.get("projection") == SCO_PROJECTION.as_dict() and data.get("frames") == {
        name: frame.as_dict() for name, frame in FRAMES.items()
    }


# --- Zones and their markers ----------------------------------------------------------------------


@dataclass(frozen=True)
class MapZone:
    """What the map shows of one zone (plain values, so that a drawing can be kept)."""

    number: int
    title: str
    url: str
    label: str  # short: the city, in the active language
    description: str  # kind and place, for the marker's tooltip
    lon: float
    lat: float
    kind: str = ""


@dataclass(frozen=True)
class Style:
    """Sizes in a frame's units. On a phone the main map is about a third of its width in pixels:
    map.css enlarges its markers to `phone_radius` there, so markers are kept that far apart."""

    radius: float = 11
    phone_radius: float = 20
    number_size: float = 13
    label_size: float = 17
    gap: float = 3


MAIN_STYLE = Style(radius=12, number_size=14)
INSET_STYLE = Style(radius=10, phone_radius=10, number_size=12, label_size=15)


@dataclass
class Marker:
    zone: MapZone
    x: float  # where the marker is drawn
    y: float
    true_x: float  # where the zone is
    true_y: float


def spread(points: list[tuple[float, float]], distance: float, width: float, height: float, rounds: int = 80):
    """Positions near `points` at least `distance` apart (as far as `rounds` of pushing pairs apart
    gets), kept inside the frame. Two markers at the same place end up side by side."""
    positions = [[x, y] for x, y in points]
    inside = distance / 2
    same_place = 0
    for _ in range(rounds):
        moved = False
        for i in range(len(positions)):
            for j in range(i + 1, len(positions)):
                dx = positions[j][0] - positions[i][0]
                dy = positions[j][1] - positions[i][1]
                gap = math.hypot(dx, dy)
                if gap >= distance - 1e-6:
                    continue
                if gap < 1e-6:  # the same place: the first two side by side, more around them
                    angle = same_place * 2.4
                    same_place += 1
                    dx, dy, gap = math.cos(angle), math.sin(angle), 1.0
                    push = distance / 2
                else:
                    push = (distance - gap) / 2 + 1e-3
                ux, uy = dx / gap, dy / gap
                positions[i][0] -= ux * push
                positions[i][1] -= uy * push
                positions[j][0] += ux * push
                positions[j][1] += uy * push
                moved = True
        for position in positions:
            position[0] = min(max(position[0], inside), width - inside)
            position[1] = min(max(position[1], inside), height - inside)
        if not moved:
            break
    return [(x, y) for x, y in positions]


def text_width(text: str, size: float) -> float:
    """An estimate of a label's width: Chinese characters are square, Latin and Cyrillic narrower."""
    width = 0.0
    for char in text:
        if unicodedata.east_asian_width(char) in ("W", "F"):
            width += 1.0
        elif char.isupper():
            width += 0.68
        elif char == " ":
            width += 0.3
        else:
            width += 0.56
    return width * size


Box = tuple[float, float, float, float]  # left, top, right, bottom


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@dataclass(frozen=True)
class Label:
    x: float
    y: float  # the baseline
    anchor: str  # SVG text-anchor
    text: str
    box: Box  # the space it takes


def place_labels(markers: list[Marker], frame_width: float, frame_height: float, style: Style, obstacles=()):
    """{index of the first marker of a label: Label}: one label per place name
    (two zones in one city share it), beside its markers where it overlaps no marker, no other
    label and stays in the frame; none where nothing fits (the number and the list still name it)."""
    r = style.radius
    taken: list[Box] = [(m.x - r, m.y - r, m.x + r, m.y + r) for m in markers] + list(obstacles)
    groups: dict[str, list[int]] = {}
    for index, marker in enumerate(markers):
        if marker.zone.label:
            groups.setdefault(marker.zone.label, []).append(index)
    labels = {}
    size = style.label_size
    for text, indexes in groups.items():
        # zones far apart that happen to share a city name each get their own label
        for cluster in _near(markers, indexes, 4 * r):
            left = min(markers[i].x for i in cluster) - r
            right = max(markers[i].x for i in cluster) + r
            top = min(markers[i].y for i in cluster) - r
            bottom = max(markers[i].y for i in cluster) + r
            width = text_width(text, size)
            candidates = _label_candidates((left, top, right, bottom), width, size, style.gap)
            for x, y, anchor, box in candidates:
                in_frame = box[0] >= 2 and box[1] >= 2 and box[2] <= frame_width - 2 and box[3] <= frame_height - 2
                if in_frame and not any(_overlaps(box, other) for other in taken):
                    taken.append(box)
                    labels[cluster[0]] = Label(x, y, anchor, text, box)
                    break
    return labels


def _label_candidates(around: Box, width: float, size: float, gap: float) -> list:
    """Right of, left of, above and below a box: (x, baseline, text-anchor, the label's box)."""
    left, top, right, bottom = around
    middle, centre = (top + bottom) / 2, (left + right) / 2
    upper, lower = middle - size / 2, middle + size / 2  # a label beside the box
    start, end = centre - width / 2, centre + width / 2  # a label above or below it
    baseline = middle + size * 0.35
    return [
        (right + gap, baseline, "start", (right + gap, upper, right + gap + width, lower)),
        (left - gap, baseline, "end", (left - gap - width, upper, left - gap, lower)),
        (centre, top - gap - size * 0.2, "middle", (start, top - gap - size, end, top - gap)),
        (centre, bottom + gap + size * 0.8, "middle", (start, bottom + gap, end, bottom + gap + size)),
    ]


def _near(markers: list[Marker], indexes: list[int], distance: float) -> list[list[int]]:
    clusters: list[list[int]] = []
    for index in indexes:
        for cluster in clusters:
            if any(_distance(markers[index], markers[i]) <= distance for i in cluster):
                cluster.append(index)
                break
        else:
            clusters.append([index])
    return clusters


def _distance(a: Marker, b: Marker) -> float:
    return math.hypot(a.x - b.x, a.y - b.y)


def layout(zones: list[MapZone], frame: Frame, style: Style) -> list[Marker]:
    """The markers of the zones in `frame`, moved apart where they would overlap."""
    true = [frame.point(zone.lon, zone.lat) for zone in zones]
    drawn = spread(true, 2 * style.phone_radius + 2, frame.width, frame.height)
    return [Marker(zone, x, y, tx, ty) for zone, (x, y), (tx, ty) in zip(zones, drawn, true, strict=True)]


def on_map(lon: float, lat: float) -> bool:
    """Whether a place is in the region the map shows (a zone elsewhere is not drawn, nor listed
    beside the map: it stays in the pages' own lists)."""
    return MAIN.contains(lon, lat)


def split(zones: list[MapZone]) -> tuple[list[MapZone], list[MapZone]]:
    """(zones on the main map, zones in the inset). The inset is drawn only when two or more
    zones lie in it."""
    inset = [zone for zone in zones if INSET.contains(zone.lon, zone.lat, margin=INSET_STYLE.radius)]
    if len(inset) < 2:
        inset = []
    return [zone for zone in zones if zone not in inset], inset


# --- SVG ---------------------------------------------------------------------------------------


def _num(value: float) -> str:
    """A coordinate with one decimal at most, as short as SVG allows."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _markers_svg(markers: list[Marker], labels: dict, style: Style) -> list[str]:
    parts = []
    for marker in markers:
        if math.hypot(marker.x - marker.true_x, marker.y - marker.true_y) > style.radius / 2:
            parts.append(
                f'<line class="zm-leader" x1="{_num(marker.true_x)}" y1="{_num(marker.true_y)}" '
                f'x2="{_num(marker.x)}" y2="{_num(marker.y)}"/>'
                f'<circle class="zm-spot" cx="{_num(marker.true_x)}" cy="{_num(marker.true_y)}" r="2.5"/>'
            )
    for index, marker in enumerate(markers):
        zone = marker.zone
        # The link's name starts with what it shows, the number and the label (WCAG 2.5.3, label
        # in name: "click 6 Karamay" works by voice); the space between the two <text>s is not
        # drawn but keeps them two words for assistive technology.
        shown = labels[index].text if index in labels else ""
        name = f"{zone.number}. " + (f"{shown}, " if shown and not zone.title.startswith(shown) else "")
        name += zone.title + (f" — {zone.description}" if zone.description else "")
        label = ""
        if shown:
            place = labels[index]
            label = (
                f' <text class="zm-label" x="{_num(place.x)}" y="{_num(place.y)}" text-anchor="{place.anchor}" '
                f'font-size="{_num(style.label_size)}">{escape(place.text)}</text>'
            )
        parts.append(
            f'<a href="{escape(zone.url)}" class="zm-marker zm-{escape(zone.kind)}" aria-label="{escape(name)}">'
            f"<title>{escape(name)}</title>"
            f'<circle class="zm-dot" cx="{_num(marker.x)}" cy="{_num(marker.y)}" r="{_num(style.radius)}"/>'
            f'<text class="zm-num" x="{_num(marker.x)}" y="{_num(marker.y)}" text-anchor="middle" '
            f'dominant-baseline="central" font-size="{_num(style.number_size)}">{zone.number}</text>'
            f"{label}</a>"
        )
    return parts


def _svg(frame: Frame, name: str, css_class: str, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="zone-map-svg {css_class}" viewBox="{frame.view_box}" '
        f'aria-label="{escape(title)}">'
        f'<rect class="zm-sea" width="{_num(frame.width)}" height="{_num(frame.height)}"/>'
        f'<path class="zm-land" fill-rule="evenodd" d="{base_map()[name]}"/>' + "".join(body) + "</svg>"
    )


@dataclass(frozen=True)
class Drawing:
    main: str  # the SVG of the region
    inset: str  # the SVG of the inset, or ""
    inset_numbers: tuple[int, ...]  # the zones drawn in the inset


@lru_cache(maxsize=64)
def draw(zones: tuple[MapZone, ...], main_title: str, inset_title: str) -> Drawing:
    """The main map and, when zones crowd in it, the inset, as SVG strings (kept per arguments:
    the same zones in the same language are drawn once per process)."""
    main_zones, inset_zones = split(list(zones))
    body = []
    if inset_zones:
        # the inset's area on the main map, with a dot where each of its zones lies
        x0, y0 = MAIN.point(*INSET.south_west)
        x1, y1 = MAIN.point(*INSET.north_east)
        body.append(
            f'<rect class="zm-inset-area" x="{_num(x0)}" y="{_num(y1)}" '
            f'width="{_num(x1 - x0)}" height="{_num(y0 - y1)}"/>'
        )
        for zone in inset_zones:
            x, y = MAIN.point(zone.lon, zone.lat)
            body.append(f'<circle class="zm-spot" cx="{_num(x)}" cy="{_num(y)}" r="3"/>')
        obstacles = [(x0, y1, x1, y0)]
    else:
        obstacles = []
    markers = layout(main_zones, MAIN, MAIN_STYLE)
    labels = place_labels(markers, MAIN.width, MAIN.height, MAIN_STYLE, obstacles)
    body += _markers_svg(markers, labels, MAIN_STYLE)
    main = _svg(MAIN, "main", "zone-map-main", main_title, body)
    inset = ""
    if inset_zones:
        markers = layout(inset_zones, INSET, INSET_STYLE)
        labels = place_labels(markers, INSET.width, INSET.height, INSET_STYLE)
        inset = _svg(INSET, "inset", "zone-map-inset", inset_title, _markers_svg(markers, labels, INSET_STYLE))
    return Drawing(
        main=main,
        inset=inset,
        inset_numbers=tuple(zone.number for zone in inset_zones),
    )
