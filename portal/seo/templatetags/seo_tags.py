from django import template
from django.utils import translation

from portal import pagecache
from portal.models import BasePage
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

    def compute():
        return seo.head_metadata(request, page=page, known_pages=known_pages)

    # A page's head depends on the page, what it draws from other pages (remembered alike), the
    # language and the address it was asked at (absolute URLs), not on the query string: remembered,
    # except in previews, for the sites' addresses as browsers spell them (pagecache.site_address: any
    # other spelling or port would make new entries).
    address = pagecache.site_address(request) if request is not None else None
    if not isinstance(page, BasePage) or address is None:
        return compute()
    return page.remembered(request, f"head:{translation.get_language()}:{address}", compute)
