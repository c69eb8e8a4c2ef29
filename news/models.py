from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from modelcluster.fields import ParentalManyToManyField

from portal.models import RICH_TEXT_FEATURES, BasePage
from portal.pagination import paginate


class NewsIndexPage(BasePage):
    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["portal.HomePage"]
    subpage_types = ["news.NewsPage"]
    is_creatable = True

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        news = NewsPage.objects.live().descendant_of(self).select_related("lead_image").order_by("-date", "-pk")
        context["news_page"] = paginate(request, news)
        return context


class NewsPage(BasePage):
    date = models.DateField(_("date"), help_text=_("Date the article was posted on this portal."))
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
        # A page previewed before its first save has no reverse links yet.
        context["delegations"] = list(self.delegations.live().order_by("-start_date")) if self.pk else []
        return context
