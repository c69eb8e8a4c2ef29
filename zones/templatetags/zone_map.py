from django import template
from django.conf import settings
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from wagtail.models import Page, Site

from portal.models import is_public, public_pages
from portal.templatetags.portal_tags import place
from zones import map as zone_map_drawing
from zones.models import ZoneKind, ZonePage

register = template.Library()

KIND_ORDER = {kind: index for index, kind in enumerate(ZoneKind.values)}


@register.inclusion_tag("includes/zone_map.html", takes_context=True)
def zone_map(context, zones=None, compact=False):
    """The public zones that have coordinates in the region, on a map with a numbered list.

    `zones`: the zones the page already has (ZonePage objects, or the zones index's groups:
    dicts with a "zones" list), so that the map asks the database nothing; without it, one query
    for the public zones of the request's site. Numbered by kind (the demonstration area first),
    then by their place in the tree, so a zone has the same number wherever the map is shown.
    """
    request = context.get("request")
    page = context.get("page") if isinstance(context.get("page"), Page) else None
    if zones is None:
        zones = site_zones(request, page)
    mapped = sorted(
        (zone for zone in _flatten(zones) if _drawable(zone, page)),
        key=lambda zone: (KIND_ORDER.get(zone.kind, len(KIND_ORDER)), zone.path),
    )
    if not mapped:
        return {}
    items = []
    for number, zone in enumerate(mapped, start=1):
        location = place(zone)
        kind = zone.get_kind_display()
        url = zone.get_url(request)
        items.append(
            {
                "number": number,
                "zone": zone,
                "url": url,
                "kind": kind,
                "place": location,
                "map": zone_map_drawing.MapZone(
                    number=number,
                    title=zone.title,
                    url=url,
                    label=zone.city or zone.province or zone.country,
                    description=", ".join(part for part in (str(kind), location) if part),
                    lon=float(zone.longitude),
                    lat=float(zone.latitude),
                    kind=zone.kind,
                ),
            }
        )
    drawing = zone_map_drawing.draw(
        tuple(item["map"] for item in items),
        _("Map of the SCO region with the zones"),
        _("Detail map: Shandong"),
    )
    return {
        "items": items,
        "main": mark_safe(drawing.main),  # noqa: S308 -- built by zones.map, every text escaped
        "inset": mark_safe(drawing.inset),  # noqa: S308
        "inset_numbers": drawing.inset_numbers,
        "compact": compact,
        "approval_number": settings.ZONE_MAP_APPROVAL_NUMBER,
    }


def site_zones(request, page):
    """The public zones of the request's site (of every site without a request), in one query."""
    zones = ZonePage.objects.all()
    site = Site.find_for_request(request) if request is not None else None
    if site is not None:
        zones = zones.descendant_of(site.root_page)
    return public_pages(zones, page).order_by("path")


def _flatten(zones):
    for item in zones:
        if isinstance(item, dict):
            yield from item.get("zones", ())
        else:
            yield item


@register.simple_tag(takes_context=True)
def unmapped_zones(context, zones) -> list:
    """Of `zones`, those the map cannot show (no coordinates, or outside its region): a page that
    shows the map lists only these beside it, so no zone is listed twice."""
    page = context.get("page") if isinstance(context.get("page"), Page) else None
    return [zone for zone in _flatten(zones) if not _drawable(zone, page)]


def _drawable(zone, page) -> bool:
    return (
        isinstance(zone, ZonePage)
        and is_public(zone, page)
        and zone.latitude is not None
        and zone.longitude is not None
        and zone_map_drawing.on_map(float(zone.longitude), float(zone.latitude))
    )
