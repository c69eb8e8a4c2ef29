"""Caching of what anonymous visitors see, in four layers.

1. HTTP (CacheControlMiddleware): a public page answered to a visitor without a session sends
   `Cache-Control: public, max-age=HTTP_CACHE_MAX_AGE, s-maxage=HTTP_CACHE_S_MAXAGE,
   stale-while-revalidate=HTTP_CACHE_STALE_WHILE_REVALIDATE` (a CDN, Varnish or nginx may keep
   it; wagtail.contrib.frontend_cache purges its four language URLs on publish). Everything else
   (a private page or its password form, a preview, a logged-in user, a response that sets a
   cookie, search, feeds, errors) sends `private, no-store` unless its view chose otherwise.
   Django's ConditionalGetMiddleware adds an ETag from the body and answers 304.

2. The page cache (PageCacheMiddleware), for installations without a CDN: the same public
   responses kept whole (status, headers, body: plain data) for PAGE_CACHE_SECONDS, when
   - the request is a GET or HEAD without a session cookie,
   - its query string holds only parameters a page reads (QUERY_PARAMETERS), each once, its Host
     is a site's address as site_address spells it (or no site's, without a port but the
     scheme's), and its client has not added PAGE_CACHE_NEW_PAGES_PER_CLIENT pages this minute
     (PageCacheMiddleware.key, may_add_entry).
   The key holds the address and query normalised (site_address, known_query): other spellings of
   them read the same entry and never add one. A hit replays the stored status, headers and body
   (a HEAD gets no body). Why not Django's cache middleware pair: it keys on the URL as written
   (every `?utm=` or Host spelling would add an entry), adds Age and Expires to a hit (a hit would
   not be the miss), and stores the response object; wagtail-cache requires Wagtail < 8.

3. Page parts (portal/fragments.py): rendered HTML of cards and page parts, keyed on what they
   show or on the generation below.

4. Remembered values (remember): small values derived from the published pages that measurably
   pay (the route to a page, a listing's filter options, year counts and ordered keys, the menu),
   kept as plain data only (numbers, strings, lists, dicts: never model instances or the
   project's classes, which a deploy could rename).

Any publish, unpublish, move or delete of a page, any change of privacy, topics, images,
documents, sites or site settings, and a live page saved by a script start a new generation that
is part of every key of layers 2 to 4: a change shows at once everywhere, in every worker. A
generation is a token never used before (new_generation), stored without a timeout in the
"shared" cache (Redis, or files every worker reads); should it be lost a new one starts, never
an old one. Every key also holds the release (portal.cache.release): a deploy of new code never
reads what old code stored. Every read goes through portal.cache.read: a value that cannot be
read back is a miss.
"""

import secrets
import time
from contextvars import ContextVar
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import DisallowedHost, SuspiciousOperation
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponse, QueryDict
from django.http.request import split_domain_port
from django.utils.cache import patch_cache_control, set_response_etag

from portal.cache import read, release
from portal.clientip import client_bucket

# Renamed with the switch from a counter to tokens: a counter left by older code is never read.
GENERATION_KEY = "portal:pagecache:generation-token"
# Headers a hit must not repeat: the cookie is the visitor's (responses that set one are never
# stored anyway) and the marker says what happened to this request.
UNSTORED_HEADERS = {"set-cookie", "x-page-cache"}


def _cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


def _shared():
    return caches["shared"] if "shared" in settings.CACHES else _cache()


# Within a request (PageCacheMiddleware) the generation is read once, when first needed, not
# once per remembered value; a change made by the request itself forgets it.
_request_generation: ContextVar[list[str] | None] = ContextVar("portal_generation", default=None)


def new_generation() -> str:
    """A generation no process has used before: the clock in nanoseconds and 32 random bits.

    Never a counter: a counter whose key expired, was evicted or was lost with a Redis
    restart starts again at 1, and the values remembered under the old numbers (kept a day)
    come back with it.
    """
    return f"{time.time_ns():x}-{secrets.token_hex(4)}"


def generation() -> str:
    kept = _request_generation.get()
    if kept:
        return kept[0]
    cache = _shared()
    value = read(cache, GENERATION_KEY)
    if value is None:
        # Stored without a timeout; should it still vanish, a new generation starts: never an old one.
        cache.add(GENERATION_KEY, new_generation(), None)
        value = read(cache, GENERATION_KEY)
        if value is None:  # unreadable (deleted by read) or the cache unavailable
            value = new_generation()
            cache.set(GENERATION_KEY, value, None)
    if kept is not None:
        kept.append(value)
    return value


def _bump() -> None:
    kept = _request_generation.get()
    if kept is not None:
        kept.clear()
    _shared().set(GENERATION_KEY, new_generation(), None)


