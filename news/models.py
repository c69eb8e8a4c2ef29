from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from modelcluster.fields import ParentalManyToManyField

from portal.filters import Filters, year_archive
from portal.l10n.panels import TranslationStatusPanel
from portal.models import RICH_TEXT_FEATURES, BasePage
from portal.pagination import paginate


class NewsIndexPage(BasePage):
    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [*Page.content_panels, TranslationStatusPanel(heading=_("Translations")), FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["portal.HomePage"]
    subpage_types = ["news.NewsPage"]
    is_creatable = True

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request, *args, **kwargs):
        from django.apps import apps

        context = super().get_context(request, *args, **kwargs)
        all_news = NewsPage.objects.live().descendant_of(self)
        zone_model = apps.get_model("zones", "ZonePage")
        topic_model = apps.get_model("portal", "Topic")
        zones = list(zone_model.objects.live().filter(news__in=all_news).distinct().order_by("path"))
        topics = list(topic_model.objects.filter(news__in=all_news).distinct().order_by("slug"))
        archive = year_archive(all_news, "date")

        filters = Filters()
        filters.choice(
            request,
            "zone",
            _("Zone"),
            _("All zones"),
            {str(z.pk): (z, z.title) for z in zones},
            _("Unknown zone; showing news of all zones."),
        )
        filters.choice(
            request,
            "topic",
            _("Topic"),
            _("All topics"),
            {t.slug: (t, t.name) for t in topics},
            _("Unknown topic; showing all topics."),
        )
        filters.year(request, _("Year"), _("All years"), archive)
        news = filters.apply(all_news, {"zone": "related_zones", "topic": "topics", "year": "date__year"})
        news = news.select_related("lead_image").order_by("-date", "-pk")
        context.update(
            news_page=paginate(request, news),
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
        context["topics"] = list(self.topics.all())
        context["related_zones"] = list(self.related_zones.filter(live=True))
        if self.pk:
            context.update(self.neighbours())
            context["related_news"] = self.related_news(context["topics"], context["related_zones"])
        # A page previewed before its first save has no reverse links yet.
        context.setdefault("related_news", [])
        context["delegations"] = list(self.delegations.live().order_by("-start_date")) if self.pk else []
        return context

    def neighbours(self) -> dict:
        """The previous (older) and next (newer) article in the same index."""
        siblings = NewsPage.objects.live().sibling_of(self, inclusive=False)
        older = siblings.filter(Q(date__lt=self.date) | Q(date=self.date, pk__lt=self.pk)).order_by("-date", "-pk")
        newer = siblings.filter(Q(date__gt=self.date) | Q(date=self.date, pk__gt=self.pk)).order_by("date", "pk")
        return {"previous_news": older.first(), "next_news": newer.first()}

    def related_news(self, topics, zones, limit: int = 3) -> list:
        """Newest articles sharing one of `topics` or `zones` with this one."""
        topic_ids = [t.pk for t in topics]
        zone_ids = [z.pk for z in zones]
        if not topic_ids and not zone_ids:
            return []
        candidates = (
            NewsPage.objects.live()
            .exclude(pk=self.pk)
            .filter(Q(topics__in=topic_ids) | Q(related_zones__in=zone_ids))
            .values_list("pk", flat=True)
            .distinct()
        )
        return list(NewsPage.objects.filter(pk__in=candidates).order_by("-date", "-pk")[:limit])
