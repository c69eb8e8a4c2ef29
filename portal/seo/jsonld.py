"""Small schema.org helpers for the JSON-LD a page gives its head (BasePage.structured_data)."""

import json
from collections.abc import Mapping

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import SafeString, mark_safe

SCHEMA = "https://schema.org"


def json_ld(data: Mapping) -> SafeString:
    """`data` as JSON safe inside <script type="application/ld+json">.

    "</" would close the script element and "<!--" would change how the
    browser parses it; both get a JSON escape that reads back the same.
    """
    text = json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder)
    return mark_safe(text.replace("<!--", "\\u003c!--").replace("</", "<\\/"))  # noqa: S308 (escaped above)


def compact(data: dict) -> dict:
    """`data` without empty values, so JSON-LD never claims a property it has no value for."""
    return {key: value for key, value in data.items() if value not in (None, "", [], {})}


def iso_date(value) -> str | None:
    return value.isoformat() if value else None


def address(where) -> dict | None:
    """A PostalAddress of an object with `city`, `province` and `country` (a zone), or None."""
    found = compact(
        {
            "@type": "PostalAddress",
            "addressLocality": where.city,
            "addressRegion": where.province,
            "addressCountry": where.country,
        }
    )
    return found if len(found) > 1 else None


def geo(where) -> dict | None:
    """GeoCoordinates of an object with `latitude` and `longitude`, or None."""
    if where.latitude is None or where.longitude is None:
        return None
    return {"@type": "GeoCoordinates", "latitude": float(where.latitude), "longitude": float(where.longitude)}


def place(facts, page, types=("Place",)) -> dict:
    """A Place (or `types`) for a page with a location (a zone), linked at its URL."""
    return compact(
        {
            "@type": list(types) if len(types) > 1 else types[0],
            "name": page.title,
            "url": facts.absolute_url(page),
            "geo": geo(page),
            "address": address(page),
        }
    )
