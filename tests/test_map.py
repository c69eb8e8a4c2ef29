"""The zone map: its projection and frames, the committed base map, the drawing, the {% zone_map %}
tag (only public zones with coordinates, in every language, no query per zone), valid HTML, and how
it looks and reads in Chromium."""

import json
import math
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from decimal import Decimal
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext as _

from wagtail.models import PageViewRestriction

import pytest

from portal import pagecache
from tests.browser import ARTIFACTS, SHOTS
from tests.factories import ZonePageFactory, build_site
from tests.helpers import LANGUAGES, url_in
from zones import basemap
from zones.map import (
    FRAMES,
    INSET,
    MAIN,
    MAIN_STYLE,
    SCO_PROJECTION,
    MapZone,
    Marker,
    base_map,
    base_map_is_current,
    draw,
    on_map,
    place_labels,
    spread,
    text_width,
)

SVG = "{http://www.w3.org/2000/svg}"
QINGDAO = (120.38, 36.07)
MOSCOW = (37.62, 55.75)


# --- Projection and frames ---------------------------------------------------------------------


def test_known_places_land_where_expected():
    """Within a pixel: the main map is 1000 units wide and never shown wider than 1000 px."""
    x, y = MAIN.point(*QINGDAO)
    assert (x, y) == pytest.approx((885.93, 274.99), abs=0.5)
    x, y = MAIN.point(*MOSCOW)
    assert (x, y) == pytest.approx((223.04, 52.56), abs=0.5)
    # the inset is an enlargement of the same projection: Qingdao right of its middle
    assert INSET.point(*QINGDAO) == pytest.approx((303.0, 163.07), abs=0.5)


def test_the_projection_is_conformal_and_true_on_its_standard_parallels():
    """What makes it Lambert's conformal conic: the same scale along the meridian and the parallel
    at every point, and scale 1 (on the unit sphere) on both standard parallels."""
    step = 1e-5

    def scales(lon, lat):
        x0, y0 = SCO_PROJECTION.project(lon, lat)
        x1, y1 = SCO_PROJECTION.project(lon, lat + step)
        x2, y2 = SCO_PROJECTION.project(lon + step, lat)
        along_meridian = math.hypot(x1 - x0, y1 - y0) / math.radians(step)
        along_parallel = math.hypot(x2 - x0, y2 - y0) / (math.radians(step) * math.cos(math.radians(lat)))
        return along_meridian, along_parallel

    for lon, lat in [QINGDAO, MOSCOW, (80, 40), (31.24, 30.04), (79.85, 6.93)]:
        meridian, parallel = scales(lon, lat)
        assert meridian == pytest.approx(parallel, rel=1e-4)
    for lat in (SCO_PROJECTION.lat1, SCO_PROJECTION.lat2):
        assert scales(100, lat)[0] == pytest.approx(1, rel=1e-4)
    assert scales(100, 35)[0] < 1 < scales(100, 60)[0]  # smaller between the standard parallels
    # north is up on the central meridian, and meridians converge northwards
    assert SCO_PROJECTION.project(80, 50)[0] == pytest.approx(0)
    assert SCO_PROJECTION.project(80, 50)[1] > SCO_PROJECTION.project(80, 30)[1]
    assert abs(SCO_PROJECTION.project(110, 60)[0]) < abs(SCO_PROJECTION.project(110, 20)[0])


def test_unproject_inverts_project():
    for lon, lat in [QINGDAO, MOSCOW, (27.57, 53.9), (79.85, 6.93), (-74, 40.7)]:
        assert SCO_PROJECTION.unproject(*SCO_PROJECTION.project(lon, lat)) == pytest.approx((lon, lat), abs=1e-9)


