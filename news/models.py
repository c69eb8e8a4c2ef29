from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from modelcluster.fields import ParentalManyToManyField

from portal import i18n
from portal.filters import Filters, year_archive
from portal.l10n.panels import TranslationStatusPanel
from portal.models import RICH_TEXT_FEATURES, BasePage, is_public, public_pages
from portal.pagination import narrow, paginate_listing


def first(queryset):
    """queryset.first(), choosing the row by its key alone (see narrow())."""
    return next(iter(narrow(queryset, 0, 1)), None)


class NewsIndexPage(BasePage):
    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [*Page.content_panels, TranslationStatusPanel(heading=_("Translations")), FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["portal.HomePage"]
    subpage_types = ["news.NewsPage"]
    is_creatable = True

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

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        facts = self.remembered(request, f"news-index:{translation.get_language()}", self.listing_facts)
        archive = facts["archive"]

        filters = Filters()
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
        filters.year(request, _("Year"), _("All years"), archive)
        news = filters.apply(self.news(), {"zone": "related_zones", "topic": "topics", "year": "date__year"})
        news = news.select_related("lead_image").order_by("-date", "-pk")
        # Unfiltered, the order of every article is remembered: a deep page is ten rows read by key
        # instead of the database walking thousands of rows to skip them.
        keys = None
        if not filters:
            keys = self.remembered(request, "news-keys", lambda: list(news.values_list("pk", flat=True)))
        context.update(
            news_page=paginate_listing(request, news, count=filters.known_count(archive), keys=keys),
            filters=filters,
            archive=archive,
        )
        return context


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

    class Meta:
        verbose_name = _("news article")
        verbose_name_plural = _("news articles")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(self.links())
        return context

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
