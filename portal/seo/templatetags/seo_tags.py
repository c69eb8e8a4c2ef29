from django import template

from wagtail.models import Page

from portal.seo import head as seo
from portal.templatetags.portal_tags import main_menu, site_root

register = template.Library()


@register.simple_tag(takes_context=True)
def seo_metadata(context):
    """portal.seo.head.Head for the current page (or view) in the active language."""
    # A page's breadcrumb trail reuses the home page and the menu the header loads (kept on the
    # request) instead of querying again; a view that is not a page has no trail and needs neither.
    request, page = context.get("request"), context.get("page")
    known_pages = [site_root(context), *main_menu(context)] if isinstance(page, Page) else []
    return seo.head_metadata(request, page=page, known_pages=known_pages)