def test_frame_corners_are_the_corners_of_the_drawing():
    for frame in FRAMES.values():
        assert frame.point(*frame.south_west) == pytest.approx((0, frame.height), abs=0.1)
        assert frame.point(*frame.north_east) == pytest.approx((frame.width, 0), abs=1e-6)
        assert frame.view_box == f"0 0 {frame.width} {frame.height:g}"
    # the main map is landscape, the region from Egypt, Turkey and Belarus to Japan, Sri Lanka to Siberia
    assert MAIN.width > MAIN.height > 0.6 * MAIN.width
    for place in [(27.57, 53.9), (32.86, 39.93), (31.24, 30.04), (79.85, 6.93), (106.9, 47.9), (131.9, 43.1)]:
        assert MAIN.contains(*place, margin=20), place
    # every place the benchmark site gives a zone (22–48° N, 75–125° E) is on the map
    for lon in (75, 100, 125):
        for lat in (22, 35, 48):
            assert on_map(lon, lat)


def test_places_outside_the_region_are_off_the_frame():
    for place in [(-74, 40.7), (-0.13, 51.5), (151.2, -33.9), (0, -90), (0, 90), (200, 40), (-180, 0)]:
        x, y = MAIN.point(*place)
        assert math.isfinite(x) and math.isfinite(y), place
        assert not on_map(*place), place
        assert not (0 <= x <= MAIN.width and 0 <= y <= MAIN.height), place
    # longitudes wrap: 480° E is 120° E
    assert MAIN.point(480, 36) == pytest.approx(MAIN.point(120, 36))


# --- The base map ------------------------------------------------------------------------------


def test_the_committed_base_map_fits_the_projection_and_is_small():
    data = base_map()
    assert base_map_is_current(data), "zones/data/base_map.json is out of date: run manage.py build_base_map"
    assert "Natural Earth" in data["source"]
    assert basemap.__file__  # the builder exists beside it
    size = Path(basemap.__file__).parent.joinpath("data", "base_map.json").stat().st_size
    assert size < 120_000
    for name in FRAMES:
        assert re.fullmatch(r"(M[-\d. ]+l[-\d. ]+z)+", data[name]), name
    assert len(data["main"]) > 20_000  # dozens of countries, not an empty file
    changed = dict(data, projection=dict(data["projection"], lon0=90))
    assert not base_map_is_current(changed)


def test_clip_keeps_what_is_inside_and_cuts_at_the_edge():
    square = [(-5, -5), (5, -5), (5, 5), (-5, 5)]
    assert sorted(basemap.clip(square, 0, 0, 10, 10)) == [(0, 0), (0, 5), (5, 0), (5, 5)]
    assert basemap.clip([(20, 20), (30, 20), (30, 30)], 0, 0, 10, 10) == []
    inside = [(1, 1), (2, 1), (2, 2)]
    assert basemap.clip(inside, 0, 0, 10, 10) == inside


def test_simplify_drops_points_within_the_tolerance_only():
    line = [(0, 0), (1, 0.05), (2, -0.05), (3, 0), (4, 3), (5, 0)]
    assert basemap.simplify(line, 0.1) == [(0, 0), (3, 0), (4, 3), (5, 0)]
    assert basemap.simplify(line, 10) == [(0, 0), (5, 0)]
    ring = [(0, 0), (5, 0.01), (10, 0), (10, 10), (0, 10)]
    assert basemap.simplify_ring(ring, 0.5) == [(0, 0), (10, 0), (10, 10), (0, 10)]


def test_path_data_is_relative_in_tenths():
    assert basemap.path_data([[(1, 2), (3.04, 2), (3.5, -0.5), (1, -0.5)]]) == "M1 2l2 0 .5-2.5-2.5 0z"
    assert basemap.path_data([[(1, 1), (1.01, 1.01)]]) == ""  # nothing left to draw


