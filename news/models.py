from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from modelcluster.fields import ParentalManyToManyField

from portal import i18n
from portal.filters import year_archive
from portal.l10n.panels import TranslationStatusPanel
from portal.models import RICH_TEXT_FEATURES, BaseIndexPage, BasePage, is_public, public_pages
from portal.pagination import narrow
from portal.seo.head import plain_text
from portal.seo.jsonld import SCHEMA, compact, iso_date


def first(queryset):
    """queryset.first(), choosing the row by its key alone (see narrow())."""
    return next(iter(narrow(queryset, 0, 1)), None)


class NewsIndexPage(BaseIndexPage):
    subpage_types = ["news.NewsPage"]
    is_creatable = True
    type_key = "news_index"
    facts_name = "news-index"
    order_name = "news-keys"
    listing_name = "news_page"

    class Meta:
        verbose_name = _("news index")

    def listing_facts(self) -> dict:
        """The zones and topics that have news here, and the news per year, in the active
        language: aggregates over every article, remembered as plain data until the published
        content changes (see get_context). The zones' bodies in four languages stay unread."""
        from django.apps import apps

        all_news = self.news()
        zones = public_pages(apps.get_model("zones", "ZonePage").objects.all(), self)
        topics = apps.get_model("portal", "Topic").objects.all()
        zones = zones.filter(Exists(all_news.filter(related_zones=OuterRef("pk")))).order_by("path")
        return {
            "zones": [[zone.pk, zone.title] for zone in zones.only(*i18n.localized_columns("title"))],
            "topics": [
                [topic.slug, topic.pk, topic.name]
                for topic in topics.filter(Exists(all_news.filter(topics=OuterRef("pk")))).order_by("slug")
            ],
            "archive": year_archive(all_news, "date"),
        }

    def news(self):
        """The articles listed here: the public ones below this index (see public_pages)."""
        return public_pages(NewsPage.objects.descendant_of(self), self)

    def listing(self):
        return self.news()

    def add_filters(self, request, filters, facts) -> dict:
        filters.choice(
            request,
            "zone",
            _("Zone"),
            _("All zones"),
            {str(pk): (pk, title) for pk, title in facts["zones"]},
            _("Unknown zone; showing news of all zones."),
        )
        filters.choice(
            request,
            "topic",
            _("Topic"),
            _("All topics"),
            {slug: (pk, name) for slug, pk, name in facts["topics"]},
            _("Unknown topic; showing all topics."),
        )
        filters.year(request, _("Year"), _("All years"), facts["archive"])
        return {"zone": "related_zones", "topic": "topics", "year": "date__year"}

    def order_listing(self, items):
        return items.select_related("lead_image").order_by("-date", "-pk")


