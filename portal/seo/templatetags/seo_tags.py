from django import template

from portal.seo import head as seo
from portal.templatetags.portal_tags import main_menu, site_root

register = template.Library()


@register.simple_tag(takes_context=True)
def seo_metadata(context):
    """portal.seo.head.Head for the current page (or view) in the active language."""
    # The header loads the home page and the menu once per request (cached on
    # the request); the breadcrumb trail reuses them instead of querying again.
    request, page = context.get("request"), context.get("page")
    known_pages = [site_root(context), *main_menu(context)]
    return seo.head_metadata(request, page=page, known_pages=known_pages)