def test_build_reads_geojson_and_topojson(tmp_path):
    ring = [[118, 35], [121, 35], [121, 37], [118, 37], [118, 35]]
    far = [[-80, 10], [-79, 10], [-79, 11], [-80, 10]]
    geojson = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"NAME": name}, "geometry": {"type": "Polygon", "coordinates": [points]}}
            for name, points in [("Square", ring), ("Far", far)]
        ],
    }  # fmt: skip
    source = tmp_path / "countries.geojson"
    source.write_text(json.dumps(geojson))
    data = basemap.build(source)
    assert base_map_is_current(data)
    assert data["main"].count("M") == 1 and data["inset"].count("M") == 1  # the far polygon is left out
    # the same square as TopoJSON: one arc, delta-encoded, scaled
    topology = {
        "type": "Topology",
        "transform": {"scale": [1, 1], "translate": [118, 35]},
        "arcs": [[[0, 0], [3, 0], [0, 2], [-3, 0], [0, -2]]],
        "objects": {"countries": {"type": "GeometryCollection", "geometries": [{"type": "Polygon", "arcs": [[0]]}]}},
    }
    countries = basemap.read_countries(topology)
    assert countries[0][1] == [[[(118, 35), (121, 35), (121, 37), (118, 37), (118, 35)]]]
    with pytest.raises(basemap.SourceError):
        basemap.read_countries({"type": "Feature"})
    source.write_text("{not json")
    with pytest.raises(basemap.SourceError, match="cannot read"):
        basemap.build(source)


def test_build_base_map_command(tmp_path):
    source = tmp_path / "countries.geojson"
    square = [[[100, 30], [110, 30], [110, 40], [100, 40], [100, 30]]]
    geometry = {"type": "Polygon", "coordinates": square}
    feature = {"type": "Feature", "properties": {"NAME": "Square"}, "geometry": geometry}
    source.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    output = tmp_path / "base_map.json"
    out = StringIO()
    call_command("build_base_map", str(source), output=str(output), stdout=out)
    assert f"Wrote {output}" in out.getvalue()
    assert base_map_is_current(json.loads(output.read_text()))
    with pytest.raises(CommandError, match="cannot read"):
        call_command("build_base_map", str(tmp_path / "missing.geojson"), output=str(output))
    source.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    with pytest.raises(CommandError, match="no countries"):
        call_command("build_base_map", str(source), output=str(output))


# --- The drawing -------------------------------------------------------------------------------


def map_zone(number, lon, lat, label="", title=None, kind="city"):
    return MapZone(
        number=number,
        title=title or f"Zone {number}",
        url=f"/en/zones/{number}/",
        label=label,
        description="City, Somewhere",
        lon=lon,
        lat=lat,
        kind=kind,
    )


def links(svg: str) -> list:
    return ET.fromstring(svg).findall(f".//{SVG}a") if svg else []


def test_the_drawing_is_svg_with_one_link_per_zone():
    zones = (
        map_zone(1, *QINGDAO, label="Qingdao", kind="demonstration_area"),
        map_zone(2, 118.05, 36.81, label="Zibo"),
        map_zone(3, 106.6, 29.65, label="Chongqing"),
        map_zone(4, 106.6, 29.65, label="Chongqing"),  # the same place
        map_zone(5, *MOSCOW, label="Moscow"),
    )
    drawing = draw(zones, "Map", "Detail")
    main, inset = ET.fromstring(drawing.main), ET.fromstring(drawing.inset)
    assert main.get("viewBox") == MAIN.view_box and inset.get("viewBox") == INSET.view_box
    hrefs = [a.get("href") for a in links(drawing.main)] + [a.get("href") for a in links(drawing.inset)]
    assert sorted(hrefs) == [f"/en/zones/{n}/" for n in range(1, 6)]
    assert drawing.inset_numbers == (1, 2)  # two zones in Shandong: the inset shows them
    for a in links(drawing.main) + links(drawing.inset):
        number, *label = [t.text for t in a.iter(f"{SVG}text")]
        assert a.find(f"{SVG}title").text.startswith(" ".join([number + ".", *[x + "," for x in label], "Zone "]))
        assert a.get("aria-label") == a.find(f"{SVG}title").text
    # the two zones in one city: side by side, one label for both, lines to the true place
    dots = {a.find(f"{SVG}text").text: a.find(f"{SVG}circle") for a in links(drawing.main)}
    distance = math.dist(*[(float(dots[n].get("cx")), float(dots[n].get("cy"))) for n in ("3", "4")])
    assert distance >= 2 * MAIN_STYLE.phone_radius
    labels = [t.text for t in main.iter(f"{SVG}text") if t.get("class") == "zm-label"]
    assert labels.count("Chongqing") == 1 and "Moscow" in labels
    assert len(main.findall(f".//{SVG}line")) == 2
    # the inset's area is outlined on the main map
    assert [r for r in main.iter(f"{SVG}rect") if r.get("class") == "zm-inset-area"]
    for svg in (drawing.main, drawing.inset):
        assert "style=" not in svg and "<script" not in svg.lower()


