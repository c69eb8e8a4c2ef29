"""{% site_brand %} and {% site_names %}: the site's emblem and names (portal/identity.py)."""

from django import template
from django.utils import translation

from portal import identity, pagecache

register = template.Library()


@register.inclusion_tag("includes/brand.html", takes_context=True)
def site_brand(context):
    """The header's brand: the emblem, the full name and the short name (CSS shows one of the two)
    of the request's site in the active language, linking to its home page."""
    request = context.get("request")
    home = pagecache.site_root(request)
    url = home.get_url(request=request) if home is not None else None
    names = identity.site_names(request)
    return {
        "home_url": url or f"/{translation.get_language()}/",
        "mark": identity.brand_mark(),
        "name": names.name,
        "short_name": names.short_name,
    }


@register.simple_tag(takes_context=True)
def site_names(context):
    """The site's names in the active language: {% site_names as names %}{{ names.short_name }}."""
    return identity.site_names(context.get("request"))


@register.simple_tag
def theme_color() -> str:
    """The browser's theme colour (<meta name="theme-color">)."""
    return identity.THEME_COLOR
