"""Building zones/data/base_map.json from Natural Earth's country outlines (manage.py build_base_map).

Not used at run time: the site reads the committed result (zones.map.base_map). The outlines are
projected into each frame of zones.map, clipped to it (with a margin, so that no cut edge shows),
simplified to well under a pixel at the width the map is shown, and written as one SVG path
per frame, every country a closed ring, coordinates rounded to 0.1 unit and relative.
"""

import json
import math
from pathlib import Path

from zones.map import FRAMES, SCO_PROJECTION, Frame

SOURCE_NOTE = (
    "Natural Earth, Admin 0 – Countries, 1:50m (public domain, naturalearthdata.com), projected, "
    "clipped and simplified by manage.py build_base_map"
)
# Only polygons with a point in this box (longitude, latitude) can reach the frames; the others
# (the Americas, Chukotka beyond 180°) are left out before projecting, where they would wrap around.
NEAR = (0.0, -30.0, 180.0, 85.0)
TOLERANCE = {"main": 0.8, "inset": 0.4}  # frame units (main: 1000 wide; inset: 400 wide)
MARGIN = 20  # frame units beyond each edge
MIN_SIZE = 1.5  # rings smaller than this (frame units) are invisible: left out


class SourceError(ValueError):
    """The source file is not Natural Earth's countries as GeoJSON or TopoJSON."""


def read_countries(data: dict) -> list[tuple[str, list[list[list[tuple[float, float]]]]]]:
    """[(name, polygons)] from a GeoJSON FeatureCollection (Natural Earth's own files) or a TopoJSON
    topology with a `countries` object (the world-atlas redistribution); a polygon is a list of rings
    of (longitude, latitude)."""
    if data.get("type") == "Topology":
        return _read_topojson(data)
    if data.get("type") == "FeatureCollection":
        countries = []
        for feature in data.get("features", []):
            properties = feature.get("properties") or {}
            name = properties.get("NAME") or properties.get("name") or properties.get("ADMIN") or ""
            countries.append((name, _polygons(feature.get("geometry") or {})))
        return countries
    raise SourceError("expected a GeoJSON FeatureCollection or a TopoJSON Topology of countries")


def _polygons(geometry: dict) -> list:
    coordinates = geometry.get("coordinates") or []
    if geometry.get("type") == "Polygon":
        coordinates = [coordinates]
    elif geometry.get("type") != "MultiPolygon":
        return []
    return [[[(float(lon), float(lat)) for lon, lat, *_ in ring] for ring in polygon] for polygon in coordinates]


def _read_topojson(data: dict) -> list:
    objects = data.get("objects", {})
    if "countries" not in objects:
        raise SourceError("the TopoJSON file has no `countries` object")
    scale = data.get("transform", {}).get("scale", [1, 1])
    translate = data.get("transform", {}).get("translate", [0, 0])
    arcs = []
    for arc in data["arcs"]:
        x = y = 0
        points = []
        for dx, dy, *_ in arc:  # delta-encoded, quantised
            x, y = x + dx, y + dy
            points.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
        arcs.append(points)

    def ring(indexes):
        points = []
        for index in indexes:
            arc = arcs[index] if index >= 0 else arcs[~index][::-1]
            points.extend(arc[1:] if points else arc)  # consecutive arcs share their end point
        return points

    countries = []
    for geometry in objects["countries"].get("geometries", []):
        kind = geometry.get("type")
        polygons = {"Polygon": [geometry.get("arcs", [])], "MultiPolygon": geometry.get("arcs", [])}.get(kind, [])
        name = (geometry.get("properties") or {}).get("name", "")
        countries.append((name, [[ring(indexes) for indexes in polygon] for polygon in polygons]))
    return countries


def clip(ring: list[tuple[float, float]], left: float, top: float, right: float, bottom: float) -> list:
    """A closed ring cut to a rectangle (Sutherland–Hodgman: a polygon cut by each edge in turn);
    parts outside become runs along the rectangle's edge, which lie outside the drawn frame."""
    edges = [
        (lambda p: p[0] >= left, lambda a, b: _at_x(a, b, left)),
        (lambda p: p[0] <= right, lambda a, b: _at_x(a, b, right)),
        (lambda p: p[1] >= top, lambda a, b: _at_y(a, b, top)),
        (lambda p: p[1] <= bottom, lambda a, b: _at_y(a, b, bottom)),
    ]
    points = list(ring)
    for inside, cross in edges:
        if not points:
            break
        result = []
        previous = points[-1]
        for point in points:
            if inside(point):
                if not inside(previous):
                    result.append(cross(previous, point))
                result.append(point)
            elif inside(previous):
                result.append(cross(previous, point))
            previous = point
        points = result
    return points