class NewsPage(BasePage):
    date = models.DateField(_("date"), db_index=True, help_text=_("Date the article was posted on this portal."))
    source = models.CharField(
        _("source"), max_length=255, blank=True, help_text=_("e.g. People's Daily, PRNewswire, SCODA")
    )
    source_url = models.URLField(_("source URL"), blank=True)
    source_date = models.DateField(
        _("source date"), null=True, blank=True, help_text=_("Date of the original publication, when it differs.")
    )
    byline = models.CharField(_("byline"), max_length=255, blank=True)
    dateline = models.CharField(
        _("dateline"), max_length=255, blank=True, help_text=_("e.g. CHONGQING, China, April 12")
    )
    summary = models.TextField(_("summary"), blank=True)
    body = RichTextField(_("body"), blank=True, features=RICH_TEXT_FEATURES)
    lead_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("lead image"),
    )
    lead_image_alt = models.CharField(_("lead image text alternative"), max_length=255, blank=True)
    topics = ParentalManyToManyField("portal.Topic", blank=True, related_name="news", verbose_name=_("topics"))
    related_zones = ParentalManyToManyField(
        "zones.ZonePage", blank=True, related_name="news", verbose_name=_("related zones")
    )
    press_contact = models.TextField(_("press contact"), blank=True, help_text=_("Name and role, e.g. Ms. Fu"))
    press_contact_phone = models.CharField(_("press contact phone"), max_length=50, blank=True)
    press_contact_email = models.EmailField(_("press contact email"), blank=True)

    content_panels = [
        *Page.content_panels,
        TranslationStatusPanel(heading=_("Translations")),
        FieldRowPanel([FieldPanel("date"), FieldPanel("source_date")]),
        MultiFieldPanel(
            [FieldPanel("source"), FieldPanel("source_url"), FieldPanel("byline"), FieldPanel("dateline")],
            heading=_("Source"),
        ),
        FieldPanel("summary"),
        FieldPanel("body"),
        MultiFieldPanel([FieldPanel("lead_image"), FieldPanel("lead_image_alt")], heading=_("Lead image")),
        MultiFieldPanel([FieldPanel("topics"), FieldPanel("related_zones")], heading=_("Links")),
        MultiFieldPanel(
            [FieldPanel("press_contact"), FieldPanel("press_contact_phone"), FieldPanel("press_contact_email")],
            heading=_("Press contact"),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("source"),
        index.FilterField("date"),
    ]

    parent_page_types = ["news.NewsIndexPage"]
    subpage_types = []
    is_creatable = True
    type_key = "news"
    search_label = _("News")
    fixture_file = "news.json"
    related_names = ("topics", "related_zones", "previous_news", "next_news", "related_news", "delegations")
    description_fields = ("summary", "body")
    og_type = "article"

    class Meta:
        verbose_name = _("news article")
        verbose_name_plural = _("news articles")

    @property
    def sort_date(self):
        return self.date

    def share_image(self):
        return (self.lead_image, self.lead_image_alt) if self.lead_image_id else None

    def article_times(self) -> list[tuple[str, str]]:
        times = [("published_time", iso_date(self.date))]
        if self.last_published_at:
            times.append(("modified_time", iso_date(self.last_published_at)))
        return times

    def structured_data(self, facts) -> dict:
        """A schema.org NewsArticle; its keywords are the topics get_context shows (related())."""
        publisher = facts.publisher()
        if self.byline:
            author = {"@type": "Person", "name": self.byline}
        elif self.source:
            author = {"@type": "Organization", "name": self.source}
        else:
            author = publisher
        modified = self.last_published_at or self.latest_revision_created_at
        # The editorial date may lie after the moment the page went online; never modified before published.
        date_modified = iso_date(modified) if modified and modified.date() >= self.date else iso_date(self.date)
        based_on = None
        if self.source_url:
            based_on = compact(
                {
                    "@type": "CreativeWork",
                    "url": self.source_url,
                    "datePublished": iso_date(self.source_date),
                    "publisher": {"@type": "Organization", "name": self.source} if self.source else None,
                }
            )
        image = facts.image
        return compact(
            {
                "@context": SCHEMA,
                "@type": "NewsArticle",
                "@id": f"{facts.canonical}#article",
                "headline": self.title,
                "url": facts.canonical,
                "mainEntityOfPage": {"@type": "WebPage", "@id": facts.canonical},
                "datePublished": iso_date(self.date),
                "dateModified": date_modified,
                "inLanguage": facts.language,
                "description": plain_text(self.summary) or plain_text(self.search_description),
                "dateline": self.dateline,
                "author": [author],
                "publisher": publisher,
                "image": [image["url"]] if image else None,
                "keywords": [str(topic) for topic in self.related(facts.request)["topics"]],
                "isBasedOn": based_on,
            }
        )

    def links(self) -> dict:
        """Topics, zones, visits, the older and newer article, related articles."""
        topics = list(self.topics.all())
        zones = [zone for zone in self.related_zones.all() if is_public(zone, self)]
        if not self.pk:  # a page previewed before its first save has no reverse links yet
            return {"topics": topics, "related_zones": zones, "related_news": [], "delegations": []}
        return {
            "topics": topics,
            "related_zones": zones,
            **self.neighbours(),
            "related_news": self.related_news(topics, zones),
            "delegations": list(public_pages(self.delegations.all(), self).order_by("-start_date")),
        }

    def neighbours(self) -> dict:
        """The previous (older) and next (newer) article in the same index."""
        siblings = public_pages(NewsPage.objects.sibling_of(self, inclusive=False), self)
        # date__lte / date__gte repeat what the Q says, so that the date index can serve the range
        older = siblings.filter(Q(date__lt=self.date) | Q(date=self.date, pk__lt=self.pk), date__lte=self.date)
        newer = siblings.filter(Q(date__gt=self.date) | Q(date=self.date, pk__gt=self.pk), date__gte=self.date)
        older, newer = older.order_by("-date", "-pk"), newer.order_by("date", "pk")
        return {"previous_news": first(older), "next_news": first(newer)}

    def related_news(self, topics, zones, limit: int = 3) -> list:
        """Newest articles sharing one of `topics` or `zones` with this one."""
        topic_ids = [t.pk for t in topics]
        zone_ids = [z.pk for z in zones]
        if not topic_ids and not zone_ids:
            return []
        candidates = (
            public_pages(NewsPage.objects.exclude(pk=self.pk), self)
            .filter(Q(topics__in=topic_ids) | Q(related_zones__in=zone_ids))
            .values_list("pk", flat=True)
            .distinct()
        )
        related = NewsPage.objects.filter(pk__in=candidates).select_related("lead_image")
        return list(narrow(related.order_by("-date", "-pk"), 0, limit))