def test_a_marker_is_named_by_what_it_shows_first():
    """WCAG 2.5.3 (label in name; axe's label-content-name-mismatch): the visible number and label,
    as separate words, begin the link's name, so a voice user can say what they see."""
    zones = (map_zone(1, *MOSCOW, label="Moscow", title="Moscow"), map_zone(2, 106.6, 29.65, label="Chongqing"))
    for a in links(draw(zones, "Map", "Detail").main):
        visible = "".join(a.itertext()).replace(a.find(f"{SVG}title").text, "", 1)
        assert visible in ("1 Moscow", "2 Chongqing")
        assert a.get("aria-label").replace(".", "").replace(",", "").startswith(visible + " ")
    names = [a.get("aria-label") for a in links(draw(zones, "Map", "Detail").main)]
    assert sorted(names) == ["1. Moscow — City, Somewhere", "2. Chongqing, Zone 2 — City, Somewhere"]


def test_one_zone_in_shandong_needs_no_inset():
    drawing = draw((map_zone(1, *QINGDAO), map_zone(2, *MOSCOW)), "Map", "Detail")
    assert drawing.inset == "" and drawing.inset_numbers == ()
    assert len(links(drawing.main)) == 2
    assert "zm-inset-area" not in drawing.main


def test_text_is_escaped():
    zone = map_zone(1, *MOSCOW, label="<b>A & B</b>", title='"><script>alert(1)</script>')
    drawing = draw((zone,), "Map <of> zones", "Detail")
    root = ET.fromstring(drawing.main)  # well-formed
    assert root.get("aria-label") == "Map <of> zones"
    assert "<script" not in drawing.main and "<b>" not in drawing.main
    assert links(drawing.main)[0].find(f"{SVG}title").text.startswith('1. <b>A & B</b>, "><script>')


def test_spread_separates_markers_and_keeps_them_in_the_frame():
    points = [(10, 10), (10, 10), (10, 10), (12, 11), (500, 300)]
    moved = spread(points, 34, 1000, 700)
    for i, a in enumerate(moved):
        assert 17 <= a[0] <= 983 and 17 <= a[1] <= 683
        for b in moved[i + 1 :]:
            assert math.dist(a, b) >= 34 - 0.01
    assert moved[-1] == (500, 300)  # alone: not moved


def test_labels_never_overlap_each_other_or_markers():
    # fifty zones where the benchmark site puts them: labels only where they fit
    zones = [map_zone(n, 75 + (n * 37 % 50), 22 + (n * 17 % 26), label=f"City number {n}") for n in range(1, 51)]
    drawing = draw(tuple(zones), "Map", "Detail")
    assert len(links(drawing.main)) + len(links(drawing.inset)) == 50
    markers = [Marker(z, *MAIN.point(z.lon, z.lat), *MAIN.point(z.lon, z.lat)) for z in zones[:20]]
    labels = place_labels(markers, MAIN.width, MAIN.height, MAIN_STYLE)
    assert len(labels) > 5
    boxes = []
    for label in labels.values():
        left, top, right, bottom = label.box
        assert right - left == pytest.approx(text_width(label.text, MAIN_STYLE.label_size))
        assert bottom - top == MAIN_STYLE.label_size
        assert {"start": left, "end": right, "middle": (left + right) / 2}[label.anchor] == pytest.approx(label.x)
        assert top < label.y < bottom  # the baseline
        boxes.append(label.box)
    r = MAIN_STYLE.radius
    dots = [(m.x - r, m.y - r, m.x + r, m.y + r) for m in markers]
    for i, a in enumerate(boxes):
        assert a[0] >= 0 and a[1] >= 0 and a[2] <= MAIN.width and a[3] <= MAIN.height
        for b in boxes[i + 1 :] + dots:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)