def start_new_generation(*args, **kwargs) -> None:
    """Forget every cached page and remembered value now (signal receiver)."""
    _bump()


def invalidate(*args, **kwargs) -> None:
    """Forget every cached page and remembered value (signal receiver).

    Now, and again when the surrounding transaction commits: a request served
    in between reads the old rows and must not keep them under the new number.
    """
    _bump()
    transaction.on_commit(_bump)


# Wagtail fills these in lazily when it first needs them (a rendition): nothing a visitor sees.
BOOKKEEPING_FIELDS = {"file_size", "file_hash"}


# What Wagtail writes to a page's row when an editor saves a draft or locks it: the live page,
# which is what visitors see (and what route() remembers), stays as it was.
PAGE_DRAFT_FIELDS = {
    "wagtail_admin_comments",
    "latest_revision_created_at",
    "draft_title",
    "latest_revision",
    "has_unpublished_changes",
    "locked",
    "locked_by",
    "locked_at",
    "numchild",
}


def invalidate_on_page_save(sender, created=False, update_fields=None, **kwargs) -> None:
    """A live page's row written without publishing (a script's page.save(), a fixture): its
    remembered copy must go too. A new page is published (page_published) or a draft."""
    from portal import i18n

    if created:
        return
    draft_fields = PAGE_DRAFT_FIELDS | {i18n.localized("draft_title", code) for code in i18n.language_codes()}
    if update_fields and set(update_fields) <= draft_fields:
        return
    invalidate()


def invalidate_on_change(sender, created=False, update_fields=None, **kwargs) -> None:
    # A new topic, image, document or settings row (Wagtail creates an empty one on first use)
    # is on no page yet: nothing a visitor sees changes. A new site is.
    if created and sender.__name__ != "Site":
        return
    if update_fields and set(update_fields) <= BOOKKEEPING_FIELDS:
        return
    invalidate()


# Long enough to outlive quiet periods; a change makes the values unreachable at once anyway.
REMEMBER_SECONDS = 24 * 60 * 60

PLAIN_TYPES = (str, int, float, bool, type(None))


