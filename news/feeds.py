"""RSS 2.0 and Atom feeds of the live news, one per language, and one per zone.

Served inside i18n_patterns (portal/urls.py includes this module under
"feeds/"), so the URL's language prefix picks the feed's language: titles,
summaries and links are that language's own. A feed makes the same number
of queries whatever its length.
"""

import datetime
import uuid
from dataclasses import dataclass

from django.apps import apps
from django.contrib.syndication.views import Feed
from django.db import connection
from django.http import Http404
from django.urls import path
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape

from wagtail.models import Page, Site

from news.models import NewsIndexPage, NewsPage
from portal import i18n
from portal.models import public_pages
from portal.seo.head import news_feed_title, plain_text

FEED_LENGTH = 30


@dataclass
class FeedSource:
    """One request's feed: its site, language and, for a zone's feed, the zone."""

    request: object
    site: Site
    language: str
    zone: Page | None = None
    index: Page | None = None


@dataclass
class FeedItem:
    page: NewsPage
    link: str
    guid: str


class NewsFeed(Feed):
    feed_type = Rss201rev2Feed

    def get_object(self, request, zone_id: int | None = None) -> FeedSource:
        site = Site.find_for_request(request)
        if site is None:
            raise Http404("No site is configured for this host.")
        source = FeedSource(request=request, site=site, language=translation.get_language() or i18n.default_language())
        if zone_id is not None:
            low, high = connection.ops.integer_field_range(Page._meta.pk.get_internal_type())
            if not low <= zone_id <= high:  # the database would raise, not find nothing
                raise Http404("No such zone.")
            zones = public_pages(apps.get_model("zones", "ZonePage").objects.in_site(site))
            source.zone = zones.get(pk=zone_id)  # DoesNotExist → 404 (Feed.__call__)
        source.index = public_pages(NewsIndexPage.objects.in_site(site)).order_by("path").first()
        return source

    def title(self, source: FeedSource) -> str:
        return news_feed_title(source.zone.title if source.zone else None)

    def link(self, source: FeedSource) -> str:
        page = source.zone or source.index or source.site.root_page
        return source.request.build_absolute_uri(page.get_url(source.request) or "/")

    def description(self, source: FeedSource) -> str:
        if source.zone is not None:
            return plain_text(source.zone.summary) or self.title(source)
        return (plain_text(source.index.intro) if source.index else "") or self.title(source)

    def subtitle(self, source: FeedSource) -> str:
        return self.description(source)

    def items(self, source: FeedSource) -> list[FeedItem]:
        news = public_pages(NewsPage.objects.in_site(source.site)).prefetch_related("topics").order_by("-date", "-pk")
        if source.zone is not None:
            news = news.filter(related_zones=source.zone)
        request = source.request
        return [
            FeedItem(
                page=page,
                link=request.build_absolute_uri(page.get_url(request)),
                # Stable across slug changes and hosts; one entry per page and language.
                guid=f"urn:uuid:{uuid.uuid5(page.translation_key, source.language)}",
            )
            for page in news[:FEED_LENGTH]
        ]

    def item_title(self, item: FeedItem) -> str:
        return item.page.title

    def item_description(self, item: FeedItem) -> str:
        # Feed readers read the description as HTML; the summary is plain text.
        return escape(item.page.summary)

    def item_link(self, item: FeedItem) -> str:
        return item.link

    def item_guid(self, item: FeedItem) -> str:
        return item.guid

    def item_guid_is_permalink(self, item: FeedItem) -> bool:
        return False

    def item_pubdate(self, item: FeedItem) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(item.page.date, datetime.time.min))

    def item_updateddate(self, item: FeedItem) -> datetime.datetime:
        # Atom needs an update time; the editorial date may lie after the page went online.
        published = self.item_pubdate(item)
        online = item.page.last_published_at
        return max(online, published) if online else published

    def item_author_name(self, item: FeedItem) -> str | None:
        return item.page.byline or item.page.source or None

    def item_categories(self, item: FeedItem) -> list[str]:
        return [str(topic) for topic in item.page.topics.all()]


class NewsAtomFeed(NewsFeed):
    feed_type = Atom1Feed


# Included by portal/urls.py inside i18n_patterns under "feeds/".
urlpatterns = [
    path("news.rss", NewsFeed(), name="news_feed_rss"),
    path("news.atom", NewsAtomFeed(), name="news_feed_atom"),
    path("zones/<int:zone_id>.rss", NewsFeed(), name="zone_feed_rss"),
    path("zones/<int:zone_id>.atom", NewsAtomFeed(), name="zone_feed_atom"),
]
