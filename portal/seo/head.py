"""What search engines and feed readers read in a page's head: metadata, hreflang, feed links, JSON-LD.

Built on portal.i18n (languages, default language, page_urls)
(a page's URL in every language). What differs by page type (description, share
image, Open Graph type, feeds, JSON-LD) the page says itself, through BasePage's
interface: no page type is named here.

Every response has an og:image: the page's own picture (BasePage.share_image), else its share
card (portal/sharecards.py: its title on a branded picture; live public pages only), else the
default share image (views that are not pages, previews, private pages).

Head metadata adds no database query to a page view: the breadcrumb trail
reuses the home page and menu pages the header loads anyway, and a page's
JSON-LD the lists its get_context already built (BasePage.related).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.conf import settings
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from wagtail.images.models import SourceImageIOError
from wagtail.models import Page

from portal import i18n, identity, pagecache, sharecards
from portal.models import BasePage, SiteSettings
from portal.seo.jsonld import SCHEMA, compact, json_ld

X_DEFAULT = "x-default"
# Open Graph wants language_TERRITORY; Django's to_locale gives zh_Hans, en, de, ru.
OG_LOCALES = {"zh-hans": "zh_CN", "en": "en_US", "de": "de_DE", "ru": "ru_RU"}
OG_IMAGE_SPEC = "fill-1200x630"
DESCRIPTION_LENGTH = 300
FEED_TYPES = (("rss", "application/rss+xml", "RSS"), ("atom", "application/atom+xml", "Atom"))


def og_locale(code: str) -> str:
    return OG_LOCALES.get(code) or translation.to_locale(code)


def site_name() -> str:
    return str(settings.WAGTAIL_SITE_NAME)


def news_feed_title(zone_title: str | None = None) -> str:
    """The news feed's title in the active language; shared by the feeds and their discovery links."""
    return f"{zone_title or site_name()} · {gettext('News')}"


def plain_text(value: str | None, length: int = DESCRIPTION_LENGTH) -> str:
    """`value` (rich or plain text) as plain text of at most `length` characters, cut at a word
    boundary (CJK at a character) with an ellipsis (portal.text.cut)."""
    from portal.text import cut

    return cut(i18n.html_to_text(value), length)


# --- URLs in every language ---------------------------------------------------


def page_language_urls(page: Page, request) -> dict[str, str]:
    """{language: site-relative URL} of `page` (i18n.page_urls)."""
    return i18n.page_urls(page, request)


def view_language_urls(request) -> dict[str, str]:
    """{language: path} of a view that is not a page (search); its URL patterns translate it."""
    return {code: translate_url(request.path, code) for code in i18n.language_codes()}


def hreflang_alternates(urls: Mapping[str, str]) -> list[dict[str, str]]:
    """hreflang links for every language plus x-default (the default language's URL).

    The list is the same on every language version of a page, so the
    alternates are reciprocal by construction.
    """
    alternates = [{"hreflang": code, "href": urls[code]} for code in i18n.language_codes() if code in urls]
    if i18n.default_language() in urls:
        alternates.append({"hreflang": X_DEFAULT, "href": urls[i18n.default_language()]})
    return alternates


# --- Head metadata ----------------------------------------------------------------


@dataclass
class Head:
    """What templates/includes/seo_head.html renders."""

    canonical: str | None
    alternates: list[dict[str, str]]
    title: str
    description: str
    meta_description: str
    og_type: str
    og_locale: str
    og_locale_alternates: list[str]
    site_name: str
    image: dict | None
    article: list[tuple[str, str]]
    twitter_card: str
    feeds: list[dict[str, str]]
    json_ld: list[SafeString]


class PageFacts:
    """One request's view of one page: absolute URLs, publisher, ancestors, image."""

    def __init__(self, page: Page, request, known_pages: Iterable[Page]):
        self.page = page
        self.request = request
        self.language = translation.get_language() or i18n.default_language()
        self.urls = {code: request.build_absolute_uri(url) for code, url in page_language_urls(page, request).items()}
        self.canonical = self.urls.get(self.language)
        self.known_pages = [p for p in known_pages if p is not None]

    def absolute_url(self, page: Page) -> str | None:
        url = page.get_url(self.request)
        return self.request.build_absolute_uri(url) if url else None

    def publisher(self) -> dict:
        settings_ = SiteSettings.for_request(self.request)
        root = self.root_page()
        return compact(
            {
                "@type": "Organization",
                "name": settings_.organisation or site_name(),
                "url": self.absolute_url(root) if root else None,
            }
        )

    def root_page(self) -> Page | None:
        return pagecache.site_root(self.request)

    @cached_property
    def ancestors(self) -> list[Page]:
        return ancestors(self.page, self.request, self.known_pages)

    @cached_property
    def image(self) -> dict | None:
        """The page's share image (BasePage.share_image) as og:image and JSON-LD give it, or None."""
        shared = self.page.share_image() if isinstance(self.page, BasePage) else None
        return self.rendition(*shared) if shared else None

    def rendition(self, image, alt: str = "") -> dict | None:
        if image is None:
            return None
        try:
            rendition = image.get_rendition(OG_IMAGE_SPEC)
        except SourceImageIOError:
            return None
        return {
            "url": self.request.build_absolute_uri(rendition.url),
            "width": rendition.width,
            "height": rendition.height,
            "alt": alt or "",
        }