def test_text_width_counts_chinese_characters_as_square():
    assert text_width("青岛", 10) == 20
    assert text_width("Qingdao", 10) < 50
    assert text_width("Циндао", 10) < 40


# --- The template tag --------------------------------------------------------------------------

TAG = Template("{% load zone_map %}{% zone_map zones %}")
TAG_ONE_QUERY = Template("{% load zone_map %}{% zone_map %}")


def render(template, lang, page, zones=None, request=None):
    request = request or RequestFactory().get(f"/{lang}/")
    with translation.override(lang):
        return template.render(Context({"request": request, "page": page, "zones": zones}))


def svg_parts(html: str) -> list:
    return [ET.fromstring(svg) for svg in re.findall(r"<svg .*?</svg>", html, re.S)]


def map_links(html: str) -> list[str]:
    return [a.get("href") for svg in svg_parts(html) for a in svg.iter(f"{SVG}a")]


@pytest.fixture
def zone_site(db):
    """Zones of every kind of visibility: which ones may the map show?"""
    site = build_site(news_count=0)
    zone_index = site["zone_index"]
    site["zone"].latitude, site["zone"].longitude = Decimal("36.26"), Decimal("120.03")  # Qingdao
    site["zone"].save()
    site["branch"].latitude = site["branch"].longitude = None  # no coordinates
    site["branch"].save()
    site["other_zone"].latitude, site["other_zone"].longitude = Decimal("45.58"), Decimal("84.89")  # Karamay
    site["other_zone"].save()
    site["zibo"] = ZonePageFactory(parent=zone_index, latitude="36.81", longitude="118.05", kind="hitech_zone")
    site["draft"] = ZonePageFactory(parent=zone_index, live=False, latitude="35.1", longitude="118.36")
    site["private"] = ZonePageFactory(parent=zone_index, latitude="29.65", longitude="106.6")
    PageViewRestriction.objects.create(page=site["private"], restriction_type="password", password="secret")
    site["private_child"] = ZonePageFactory(parent=site["private"], latitude="29.7", longitude="106.7")
    site["far"] = ZonePageFactory(parent=zone_index, latitude="40.7", longitude="-74.0")  # New York
    pagecache.invalidate()
    return site


def test_only_public_zones_with_coordinates_in_the_region_are_drawn_and_listed(zone_site):
    html = render(TAG_ONE_QUERY, "en", zone_site["home"])
    shown = [zone_site[key] for key in ("zone", "other_zone", "zibo")]  # by kind
    expected = sorted(url_in(zone, "en") for zone in shown)
    assert sorted(map_links(html)) == expected
    listed = re.findall(r'<li>.*?<a href="([^"]+)"', html)
    assert listed == [url_in(zone, "en") for zone in shown]  # demonstration area first, then by kind
    for key in ("branch", "draft", "private", "private_child", "far"):
        assert not re.search(re.escape(zone_site[key].title_en) + r"\b", html), key
        assert url_in(zone_site[key], "en") not in html, key
    # the same zones passed in by the page (with the ones it must not show) give the same map
    given = [zone_site[key] for key in ("zone", "branch", "other_zone", "zibo", "draft", "private", "far")]
    passed = render(TAG, "en", zone_site["home"], given)
    assert sorted(map_links(passed)) == expected
    # the zones index's groups work as well
    groups = [
        {"kind": "demonstration_area", "zones": [zone_site["zone"], zone_site["zibo"]]},
        {"kind": "border_zone", "zones": [zone_site["other_zone"]]},
    ]
    assert sorted(map_links(render(TAG, "en", zone_site["zone_index"], groups))) == expected


def test_the_list_gives_kind_and_place_unless_compact(zone_site):
    zones = [zone_site["zone"], zone_site["other_zone"]]
    with translation.override("de"):
        kind = str(zone_site["other_zone"].get_kind_display())
    full = render(TAG, "de", zone_site["home"], zones)
    assert f'<span class="meta">{kind} · City Deutsch</span>' in full
    compact = render(Template("{% load zone_map %}{% zone_map zones compact=True %}"), "de", zone_site["home"], zones)
    assert 'class="meta"' not in compact
    assert sorted(map_links(compact)) == sorted(map_links(full))


