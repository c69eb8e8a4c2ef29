"""Full-page cache for anonymous visitors, per language (the URL carries the language).

A response is stored only when
- the request is a GET or HEAD without a session cookie (so never for a logged-in
  editor, a visitor who unlocked a password-protected page, or a preview — previews
  are served by other views and carry a session anyway),
- a portal page served it (BasePage.serve marks the response) and that page has no
  view restrictions,
- it is a 200 that sets no cookie.

Any publish, unpublish, move or delete of a page, and any change of topics or site
settings, bumps a generation number that is part of every key: a change shows at
once everywhere (home page, listings, related news), at the cost of emptying the
whole cache. With PAGE_CACHE_SECONDS = 0 (the default outside production) nothing
is cached.
"""

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse

GENERATION_KEY = "portal:pagecache:generation"
HEADERS = ("Content-Type", "Content-Language", "Link")


def _cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


def generation() -> int:
    cache = _cache()
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, None)
        value = cache.get(GENERATION_KEY) or 1
    return value


def invalidate(*args, **kwargs) -> None:
    """Forget every cached page (signal receiver)."""
    cache = _cache()
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, None)


def invalidate_on_change(sender, created=False, **kwargs) -> None:
    # Wagtail creates an empty settings row on first use: nothing a visitor sees changes.
    if not (created and sender.__name__ == "SiteSettings"):
        invalidate()


def mark_cacheable(page, response):
    """Called by BasePage.serve for a page whose response may be shared."""
    if getattr(settings, "PAGE_CACHE_SECONDS", 0) > 0 and not page.get_view_restrictions().exists():
        response.portal_cacheable = True
    return response


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def key(self, request) -> str | None:
        if getattr(settings, "PAGE_CACHE_SECONDS", 0) <= 0 or request.method not in ("GET", "HEAD"):
            return None
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return None
        return f"portal:page:{generation()}:{request.get_host()}:{request.get_full_path()}"

    def __call__(self, request):
        key = self.key(request)
        if key is not None:
            stored = _cache().get(key)
            if stored is not None:
                response = HttpResponse(stored["content"], status=200)
                for name, value in stored["headers"].items():
                    response[name] = value
                response["X-Page-Cache"] = "hit"
                return response
        response = self.get_response(request)
        if (
            key is not None
            and getattr(response, "portal_cacheable", False)
            and response.status_code == 200
            and not response.cookies
            and not response.streaming
        ):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            headers = {name: response[name] for name in HEADERS if name in response}
            _cache().set(key, {"content": response.content, "headers": headers}, settings.PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
        return response


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    from wagtail.models import Page
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from portal.models import SiteSettings, Topic

    page_published.connect(invalidate, dispatch_uid="portal_pagecache_published")
    page_unpublished.connect(invalidate, dispatch_uid="portal_pagecache_unpublished")
    post_page_move.connect(invalidate, dispatch_uid="portal_pagecache_moved")
    post_delete.connect(invalidate, sender=Page, dispatch_uid="portal_pagecache_deleted")
    for model in (Topic, SiteSettings):
        post_save.connect(invalidate_on_change, sender=model, dispatch_uid=f"portal_pagecache_{model.__name__}")
        post_delete.connect(invalidate, sender=model, dispatch_uid=f"portal_pagecache_{model.__name__}_del")
