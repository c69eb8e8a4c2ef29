"""Rendered HTML of the public pages' parts, kept in the cache under keys derived from what they show.

With the full-page cache off (or missed), rendering templates is most of a page's cost: a news card
alone (image rendition, URL, language attributes) takes longer than a page's queries. So the parts
are kept as strings, never as model instances, under keys that hold everything they depend on:

- every key holds the release (portal.cache.release: the deploy's name, or a digest of the
  project's code, templates and translations and of the framework versions): values written by
  other code are never read;
- a part that shows other pages (the header's menu and language links, the head's metadata, a
  page's body with its related lists, the footer's site settings) is keyed on the content
  generation (portal.pagecache, through `generation()`), the page, the language and the site
  (the head, whose links are absolute, on the address too): any publish, unpublish, move, privacy
  or settings change gives it a new key at once;
- a news card (`render_cards`) is keyed on what it shows: its page's fields in every language, its
  URL path, the sites' root paths and its lead image (id, file, hash, focal point), so one
  rendering serves every listing that shows the card until the card itself changes. Which cards a
  listing shows is decided by the listing (public_pages; afresh, or in a part keyed on the
  generation), so a private or unpublished page's card is never shown, though its HTML may linger.

Nothing is read or kept for previews, for visitors with a session (editors; someone who unlocked a
private page), on pages that are not public (portal.models.is_public), nor, for the head, at
addresses pagecache.site_address does not know. The cache may be unavailable: a failed read is a
miss, a failed write is forgotten, and the page renders as it would without this module.
FRAGMENT_CACHE_SECONDS (a day by default; 0 turns the fragments off) bounds how long a value lives.
"""

import hashlib
import logging
from functools import cache

from django.conf import settings
from django.core.cache import caches
from django.utils import translation

from wagtail.models import Page, Site

from portal import i18n
from portal.cache import release
from portal.models import is_public

logger = logging.getLogger(__name__)

DEFAULT_SECONDS = 24 * 60 * 60
# The fields of a page a news card shows (templates/includes/news_card.html): its key holds their
# values in every language, so an edit shows at once however the page was saved.
CARD_FIELDS = ("title", "date", "source", "summary", "lead_image_alt")
IMAGE_FIELDS = ("file", "file_hash", "width", "height", "focal_point_x", "focal_point_y")
IMAGE_FIELDS += ("focal_point_width", "focal_point_height")


def generation() -> str:
    """The content generation (portal.pagecache): a new one starts with any change a visitor sees."""
    from portal import pagecache

    return pagecache.generation()


def site_address(request) -> str | None:
    """The request's site address as browsers spell it (portal.pagecache), else None: nothing kept."""
    from portal import pagecache

    return pagecache.site_address(request)


def seconds() -> int:
    return getattr(settings, "FRAGMENT_CACHE_SECONDS", DEFAULT_SECONDS)


def _cache():
    return caches["default"]


def make_key(name: str, parts) -> str:
    """The cache key of fragment `name` for `parts` (reprs of strings, numbers, dates)."""
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    return f"portal:fragment:{release()}:{name}:{digest}"


def get_many(keys: list[str]) -> dict[str, str]:
    """The stored fragments of `keys` that are there; nothing when the cache fails."""
    try:
        found = _cache().get_many(keys)
    except Exception:  # an outage or an unreadable value: render afresh
        logger.debug("fragment cache read failed", exc_info=True)
        return {}
    return {key: value for key, value in found.items() if isinstance(value, str)}


def set_many(values: dict[str, str]) -> None:
    if not values:
        return
    try:
        _cache().set_many(values, seconds())
    except Exception:  # the page is rendered; the next request tries again
        logger.debug("fragment cache write failed", exc_info=True)