def ancestors(page: Page, request, known_pages: Iterable[Page] = ()) -> list[Page]:
    """Pages from the site's home page down to the page's parent (breadcrumbs, structured data).

    Taken from the pages this request already loaded (home, menu) where
    possible; only ancestors below the menu level cost one query, once per
    request (kept on the request for the breadcrumbs and the head).
    """
    kept = request.__dict__.setdefault("_portal_ancestors", {})
    if page.pk in kept:
        return kept[page.pk]
    known_pages = [p for p in known_pages if p is not None]
    root = pagecache.site_root(request)
    if root is None or not page.path or page.path == root.path:
        found_list = []
    elif not page.path.startswith(root.path):  # a page of another site
        found_list = list(page.get_ancestors().filter(depth__gte=2))
    else:
        step = Page.steplen
        paths = [page.path[: depth * step] for depth in range(root.depth, page.depth)]
        found = {p.path: p for p in [root, *known_pages] if p.path in paths}
        missing = [p for p in paths if p not in found]
        if missing:
            found.update({p.path: p for p in Page.objects.filter(path__in=missing)})
        found_list = [found[p] for p in paths if p in found]
    if page.pk:
        kept[page.pk] = found_list
    return found_list


def breadcrumb_list(facts: PageFacts) -> dict:
    trail = [(p.title, facts.absolute_url(p)) for p in facts.ancestors]
    trail.append((facts.page.title, facts.canonical))
    return {
        "@context": SCHEMA,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": url}
            for position, (name, url) in enumerate(((n, u) for n, u in trail if u), start=1)
        ],
    }


def feed_links(request, zone: Page | None = None) -> list[dict[str, str]]:
    """Discovery links for the news feeds of the active language (and of `zone`)."""
    links = []
    sources = [("news_feed_{}", {}, None)]
    if zone is not None and zone.pk:
        sources.append(("zone_feed_{}", {"zone_id": zone.pk}, zone.title))
    for name, kwargs, zone_title in sources:
        for kind, mime, label in FEED_TYPES:
            try:
                url = reverse(name.format(kind), kwargs=kwargs)
            except NoReverseMatch:
                continue
            links.append(
                {
                    "type": mime,
                    "title": f"{news_feed_title(zone_title)} ({label})",
                    "href": request.build_absolute_uri(url),
                }
            )
    return links


def head_metadata(request, page: Any = None, known_pages: Iterable = ()) -> Head:
    """The <head> metadata of the current response in the active language.

    `page` is absent on views that are not pages (search, 404); those get
    canonical and hreflang links only when their URL resolves to a view other
    than Wagtail's page serving (a 404 for a missing page has no canonical).
    """
    language = translation.get_language() or i18n.default_language()
    names = identity.site_names(request)
    head = Head(
        canonical=None,
        alternates=[],
        title=names.short_name,
        description="",
        meta_description="",
        og_type="website",
        og_locale=og_locale(language),
        og_locale_alternates=[og_locale(code) for code in i18n.language_codes() if code != language],
        site_name=names.short_name,
        image=None,
        article=[],
        twitter_card="summary_large_image",
        feeds=[],
        json_ld=[],
    )
    if request is None:
        return head
    if not isinstance(page, Page):
        head.image = sharecards.default_image(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.url_name != "wagtail_serve":
            urls = {code: request.build_absolute_uri(url) for code, url in view_language_urls(request).items()}
            head.canonical = urls.get(language)
            head.alternates = hreflang_alternates(urls)
        head.feeds = feed_links(request)
        return head

    facts = PageFacts(page, request, known_pages)
    portal_page = isinstance(page, BasePage)  # else Wagtail's own Page: its title and description only
    head.canonical = facts.canonical
    head.alternates = hreflang_alternates(facts.urls)
    head.title = page.seo_title or page.title
    head.description = page.description() if portal_page else plain_text(page.search_description)
    # base.html writes the editor's search description; fill in only when it is empty.
    head.meta_description = "" if page.search_description else head.description
    # The page's own picture, else its share card, else the default image: always one.
    head.image = facts.image or sharecards.page_card(page, request) or sharecards.default_image(request)
    head.feeds = page.feed_links(request) if portal_page else feed_links(request)
    if portal_page:
        head.og_type = page.og_type
        head.article = page.article_times()
    blocks = []
    if facts.canonical:
        structured = page.structured_data(facts) if portal_page else None
        blocks = [structured, breadcrumb_list(facts)] if structured else [breadcrumb_list(facts)]
    head.json_ld = [json_ld(block) for block in blocks]
    return head