def _at_x(a, b, x):
    return x, a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0])


def _at_y(a, b, y):
    return a[0] + (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]), y


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas–Peucker on an open line: the points that keep it within `tolerance` of the original."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        length = math.hypot(bx - ax, by - ay)
        farthest, distance = None, tolerance
        for index in range(first + 1, last):
            px, py = points[index]
            cross = abs((bx - ax) * (ay - py) - (ax - px) * (by - ay))
            d = cross / length if length else math.hypot(px - ax, py - ay)
            if d > distance:
                farthest, distance = index, d
        if farthest is not None:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def simplify_ring(ring: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """A closed ring simplified as two lines, split at the point farthest from its first."""
    if len(ring) < 4:
        return list(ring)
    start = ring[0]
    far = max(range(len(ring)), key=lambda i: math.hypot(ring[i][0] - start[0], ring[i][1] - start[1]))
    return simplify(ring[: far + 1], tolerance)[:-1] + simplify(ring[far:] + [start], tolerance)[:-1]


def _fmt(value: int) -> str:
    """Tenths of a unit as SVG writes them shortest: 12 → "1.2", -5 → "-.5", 30 → "3"."""
    sign = "-" if value < 0 else ""
    whole, tenth = divmod(abs(value), 10)
    if not tenth:
        return f"{sign}{whole}"
    return f"{sign}{whole if whole else ''}.{tenth}"


def path_data(rings: list[list[tuple[float, float]]]) -> str:
    """SVG path data: each ring moved to absolutely, then drawn by relative steps of 0.1 unit."""
    parts = []
    for ring in rings:
        tenths = [(round(x * 10), round(y * 10)) for x, y in ring]
        steps = []
        previous = tenths[0]
        for point in tenths[1:]:
            dx, dy = point[0] - previous[0], point[1] - previous[1]
            if dx or dy:
                steps.append(_pair(dx, dy))
                previous = point
        if len(steps) < 2:
            continue
        parts.append(f"M{_pair(*tenths[0])}l" + _join(steps) + "z")
    return "".join(parts)


def _pair(x: int, y: int) -> str:
    second = _fmt(y)
    return _fmt(x) + (second if second.startswith("-") else " " + second)


def _join(pairs: list[str]) -> str:
    """Pairs written one after the other, a space only where the next does not start with a sign."""
    text = pairs[0]
    for pair in pairs[1:]:
        text += pair if pair.startswith("-") else " " + pair
    return text


def frame_rings(countries, frame: Frame, tolerance: float) -> list[list[tuple[float, float]]]:
    """Every country ring that shows in `frame`, projected, clipped and simplified."""
    rings = []
    box = (-MARGIN, -MARGIN, frame.width + MARGIN, frame.height + MARGIN)
    for _name, polygons in countries:
        for polygon in polygons:
            if not any(_near(ring) for ring in polygon):
                continue
            for ring in polygon:
                projected = [frame.point(lon, lat) for lon, lat in ring]
                if len(projected) > 1 and projected[0] == projected[-1]:
                    projected.pop()
                cut = clip(projected, *box)
                if len(cut) < 3:
                    continue
                xs, ys = [p[0] for p in cut], [p[1] for p in cut]
                if max(xs) - min(xs) < MIN_SIZE and max(ys) - min(ys) < MIN_SIZE:
                    continue
                simple = simplify_ring(cut, tolerance)
                if len(simple) >= 3:
                    rings.append(simple)
    return rings


def _near(ring) -> bool:
    west, south, east, north = NEAR
    return any(west <= lon <= east and south <= lat <= north for lon, lat in ring)


def build(source: Path) -> dict:
    """The base map data for every frame of zones.map, from a Natural Earth countries file."""
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceError(f"cannot read {source}: {exc}") from exc
    countries = read_countries(data)
    if not countries:
        raise SourceError(f"{source} holds no countries")
    result = {
        "source": SOURCE_NOTE,
        "projection": SCO_PROJECTION.as_dict(),
        "frames": {name: frame.as_dict() for name, frame in FRAMES.items()},
    }
    for name, frame in FRAMES.items():
        result[name] = path_data(frame_rings(countries, frame, TOLERANCE[name]))
    return result