def is_plain(value) -> bool:
    """Whether a value is plain data: what any release of the code reads back the same."""
    if isinstance(value, PLAIN_TYPES):
        return True
    if isinstance(value, list | tuple):
        return all(is_plain(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(key, str | int) and is_plain(item) for key, item in value.items())
    return False


def _remember_key(name: str) -> str:
    return f"portal:remember:{release()}:{generation()}:{name}"


def remember(name: str, compute):
    """compute(), kept in the cache until the published content next changes.

    For plain values (is_plain) that depend only on published pages (not on the request): the
    caller puts everything that selects the value (page id, language) in `name`. Anything else
    is a programming error: a model instance in the cache is what a deploy cannot read back.
    """
    key = _remember_key(name)
    value = read(_cache(), key)
    if value is None:
        value = compute()
        if not is_plain(value):
            raise TypeError(f"remember({name!r}): only plain data may be kept, not {type(value).__name__}")
        if value is not None:  # nothing found is not kept: a visitor's bad URLs never fill the cache
            _cache().set(key, value, REMEMBER_SECONDS)
    return value


def restricted_paths() -> list[str]:
    """Tree paths of the pages whose view restrictions (theirs or, for an alias, its
    original's) apply below them; a page outside all of them has none (BasePage)."""
    from wagtail.models import Page, PageViewRestriction

    restricted = PageViewRestriction.objects.values("page_id")
    return remember(
        "restricted-paths",
        lambda: list(
            Page.objects.filter(Q(pk__in=restricted) | Q(alias_of__in=restricted)).values_list("path", flat=True)
        ),
    )


def _site_ports(compute: bool = True) -> dict[str, list[int]] | None:
    """{host name: ports} of the sites; with compute=False only when remembered already, else None."""
    from wagtail.models import Site

    if not compute:
        return read(_cache(), _remember_key("site-ports"))

    def find():
        ports: dict[str, list[int]] = {}
        for hostname, port in Site.objects.order_by("hostname", "port").values_list("hostname", "port"):
            ports.setdefault(hostname, []).append(port)
        return ports

    return remember("site-ports", find)


DEFAULT_PORTS = {"http": 80, "https": 443}


def normalised_address(request, ports: dict | None = None) -> str | None:
    """ "scheme://hostname[:port]" of the site the request's Host names, spelled one way: the site's
    host name (split_domain_port lowercases it and drops a trailing dot) and its port, left out when
    it is the scheme's. None when no site has that host name, or the port is neither the scheme's
    nor one of that host name's sites'."""
    hostname, port = split_domain_port(request.get_host())
    ports = _site_ports() if ports is None else ports
    if hostname not in ports:
        return None
    default = DEFAULT_PORTS.get(request.scheme)
    number = int(port) if port.isdigit() else default  # get_host() let only digits through
    if number != default and number not in ports[hostname]:
        return None
    return f"{request.scheme}://{hostname}" + ("" if number == default else f":{number}")


def site_address(request, ports: dict | None = None) -> str | None:
    """The request's normalised_address, when its Host header spells it so (as browsers do): a
    page's absolute URLs (canonical, hreflang) are built from the header as written, so this is
    the key of a cached page. None otherwise: any other spelling of a site's address (LOCALHOST,
    localhost., localhost:80, …) or any other port is answered afresh and nothing is kept for it —
    each would make new entries, and a page made for one spelling must never be shown at
    another, nor take the entry of the one visitors use."""
    address = normalised_address(request, ports)
    if address is None or address != f"{request.scheme}://{request.get_host()}":
        return None
    return address


def site_root(request):
    """The home page (specific) of the request's site, or None.

    The site is Wagtail's (Site.find_for_request, kept on the request by Wagtail, its root page
    loaded with it); `.specific` is kept on that page, so on a page view, whose routing asked
    for it already, this costs no query.
    """
    from wagtail.models import Site

    if request is None:
        return None
    try:
        site = Site.find_for_request(request)
    except DisallowedHost:
        return None
    return site.root_page.specific if site is not None else None


def mark_public(page, request, response):
    """Called by BasePage.serve: the response may be shared (HTTP caches, the page cache) unless
    it is a preview or the page lies below a view restriction."""
    if not getattr(request, "is_preview", False) and not any(page.path.startswith(path) for path in restricted_paths()):
        response.portal_public = True
        if getattr(settings, "PAGE_CACHE_SECONDS", 0) > 0:
            _site_ports()  # the page cache keys on the sites' addresses: remembered from now on
    return response


# The query parameters portal pages read (portal/filters.py: zone, topic, year and the delegation
# listing's host; portal/pagination.py: page). Others (utm_source, a cache-buster) change nothing
# but the language switcher's links, which repeat the query: a request with them is answered from
# the entry of the same URL without them, and its own answer is never stored.
QUERY_PARAMETERS = frozenset({"host", "page", "topic", "year", "zone"})


def known_query(query_string: str) -> str | None:
    """The query string as the pages read it: QUERY_PARAMETERS only, names and values decoded, one
    value per name (the last, as QueryDict.get gives it), sorted by name and encoded again; so
    "%70age=2", "page=1&page=2" and "utm=x&page=2" are all "page=2". None for a query Django
    refuses (too many fields)."""
    try:
        query = QueryDict(query_string)
    except SuspiciousOperation:
        return None
    return urlencode(sorted((name, query[name]) for name in QUERY_PARAMETERS if name in query))


def plain_query(query_string: str) -> bool:
    """Whether the query string is its known_query but for the order of its parameters: nothing a
    page does not read (unknown parameters, a value given twice, another spelling). The page's links
    repeat the query as written, so only such a page is stored for others to see."""
    known = known_query(query_string)
    if known is None:
        return False
    return sorted(query_string.split("&") if query_string else []) == sorted(known.split("&") if known else [])


def may_add_entry(request) -> bool:
    """At most PAGE_CACHE_NEW_PAGES_PER_CLIENT new cached pages per client address and minute;
    beyond that the client is served uncached (a crawler of made-up URLs fills nothing)."""
    limit = getattr(settings, "PAGE_CACHE_NEW_PAGES_PER_CLIENT", 0)
    if limit <= 0:
        return True
    key = f"portal:pagecache:client:{client_bucket(request)}:{int(time.time() // 60)}"
    cache = _cache()
    cache.add(key, 0, 120)
    try:
        return cache.incr(key) <= limit
    except ValueError:  # evicted in between
        return cache.add(key, 1, 120)
    except Exception:  # a value that does not unpickle (portal.cache.read): start again
        read(cache, key)
        return cache.add(key, 1, 120)


class PageCacheMiddleware:
    """Serves and stores anonymous visitors' pages (module docstring).

    The key holds what the response depends on and nothing a client can vary freely: the scheme,
    the site's address (site_address, normalised; every other host name shares one entry, which is
    served only to the host it was made for), the path and the known query parameters (known_query,
    normalised).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def key(self, request) -> str | None:
        if getattr(settings, "PAGE_CACHE_SECONDS", 0) <= 0 or request.method not in ("GET", "HEAD"):
            return None
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            return None
        # Never the database here (/healthz, static files, the database down): until a page has
        # remembered the sites' addresses in this generation, nothing is cached.
        ports = _site_ports(compute=False)
        if ports is None:
            return None
        address = site_address(request, ports)
        if address is None:
            hostname, port = split_domain_port(request.get_host())
            if hostname in ports or (port and int(port) != DEFAULT_PORTS.get(request.scheme)):
                return None
            address = f"{request.scheme}://*"
        query = known_query(request.META.get("QUERY_STRING", ""))
        if query is None:
            return None
        return f"portal:page:{release()}:{generation()}:{address}{request.path}?{query}"

    def __call__(self, request):
        token = _request_generation.set([])
        try:
            return self.respond(request)
        finally:
            _request_generation.reset(token)

    def respond(self, request):
        key, stored = self.key(request), None
        if key is not None:
            stored = read(_cache(), key)
            if stored is not None and stored["host"] == request.get_host():
                return self.replay(request, stored)
        response = self.get_response(request)
        if (
            stored is None
            and getattr(response, "portal_public", False)
            # the page found its site: the addresses are remembered now if they were not before
            and (key := key or self.key(request)) is not None
            and response.status_code == 200
            and not response.cookies
            and not response.streaming
            # the page's links repeat the query string: only one with nothing a page does not read is stored
            and plain_query(request.META.get("QUERY_STRING", ""))
            and may_add_entry(request)
        ):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            # The ETag ConditionalGetMiddleware would make, made once here and stored: a hit then
            # carries it and is not hashed again on every request.
            if not response.has_header("ETag"):
                set_response_etag(response)
            headers = [(name, value) for name, value in response.items() if name.lower() not in UNSTORED_HEADERS]
            stored = {
                "host": request.get_host(),
                "status": response.status_code,
                "headers": headers,
                "content": response.content,
            }
            _cache().set(key, stored, settings.PAGE_CACHE_SECONDS)
            response["X-Page-Cache"] = "miss"
        return response

    @staticmethod
    def replay(request, stored) -> HttpResponse:
        """The stored response as the page gave it (X-Frame-Options, Content-Length, Vary, …: the
        middleware inside this one ran when it was made); a HEAD gets the headers, no body."""
        content = b"" if request.method == "HEAD" else stored["content"]
        response = HttpResponse(content, status=stored["status"])
        for name, value in stored["headers"]:
            response[name] = value
        response["X-Page-Cache"] = "hit"
        return response


class CacheControlMiddleware:
    """Cache-Control for every response that has none (module docstring, layer 1).

    Inside PageCacheMiddleware, so a stored page keeps the header it was sent with.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control"):  # the view decided (admin, static files, feeds)
            return response
        if (
            getattr(response, "portal_public", False)
            and response.status_code == 200
            and not response.cookies
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        ):
            patch_cache_control(
                response,
                public=True,
                max_age=settings.HTTP_CACHE_MAX_AGE,
                s_maxage=settings.HTTP_CACHE_S_MAXAGE,
                stale_while_revalidate=settings.HTTP_CACHE_STALE_WHILE_REVALIDATE,
            )
        else:
            patch_cache_control(response, private=True, no_store=True)
        return response


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model
    from wagtail.models import Page, PageViewRestriction, Site, get_page_models
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from portal.cache import recovered
    from portal.models import SiteSettings, Topic

    # Back from an outage this process saw: a publish made meanwhile never reached the cache.
    recovered.connect(start_new_generation, dispatch_uid="portal_pagecache_cache_recovered")
    page_published.connect(invalidate, dispatch_uid="portal_pagecache_published")
    page_unpublished.connect(invalidate, dispatch_uid="portal_pagecache_unpublished")
    post_page_move.connect(invalidate, dispatch_uid="portal_pagecache_moved")
    post_delete.connect(invalidate, sender=Page, dispatch_uid="portal_pagecache_deleted")
    for model in get_page_models():
        uid = f"portal_pagecache_page_{model._meta.label_lower}"
        post_save.connect(invalidate_on_page_save, sender=model, dispatch_uid=uid)
    # Pages keep the images and documents they show (a new file, new alt text) and the site's root.
    for model in (Topic, SiteSettings, Site, get_image_model(), get_document_model()):
        post_save.connect(invalidate_on_change, sender=model, dispatch_uid=f"portal_pagecache_{model.__name__}")
        post_delete.connect(invalidate, sender=model, dispatch_uid=f"portal_pagecache_{model.__name__}_del")
    # A page made private must leave the cache at once (and a public one may now be cached).
    post_save.connect(invalidate, sender=PageViewRestriction, dispatch_uid="portal_pagecache_restriction")
    post_delete.connect(invalidate, sender=PageViewRestriction, dispatch_uid="portal_pagecache_restriction_del")