def request_parts(context, views: bool = False) -> tuple | None:
    """What every fragment of this request is keyed on (the site it is served from, the language),
    or None when nothing may be read or kept: no request, fragments off, a preview, a session, a
    page that is not public. Views that are not pages (the search) answer afresh, but for the
    parts that say `views` (the header's menu, the footer, the search's results): those are keyed
    on the view's name too."""
    request = context.get("request")
    page = context.get("page")
    if request is None or seconds() <= 0:
        return None
    if isinstance(page, Page):
        view = page.pk
    elif page is None and views and _view_name(request):
        view = "view:" + _view_name(request)
    else:
        return None
    language = translation.get_language()
    kept = getattr(request, "_portal_fragment_parts", {})
    if (view, language) not in kept:
        kept[view, language] = _request_parts(request, page, language)
        request._portal_fragment_parts = kept
    parts = kept[view, language]
    return parts if parts is None or isinstance(page, Page) else (*parts, view)


def _view_name(request) -> str | None:
    """The URL name of the view answering `request`, but for Wagtail's page serving (a page not
    found there has no view of its own)."""
    match = getattr(request, "resolver_match", None)
    name = getattr(match, "view_name", None)
    return name if name and name != "wagtail_serve" else None


def _request_parts(request, page, language) -> tuple | None:
    if getattr(request, "is_preview", False) or settings.SESSION_COOKIE_NAME in request.COOKIES:
        return None
    if page is not None and not is_public(page):
        return None
    site = Site.find_for_request(request)
    return (site.pk, language) if site is not None else None


def page_key(context, name: str, vary, absolute: bool = False, views: bool = False) -> str | None:
    """The key of a fragment that may show other pages: keyed on the content generation too. An
    `absolute` part holds URLs made from the address the request was sent to (the head's canonical
    link): keyed on that address, and kept only where pagecache.site_address knows it. A part with
    `views` is kept on views that are not pages too (request_parts)."""
    parts = request_parts(context, views=views)
    if parts is None:
        return None
    if absolute:
        address = site_address(context["request"])
        if address is None:
            return None
        parts = (*parts, address)
    return make_key(name, (*parts, generation(), *vary))


def _site_paths(page, request) -> str:
    """The sites' root paths, which every page URL is made from (with the request's site, in
    request_parts): the list Page.get_url reads for the active language, kept on the request
    (wagtail-modeltranslation's localized copy; the one place this module reads Wagtail's own)."""
    return repr(page._get_site_root_paths(request))


@cache
def _columns(model, names: tuple) -> tuple:
    """The columns holding `names` on `model`: every language's of a translated field."""
    translated = i18n.translated_fields(model)
    columns = (i18n.localized_columns(name) if name in translated else [name] for name in names)
    return tuple(column for group in columns for column in group)


def _values(instance, names: tuple) -> tuple:
    return tuple(str(getattr(instance, column, None)) for column in _columns(type(instance), names))


def card_key(item, parts: tuple, sites: str) -> str:
    image = getattr(item, "lead_image", None)
    image_parts = (image.pk, *_values(image, IMAGE_FIELDS)) if image is not None else None
    return make_key("card", (*parts, sites, item.pk, item.url_path, _values(item, CARD_FIELDS), image_parts))


def render_cards(context, items, template) -> str:
    """Each item rendered with `template` (as {% include %} would, with `item` set), concatenated;
    kept per card (card_key), read and written in one round trip each."""
    items = list(items)
    parts = request_parts(context)
    keys = []
    if parts is not None and items:
        try:
            sites = _site_paths(items[0], context["request"])
            keys = [card_key(item, parts, sites) for item in items]
        except Exception:
            logger.debug("fragment keys failed", exc_info=True)
            keys = []
    found = get_many(keys) if keys else {}
    rendered, missed = [], {}
    for position, item in enumerate(items):
        key = keys[position] if keys else None
        html = found.get(key) if key else None
        if html is None:
            with context.push(item=item):
                html = template.render(context)
            if key:
                missed[key] = html
        rendered.append(html)
    set_many(missed)
    return "".join(rendered)