def test_a_private_section_shows_its_own_zones(zone_site):
    """Inside a private zone (the visitor has passed its password), its child zone is listed."""
    html = render(TAG_ONE_QUERY, "en", zone_site["private"])
    assert url_in(zone_site["private_child"], "en") in map_links(html)


def test_no_map_without_zones(zone_site):
    assert render(TAG, "en", zone_site["home"], []).strip() == ""
    assert render(TAG, "en", zone_site["home"], [zone_site["branch"], zone_site["far"]]).strip() == ""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_labels_titles_and_list_in_each_language(zone_site, lang):
    html = render(TAG_ONE_QUERY, lang, zone_site["home"])
    name = {"zh-hans": "中文", "en": "English", "de": "Deutsch", "ru": "Русский"}[lang]
    field = lang.replace("-", "_")
    main, inset = svg_parts(html)
    labels = [t.text for svg in (main, inset) for t in svg.iter(f"{SVG}text") if t.get("class") == "zm-label"]
    assert f"City {name}" in labels  # the zone's city, in this language
    titles = [t.text for svg in (main, inset) for t in svg.iter(f"{SVG}title")]
    for key in ("zone", "zibo", "other_zone"):
        zone = zone_site[key]
        assert any(getattr(zone, f"title_{field}") in title for title in titles), (key, titles)
        assert url_in(zone, lang) in html
    with translation.override(lang):
        expected = {
            "zh-hans": "地图",
            "en": "Map of the SCO region",
            "de": "Karte",
            "ru": "Карта",
        }[lang]
    assert expected in main.get("aria-label")
    assert "Natural Earth" in html
    with translation.override(lang):
        assert str(_("Schematic map: boundaries are not authoritative.")) in html
        assert lang == "en" or "boundaries are not" not in html  # translated
    assert "approval" not in html and "审图号" not in html  # none set
    assert "style=" not in html and "<script" not in html


def test_the_map_approval_number_is_shown_when_set(zone_site, settings):
    settings.ZONE_MAP_APPROVAL_NUMBER = "GS(2024)1234号"
    assert "审图号：GS(2024)1234号" in render(TAG_ONE_QUERY, "zh-hans", zone_site["home"])
    assert "Map approval number: GS(2024)1234号" in render(TAG_ONE_QUERY, "en", zone_site["home"])


def test_the_tag_asks_no_query_for_the_zones_it_is_given_and_one_otherwise(zone_site):
    """A page's request already knows its site (Wagtail found it to serve the page): so does this one."""
    zones = [zone_site["zone"], zone_site["zibo"], zone_site["other_zone"]]
    request = RequestFactory().get("/en/")
    render(TAG_ONE_QUERY, "en", zone_site["home"], request=request)
    with CaptureQueriesContext(connection) as given:
        render(TAG, "en", zone_site["home"], zones, request=request)
    with CaptureQueriesContext(connection) as queried:
        render(TAG_ONE_QUERY, "en", zone_site["home"], request=request)
    for n in range(10):
        ZonePageFactory(parent=zone_site["zone_index"], latitude=str(30 + n), longitude=str(90 + n))
    pagecache.invalidate()
    request = RequestFactory().get("/en/")
    render(TAG_ONE_QUERY, "en", zone_site["home"], request=request)
    with CaptureQueriesContext(connection) as more:
        html = render(TAG_ONE_QUERY, "en", zone_site["home"], request=request)
    assert len(given) == 0, [q["sql"] for q in given.captured_queries]
    assert len(queried) == len(more) == 1, [q["sql"] for q in more.captured_queries]
    assert len(map_links(html)) == 13


def test_a_drawing_is_kept(zone_site):
    draw.cache_clear()
    zones = [zone_site["zone"], zone_site["zibo"], zone_site["other_zone"]]
    render(TAG, "en", zone_site["home"], zones)
    render(TAG, "en", zone_site["home"], zones)
    render(TAG, "de", zone_site["home"], zones)
    info = draw.cache_info()
    assert (info.hits, info.misses) == (1, 2)


