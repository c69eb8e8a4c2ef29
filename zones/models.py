from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from modelcluster.fields import ParentalKey, ParentalManyToManyField

from portal import i18n
from portal.filters import year_archive
from portal.l10n.panels import TranslationStatusPanel
from portal.models import RICH_TEXT_FEATURES, BaseIndexPage, BasePage, is_public, public_pages, today
from portal.pagination import narrow
from portal.seo.head import feed_links, plain_text
from portal.seo.jsonld import SCHEMA, compact, iso_date, place


class ZoneKind(models.TextChoices):
    DEMONSTRATION_AREA = "demonstration_area", _("Demonstration area")
    NEW_AREA = "new_area", _("State-level new area")
    BORDER_ZONE = "border_zone", _("Border economic cooperation zone")
    HITECH_ZONE = "hitech_zone", _("Hi-tech industrial development zone")
    FREE_TRADE_ZONE = "free_trade_zone", _("Free trade zone")
    PORT = "port", _("Port")
    CITY = "city", _("City")
    BRANCH_PARK = "branch_park", _("Branch park")
    PLATFORM = "platform", _("Cooperation platform")


class ZoneIndexPage(BaseIndexPage):
    subpage_types = ["zones.ZonePage"]
    is_creatable = True
    type_key = "zone_index"

    class Meta:
        verbose_name = _("zone index")

    def listing(self):
        return public_pages(ZonePage.objects.descendant_of(self), self)

    def order_listing(self, items):
        return items.select_related("image").prefetch_related("facts").order_by("path")

    def listing_context(self, request, items, filters, facts) -> dict:
        """Every zone at once (`zones`, in tree order), and grouped by kind in the order the kinds
        are declared (the demonstration area first). Each zone gets `parent_zone` (the zone it is
        part of, when listed) and `listed_facts` (two facts, key figures first)."""
        zones = list(items)
        by_path = {zone.path: zone for zone in zones}
        by_kind = {}
        for zone in zones:
            zone.parent_zone = by_path.get(zone.path[: -zone.steplen])
            zone.listed_facts = sorted(zone.facts.all(), key=lambda fact: not fact.key_figure)[:2]
            by_kind.setdefault(zone.kind, []).append(zone)
        return {
            "zones": zones,
            "zone_groups": [
                {"kind": kind, "label": label, "zones": by_kind[kind]}
                for kind, label in ZoneKind.choices
                if kind in by_kind
            ],
        }


