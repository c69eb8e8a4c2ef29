from django import template
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html

from wagtail.models import Page

from portal import i18n, pagecache
from portal.models import public_pages
from portal.seo import head as seo

register = template.Library()


@register.inclusion_tag("includes/language_switcher.html", takes_context=True)
def language_switcher(context):
    """Links to the same page in every language, each at that language's own URL."""
    request = context.get("request")
    page = context.get("page")
    current = translation.get_language()
    if isinstance(page, Page):
        urls = i18n.page_urls(page, request)
    else:
        urls = view_language_urls(request, current) if request is not None else {}
    links = []
    for code in i18n.language_codes():
        url = urls.get(code) if isinstance(page, Page) else urls.get(code, f"/{code}/")
        links.append({"code": code, "name": i18n.language_name(code), "url": url, "current": code == current})
    return {"links": links, "current": current}


def view_language_urls(request, current: str) -> dict[str, str]:
    """{language: URL} of a view that is not a page (search, a 404), its query string kept.

    seo.view_language_urls resolves the path in the current language and reverses it in the
    other (so it must not run inside translation.override). An address nothing answers cannot
    be translated: there each other language's link leads to that language's home page.
    """
    query = request.GET.urlencode()
    urls = {}
    for code, url in seo.view_language_urls(request).items():
        if url == request.path and code != current:
            with translation.override(code):
                urls[code] = reverse("wagtail_serve", args=("",))
        else:
            urls[code] = f"{url}?{query}" if query else url
    return urls


@register.simple_tag(takes_context=True)
def site_root(context):
    """The home page of the current site (specific), once per request (pagecache.site_root)."""
    request = context.get("request")
    return pagecache.site_root(request) if request is not None else None


@register.simple_tag(takes_context=True)
def main_menu(context):
    """The home page's children that are shown in menus, cached on the request."""
    request = context.get("request")
    if request is None:
        return []
    if not hasattr(request, "_portal_menu"):
        root = site_root(context)
        request._portal_menu = list(public_pages(root.get_children(), root).in_menu()) if root else []
    return request._portal_menu


@register.simple_tag(takes_context=True)
def breadcrumb_pages(context):
    """The current page's ancestors from the home page down (the head's structured data uses the same)."""
    page, request = context.get("page"), context.get("request")
    if not isinstance(page, Page) or request is None:
        return []
    return seo.ancestors(page, request, [site_root(context), *main_menu(context)])


@register.filter
def lang_attr(instance, field_name):
    """` lang="en"` when a translated field is shown in a fallback language, else nothing."""
    shown = i18n.field_language(instance, field_name)
    if shown and shown != translation.get_language():
        return format_html(' lang="{}"', shown)
    return ""


@register.inclusion_tag("includes/fallback_notice.html", takes_context=True)
def fallback_notice(context):
    """Tells the visitor when this page, or part of it, is shown in another language."""
    page = context.get("page")
    if not isinstance(page, Page):
        return {}
    current = translation.get_language()
    title_language, shown = i18n.fallback_languages(page, current)
    fallback = title_language or (sorted(shown, key=i18n.language_codes().index)[0] if shown else None)
    if not fallback:
        return {}
    return {
        "whole_page": bool(title_language),
        "current_name": i18n.language_name(current),
        "fallback_name": i18n.language_name(fallback),
        "fallback_code": fallback,
    }


@register.filter
def in_section(page, section):
    """True when `page` lies under `section` in the tree."""
    return isinstance(page, Page) and page.path.startswith(section.path) and page.pk != section.pk


@register.simple_tag
def place(zone, country: bool = True) -> str:
    """A zone's location in the active language's order: "Qingdao, Shandong, China" or "中国山东省青岛"."""
    parts = [zone.city, zone.province] + ([zone.country] if country else [])
    parts = [part for part in parts if part]
    if translation.get_language() == "zh-hans":
        return "".join(reversed(parts))
    return ", ".join(parts)