# --- A page with the map: valid HTML, and what a visitor sees -----------------------------------


@pytest.fixture
def map_page(settings):
    """The zones index, which shows the map, rendered afresh each time."""
    settings.FRAGMENT_CACHE_SECONDS = 0


@pytest.mark.django_db
def test_a_page_with_the_map_is_valid_html(client, map_page):
    from tests.seed import load_seed
    from tests.test_html import vnu_command

    command = vnu_command()
    seed = load_seed()
    folder = ARTIFACTS / "html-map"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for lang in LANGUAGES:
        response = client.get(url_in(seed["zone_index"], lang))
        assert response.status_code == 200
        assert response.content.count(b'class="zone-map-svg') == 2  # the region and Shandong
        (folder / f"zone-map-{lang}.html").write_bytes(response.content)
    result = subprocess.run(
        [*command, "--errors-only", "--format", "json", str(folder)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout or "{}").get("messages", [])
    errors = [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m.get('message')}" for m in messages]
    assert not errors, "\n".join(errors)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 390, 360])
def test_the_map_in_chromium(open_tab, map_page, width):
    """Fits the screen, markers lead to the zone pages, axe-core finds nothing serious; screenshots
    of the seed content's zones in every language for a person to look at."""
    from tests.browser import require_chromium
    from tests.seed import load_seed
    from tests.test_browser import FAILING_IMPACTS, axe_script, describe

    require_chromium()
    seed = load_seed()
    axe = axe_script().read_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab = open_tab(width=width, height=900)
    failures = []
    for lang in LANGUAGES:
        tab.goto(url_in(seed["zone_index"], lang))
        assert tab.evaluate("document.documentElement.scrollWidth") <= width, lang
        markers = tab.locator(".zone-map-svg a")
        assert markers.count() == 7, lang  # the seed's zones with coordinates
        box = tab.locator(".zone-map-main").bounding_box()
        assert box["width"] <= width and box["height"] > 0.6 * box["width"] * 0.7
        labels = tab.locator(".zone-map-main .zm-label")
        visible = [labels.nth(i).is_visible() for i in range(labels.count())]
        assert any(visible) == (width >= 640), lang  # a phone shows numbers only; the list names them
        tab.add_script_tag(content=axe)
        violations = tab.evaluate(
            "async () => (await axe.run(document.querySelector('.zone-map'), {resultTypes: ['violations']})).violations"
        )
        for violation in violations:
            if violation["impact"] in FAILING_IMPACTS:
                failures.extend(describe(violation))
        tab.locator(".zone-map").screenshot(path=str(SHOTS / f"zone-map-{lang}-{width}.png"))
    assert not failures, "\n".join(failures)
    # a marker leads to its zone's page
    tab.goto(url_in(seed["zone_index"], "ru"))
    with tab.expect_navigation():
        tab.locator(".zone-map-inset a").first.click()
    assert tab.locator("h1").inner_text().replace("\u00ad", "").strip() == seed["zone"].title_ru  # soft hyphens aside


def test_the_home_page_lists_each_partner_zone_once(zone_site, client):
    """The map's numbered list names the zones on it; tiles beside it only those it cannot show
    (here the branch park without coordinates and New York, outside the map's region)."""
    from bs4 import BeautifulSoup

    home = zone_site["home"]
    home.highlighted_zones.all().delete()
    for key in ("zone", "branch", "other_zone", "zibo", "far"):
        home.highlighted_zones.create(zone=zone_site[key])
    home.save_revision().publish()
    pagecache.invalidate()
    html = client.get("/en/").content.decode()
    section = BeautifulSoup(html, "html.parser").find("section", attrs={"aria-labelledby": "zones"})
    # Links in the list and tiles (the SVG's own marker links are the drawing, not a list).
    hrefs = [a["href"] for a in section.find_all("a") if not a.find_parent("svg") and "more" not in a.get("class", [])]
    assert len(hrefs) == len(set(hrefs)), hrefs
    tiles = [a["href"] for a in section.select(".zone-tiles a")]
    assert sorted(tiles) == sorted(url_in(zone_site[key], "en") for key in ("branch", "far"))