class ZonePage(BasePage):
    kind = models.CharField(_("kind"), max_length=32, choices=ZoneKind.choices)
    country = models.CharField(_("country"), max_length=100, blank=True)
    province = models.CharField(_("province or region"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    established = models.DateField(_("established"), null=True, blank=True)
    area_km2 = models.DecimalField(
        _("area (km²)"), max_digits=10, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    key_industries = models.TextField(_("key industries"), blank=True, help_text=_("One industry per line."))
    website = models.URLField(_("website"), blank=True)
    contact = models.TextField(_("contact"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    body = RichTextField(_("body"), blank=True, features=RICH_TEXT_FEATURES)
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("image"),
    )
    image_alt = models.CharField(_("image text alternative"), max_length=255, blank=True)

    content_panels = [
        *Page.content_panels,
        TranslationStatusPanel(heading=_("Translations")),
        FieldPanel("kind"),
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("country"),
                FieldPanel("province"),
                FieldPanel("city"),
                FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
            ],
            heading=_("Location"),
        ),
        FieldRowPanel([FieldPanel("established"), FieldPanel("area_km2")]),
        FieldPanel("key_industries"),
        InlinePanel("facts", label=_("Facts")),
        FieldPanel("body"),
        MultiFieldPanel([FieldPanel("image"), FieldPanel("image_alt")], heading=_("Image")),
        MultiFieldPanel(
            [FieldPanel("website"), FieldPanel("contact"), FieldPanel("contact_phone"), FieldPanel("contact_email")],
            heading=_("Contact"),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("key_industries"),
        index.SearchField("city"),
        index.FilterField("kind"),
    ]

    parent_page_types = ["zones.ZoneIndexPage", "zones.ZonePage"]
    subpage_types = ["zones.ZonePage"]
    is_creatable = True
    type_key = "zone"
    search_label = _("Zones")
    fixture_file = "zones.json"
    related_names = ("facts", "sub_zones", "zone_news", "hosted_delegations", "sent_delegations")
    description_fields = ("summary", "body")

    class Meta:
        verbose_name = _("zone")
        verbose_name_plural = _("zones")

    @property
    def industries(self) -> list[str]:
        return [line.strip() for line in (self.key_industries or "").splitlines() if line.strip()]

    def share_image(self):
        return (self.image, self.image_alt) if self.image_id else None

    def feed_links(self, request) -> list[dict[str, str]]:
        """The site's news feeds and this zone's."""
        return feed_links(request, zone=self)

    def structured_data(self, facts) -> dict:
        """A schema.org Place and GovernmentOrganization, within its parent zone."""
        ancestors = facts.ancestors
        parent = ancestors[-1] if ancestors else None
        contained_in = None
        if parent is not None and parent.specific_class is type(self):
            contained_in = {"@type": "Place", "name": parent.title, "url": facts.absolute_url(parent)}
        location = place(facts, self, types=("Place", "GovernmentOrganization"))
        image = facts.image
        return compact(
            {
                "@context": SCHEMA,
                "@type": location["@type"],
                "@id": f"{facts.canonical}#zone",
                "name": self.title,
                "url": facts.canonical,
                "mainEntityOfPage": facts.canonical,
                "description": plain_text(self.summary) or plain_text(self.search_description),
                "geo": location.get("geo"),
                "address": location.get("address"),
                "foundingDate": iso_date(self.established),
                "sameAs": self.website,
                "image": image["url"] if image else None,
                "containedInPlace": contained_in,
                "knowsAbout": self.industries,
            }
        )

    def links(self) -> dict:
        """Facts, branch parks, the zone's latest news and its visits."""
        facts = list(self.facts.select_related("source_page"))
        for fact in facts:
            # the article a figure comes from is linked only while a visitor of this zone may see it
            fact.source_article = fact.source_page if is_public(fact.source_page, self) else None
        links = {"facts": facts}
        if self.pk:  # a page previewed before its first save has no reverse links yet
            links.update(
                sub_zones=list(public_pages(ZonePage.objects.child_of(self), self).order_by("path")),
                zone_news=list(narrow(public_pages(self.news.all(), self).order_by("-date", "-pk"), 0, 10)),
                hosted_delegations=list(public_pages(self.hosted_delegations.all(), self).order_by("-start_date")),
                sent_delegations=list(public_pages(self.sent_delegations.all(), self).order_by("-start_date")),
            )
        return links


class ZoneFact(Orderable):
    """A figure about a zone, with where it comes from and when it held."""

    page = ParentalKey(ZonePage, on_delete=models.CASCADE, related_name="facts")
    label = models.CharField(_("label"), max_length=255)
    value = models.CharField(_("value"), max_length=255)
    source = models.CharField(
        _("source"), max_length=255, blank=True, help_text=_("Document or publication the figure comes from.")
    )
    source_page = models.ForeignKey(
        "news.NewsPage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("source article"),
    )
    as_of = models.DateField(_("as of"), null=True, blank=True)
    key_figure = models.BooleanField(
        _("key figure"),
        default=False,
        help_text=_("Show on the home page, in the key figures band, with its source and date."),
    )

    panels = [
        FieldPanel("label"),
        FieldPanel("value"),
        FieldPanel("source"),
        FieldPanel("source_page"),
        FieldPanel("as_of"),
        FieldPanel("key_figure"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("fact")


class DelegationIndexPage(BaseIndexPage):
    subpage_types = ["zones.DelegationPage"]
    is_creatable = True
    type_key = "delegation_index"
    facts_name = "delegation-index"
    listing_name = "delegations_page"
    per_page = 20

    class Meta:
        verbose_name = _("delegation index")

    def listing_facts(self) -> dict:
        """The zones that host visits here (titles only), and the visits per year (see NewsIndexPage)."""
        hosting = Exists(self.visits().filter(host_zone=OuterRef("pk")))
        return {
            "hosts": [
                [zone.pk, zone.title]
                for zone in public_pages(ZonePage.objects.filter(hosting), self)
                .order_by("path")
                .only(*i18n.localized_columns("title"))
            ],
            "archive": year_archive(self.visits(), "start_date"),
        }

    def visits(self):
        """The visits listed here: the public ones below this index (see public_pages)."""
        return public_pages(DelegationPage.objects.child_of(self), self)

    def listing(self):
        return self.visits()

    def add_filters(self, request, filters, facts) -> dict:
        filters.choice(
            request,
            "host",
            _("Host zone"),
            _("All zones"),
            {str(pk): (pk, title) for pk, title in facts["hosts"]},
            _("Unknown host zone; showing all visits."),
        )
        filters.year(request, _("Year"), _("All years"), facts["archive"])
        return {"host": "host_zone", "year": "start_date__year"}

    def order_listing(self, items):
        return items.select_related("host_zone").order_by("-start_date", "-pk")

    def listing_context(self, request, items, filters, facts) -> dict:
        context = super().listing_context(request, items, filters, facts)
        # a visit's host zone is named only when public: the hosts of the filter are exactly those
        context["public_hosts"] = {pk for pk, _title in facts["hosts"]}
        # visits not over yet are marked upcoming: the listing part is kept per day (its key)
        context["today"] = today()
        return context


class DelegationPage(BasePage):
    start_date = models.DateField(_("start date"), db_index=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    leader_name = models.CharField(_("leader"), max_length=255, blank=True)
    leader_position = models.CharField(_("leader's position"), max_length=500, blank=True)
    sending_organisations = models.TextField(_("sending organisations"), blank=True, help_text=_("One per line."))
    sending_zones = ParentalManyToManyField(
        ZonePage, blank=True, related_name="sent_delegations", verbose_name=_("sending zones")
    )
    host_zone = models.ForeignKey(
        ZonePage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hosted_delegations",
        verbose_name=_("host zone"),
    )
    places_visited = models.TextField(_("places visited"), blank=True, help_text=_("One per line."))
    topics = ParentalManyToManyField("portal.Topic", blank=True, related_name="delegations", verbose_name=_("topics"))
    summary = models.TextField(_("summary"), blank=True)
    outcomes = RichTextField(_("outcomes"), blank=True, features=RICH_TEXT_FEATURES)
    related_news = ParentalManyToManyField(
        "news.NewsPage", blank=True, related_name="delegations", verbose_name=_("related news")
    )

    content_panels = [
        *Page.content_panels,
        TranslationStatusPanel(heading=_("Translations")),
        FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
        FieldPanel("summary"),
        MultiFieldPanel([FieldPanel("leader_name"), FieldPanel("leader_position")], heading=_("Leader")),
        InlinePanel("members", label=_("Members")),
        MultiFieldPanel(
            [FieldPanel("sending_organisations"), FieldPanel("sending_zones"), FieldPanel("host_zone")],
            heading=_("Who visited whom"),
        ),
        FieldPanel("places_visited"),
        FieldPanel("topics"),
        FieldPanel("outcomes"),
        FieldPanel("related_news"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("outcomes"),
        index.SearchField("leader_name"),
        index.FilterField("start_date"),
    ]

    parent_page_types = ["zones.DelegationIndexPage"]
    subpage_types = []
    is_creatable = True
    type_key = "delegation"
    search_label = _("Delegation visits")
    fixture_file = "delegations.json"
    related_names = ("members", "host_zone", "sending_zones", "topics", "related_news")
    description_fields = ("summary",)

    class Meta:
        verbose_name = _("delegation visit")
        verbose_name_plural = _("delegation visits")

    def clean(self):
        super().clean()
        if self.end_date and self.start_date and self.end_date < self.start_date:
            from django.core.exceptions import ValidationError

            raise ValidationError({"end_date": _("The end date is before the start date.")})

    @property
    def organisations(self) -> list[str]:
        return [line.strip() for line in (self.sending_organisations or "").splitlines() if line.strip()]

    @property
    def places(self) -> list[str]:
        return [line.strip() for line in (self.places_visited or "").splitlines() if line.strip()]

    @property
    def sort_date(self):
        return self.start_date

    @property
    def last_day(self):
        """The visit's last day (its start when it has no end): upcoming or ongoing until it passes."""
        return self.end_date or self.start_date

    def structured_data(self, facts) -> dict:
        """A schema.org Event: the visiting side organises it, its people and zones attend. The
        members, zones and topics are those get_context shows (related()): no query of its own."""
        related = self.related(facts.request)
        zones = [
            {"@type": "GovernmentOrganization", "name": zone.title, "url": facts.absolute_url(zone)}
            for zone in related["sending_zones"]
        ]
        organisations = [{"@type": "Organization", "name": name} for name in self.organisations]
        people = []
        if self.leader_name:
            people.append(compact({"@type": "Person", "name": self.leader_name, "jobTitle": self.leader_position}))
        for member in related["members"]:
            people.append(
                compact(
                    {
                        "@type": "Person",
                        "name": member.name,
                        "jobTitle": member.position,
                        "affiliation": {"@type": "Organization", "name": member.organisation}
                        if member.organisation
                        else None,
                    }
                )
            )
        host = related["host_zone"]  # None when private
        if host is not None:
            location = [place(facts, host)]
        else:
            location = [{"@type": "Place", "name": name} for name in self.places]
        return compact(
            {
                "@context": SCHEMA,
                "@type": "Event",
                "@id": f"{facts.canonical}#event",
                "name": self.title,
                "url": facts.canonical,
                "mainEntityOfPage": facts.canonical,
                "description": plain_text(self.summary) or plain_text(self.search_description),
                "startDate": iso_date(self.start_date),
                "endDate": iso_date(self.end_date or self.start_date),
                "eventAttendanceMode": f"{SCHEMA}/OfflineEventAttendanceMode",
                "inLanguage": facts.language,
                "location": location,
                # The visiting side organises a delegation; its people and zones attend.
                "organizer": zones + organisations,
                "attendee": people + zones,
                "keywords": [str(topic) for topic in related["topics"]],
            }
        )

    def links(self) -> dict:
        """Members, sending zones, the host zone (None when private), topics, news about the visit."""
        return {
            "members": list(self.members.all()),
            "host_zone": self.host_zone if is_public(self.host_zone, self) else None,
            "sending_zones": [zone for zone in self.sending_zones.all() if is_public(zone, self)],
            "topics": list(self.topics.all()),
            "related_news": sorted(
                (news for news in self.related_news.all() if is_public(news, self)), key=lambda n: n.date, reverse=True
            ),
        }


class DelegationMember(Orderable):
    page = ParentalKey(DelegationPage, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(_("name"), max_length=255)
    position = models.CharField(_("position"), max_length=500, blank=True)
    organisation = models.CharField(_("organisation"), max_length=255, blank=True)

    panels = [FieldPanel("name"), FieldPanel("position"), FieldPanel("organisation")]

    class Meta(Orderable.Meta):
        verbose_name = _("member")
