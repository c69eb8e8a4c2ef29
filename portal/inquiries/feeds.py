"""RSS 2.0 and Atom feeds of the published questions and answers, one per language.

Served inside i18n_patterns (portal/inquiries/urls.py), so the URL's language prefix picks the
feed's language, as the news feeds do (news/feeds.py). Only live, public Q&A pages are in it;
the same number of queries whatever its length.
"""

import datetime
import uuid

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import escape
from django.utils.translation import gettext

from wagtail.models import Site

from portal import i18n
from portal.inquiries.pages import QuestionIndexPage, QuestionPage
from portal.models import public_pages
from portal.seo.head import FEED_TYPES, feed_links, plain_text, site_name

FEED_LENGTH = 30


def question_feed_title() -> str:
    """The feed's title in the active language; shared by the feed and its discovery links."""
    return f"{site_name()} · {gettext('Questions and answers')}"


def question_feed_links(request) -> list[dict[str, str]]:
    """Discovery links of the site's news feeds and of the questions' feeds."""
    links = feed_links(request)
    for kind, mime, label in FEED_TYPES:
        try:
            url = reverse(f"question_feed_{kind}")
        except NoReverseMatch:
            continue
        links.append(
            {"type": mime, "title": f"{question_feed_title()} ({label})", "href": request.build_absolute_uri(url)}
        )
    return links


class QuestionFeed(Feed):
    feed_type = Rss201rev2Feed

    def get_object(self, request):
        site = Site.find_for_request(request)
        if site is None:
            raise Http404("No site is configured for this host.")
        index = public_pages(QuestionIndexPage.objects.in_site(site)).order_by("path").first()
        return {"request": request, "site": site, "index": index, "language": translation.get_language()}

    def title(self, source) -> str:
        return question_feed_title()

    def link(self, source) -> str:
        page = source["index"] or source["site"].root_page
        return source["request"].build_absolute_uri(page.get_url(source["request"]) or "/")

    def description(self, source) -> str:
        return (plain_text(source["index"].intro) if source["index"] else "") or self.title(source)

    def subtitle(self, source) -> str:
        return self.description(source)

    def items(self, source) -> list:
        pages = public_pages(QuestionPage.objects.in_site(source["site"])).select_related("topic")
        request, language = source["request"], source["language"] or i18n.default_language()
        items = list(pages.order_by("-answered_date", "-pk")[:FEED_LENGTH])
        for page in items:
            page.feed_link = request.build_absolute_uri(page.get_url(request))
            # Stable across slug changes and hosts; one entry per page and language.
            page.feed_guid = f"urn:uuid:{uuid.uuid5(page.translation_key, language)}"
        return items

    def item_title(self, item) -> str:
        return item.title

    def item_description(self, item) -> str:
        # Feed readers read the description as HTML: the question, then the start of the answer.
        return escape(plain_text(item.question, 600)) + "<br><br>" + escape(plain_text(item.answer, 600))

    def item_link(self, item) -> str:
        return item.feed_link

    def item_guid(self, item) -> str:
        return item.feed_guid

    def item_guid_is_permalink(self, item) -> bool:
        return False

    def item_pubdate(self, item) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(item.answered_date, datetime.time.min))

    def item_updateddate(self, item) -> datetime.datetime:
        published = self.item_pubdate(item)
        online = item.last_published_at
        return max(online, published) if online else published

    def item_categories(self, item) -> list[str]:
        return [str(item.topic)] if item.topic_id else []


class QuestionAtomFeed(QuestionFeed):
    feed_type = Atom1Feed
