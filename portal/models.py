from functools import partial

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils import timezone, translation
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.images import get_image_model
from wagtail.models import Orderable, Page, get_page_models
from wagtail.search import index
from wagtail.url_routing import RouteResult

from modelcluster.fields import ParentalKey

from portal import i18n, pagecache
from portal.filters import Filters
from portal.forms import PortalPageForm
from portal.l10n.panels import TranslationStatusPanel
from portal.l10n.permissions import PortalPagePermissionTester
from portal.l10n.titles import admin_title
from portal.pagination import PAGE_SIZE, narrow, paginate_listing

RICH_TEXT_FEATURES = ["h2", "h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link", "image", "blockquote"]


# --- Privacy -----------------------------------------------------------------------------
# A page with a view restriction (password, login, groups) and every page below it is private.
# Every list a visitor sees (listings, related blocks, menus, filter options, counts, search) takes
# its pages through public_pages() or is_public(): Wagtail's PageQuerySet.public() rule, from the
# restricted paths remembered until privacy or the tree changes (pagecache.restricted_paths), so a
# listing asks the database nothing more, where public() asks for every restriction each time.


def restricted_paths(within: Page | None = None) -> list[str]:
    """The tree paths below which pages are private, but for the restrictions a visitor of
    `within` has passed (those on it and above it)."""
    passed = getattr(within, "path", None) or None
    return [path for path in pagecache.restricted_paths() if not (passed and passed.startswith(path))]


def private_q(within: Page | None = None, prefix: str = "") -> Q:
    """The pages below a view restriction (Wagtail's private_q), but for the restrictions a visitor
    of `within` has passed. `prefix` reaches the page through a relation ("page__")."""
    q = Q()
    for path in restricted_paths(within):
        q |= Q(**{f"{prefix}path__startswith": path})
    return q if q else Q(**{f"{prefix}pk__in": []})  # nothing is private: matches no page


def public_pages(pages, within: Page | None = None):
    """The pages of `pages` a visitor may see listed: live and not private.

    `within` is the page the list is shown on: whoever sees it has passed its own restrictions
    and its ancestors', so the pages below those stay listed (a private news index lists its
    own articles, an article there links its neighbours); any other private page does not.
    """
    return pages.filter(live=True).exclude(private_q(within))


def is_public(page, within: Page | None = None) -> bool:
    """public_pages() for one page already loaded (a link, a related object): no query."""
    if page is None or not page.live:
        return False
    return not any(page.path.startswith(path) for path in restricted_paths(within))


def today():
    """Today in the site's time zone (TIME_ZONE), whatever zone is active: what decides whether a
    visit is upcoming or past. Parts that show that difference hold it in their cache key."""
    return timezone.localdate(timezone=timezone.get_default_timezone())


def load_page(label: str, pk: int) -> Page | None:
    """The page of this model and key, with its own images (lead image, photo) in the same query."""
    model = apps.get_model(label)
    images = [f.name for f in model._meta.get_fields() if f.many_to_one and f.related_model is get_image_model()]
    pages = model.objects.filter(pk=pk)
    return (pages.select_related(*images) if images else pages).first()


class BasePage(Page):
    """What every page of the portal shares: language-safe saving and URLs."""

    base_form_class = PortalPageForm
    is_creatable = False

    class Meta:
        abstract = True

    def permissions_for_user(self, user):
        """Wagtail's permissions, without deleting, moving or copying for translators: every admin
        view, button and bulk action asks this (portal/l10n/permissions.py)."""
        return PortalPagePermissionTester(user, self)

    def normalize_translations(self) -> None:
        """Store '' for rich text an editor left empty, and give every titled language a slug.

        Wagtail's editor sends ``<p></p>`` for an empty rich text box; that
        would count as a translation and defeat the fallback.
        """
        for name in i18n.translated_fields(type(self)):
            if isinstance(self._meta.get_field(name), RichTextField):
                for code in i18n.language_codes():
                    loc = i18n.localized(name, code)
                    if i18n.is_blank_html(getattr(self, loc)):
                        setattr(self, loc, "")
        columns = [*i18n.localized_columns("title"), *i18n.localized_columns("slug")]
        for column, slug in i18n.complete_slug_columns({c: getattr(self, c) for c in columns}).items():
            setattr(self, column, slug)

    def full_clean(self, *args, **kwargs):
        self.normalize_translations()
        with translation.override(i18n.default_language()):
            return super().full_clean(*args, **kwargs)

    def save(self, *args, **kwargs):
        # The untranslated title/slug/url_path/draft_title columns are read
        # through the active language; pin them to the default language so
        # they do not follow the editor's admin language.
        self.normalize_translations()
        update_fields = kwargs.get("update_fields")
        with translation.override(i18n.default_language()):
            if update_fields is None or "draft_title" in update_fields:
                self.draft_title = self.title
            return super().save(*args, **kwargs)

    def route(self, request, path_components):
        """Find the page by its slugs in the active language.

        Matches what `page.slug` shows through the fallback chain: a child
        whose slug is empty in this language is found by its fallback slug.
        wagtail-modeltranslation's own route loads every sibling instead (it
        assigns its route to every page class; portal/apps.py puts this one back).
        The walk down the tree (one narrow query per level) is remembered as the
        page's type and key until the published content next changes: the page
        itself is loaded in one query.
        """
        if not path_components:
            if self.live:
                return RouteResult(self)
            raise Http404
        language = translation.get_language() or i18n.default_language()
        found = self.remembered(
            request, f"route:{language}:{'/'.join(path_components)}", lambda: self.find_descendant(path_components)
        )
        if found is None:
            raise Http404
        label, pk = found
        page = load_page(label, pk)
        if page is None:
            raise Http404
        return page.route(request, [])

    def find_descendant(self, path_components) -> tuple[str, int] | None:
        """(model label, pk) of the page at these slugs below this one, or None."""
        chain = i18n.fallback_chain(translation.get_language() or i18n.default_language())
        path, depth, found = self.path, self.depth, None
        for slug in path_components:
            match, empty_before = Q(), Q()
            for code in chain:
                field = i18n.localized("slug", code)
                match |= empty_before & Q(**{field: slug})
                empty_before &= Q(**{f"{field}__isnull": True}) | Q(**{field: ""})
            found = (
                Page.objects.filter(match, depth=depth + 1, path__startswith=path)
                .values_list("path", "depth", "content_type_id", "pk")
                .first()
            )
            if found is None:
                return None
            path, depth = found[0], found[1]
        content_type = ContentType.objects.get_for_id(found[2])
        return [content_type.app_label + "." + content_type.model, found[3]]

    def serve(self, request, *args, **kwargs):
        return pagecache.mark_public(self, request, super().serve(request, *args, **kwargs))

    def remembered(self, request, name: str, compute):
        """compute(), kept until the published content changes (pagecache.remember: plain data
        only), for the parts of a page drawn from other pages. A preview computes afresh: the
        draft's own date, topics or zones may differ from the published page's."""
        if not self.pk or getattr(request, "is_preview", False):
            return compute()
        return pagecache.remember(f"{name}:{self.pk}", compute)

    # --- What the site-wide features ask a page type ---------------------------------------
    # Search (portal/search/), the head and sitemap (portal/seo/), the fixtures (portal/fixtures.py)
    # and the translations report (portal/l10n/report.py) loop over page_models() and call these;
    # none of them names a page type. A new page type overrides what differs here.

    #: The type's short name in URLs (the search's and the translations report's ?type=);
    #: the model's name when empty.
    type_key = ""
    #: The label of the public search's type filter; None: no filter of its own (the pages are
    #: searched all the same, and shown as pages).
    search_label = None
    #: The fixture file the type is exported to and loaded from (fixtures/README.md).
    fixture_file = "site.json"
    #: Own fields whose text describes the page (meta description, og:description) when the
    #: editor's search description is empty; the first one filled wins.
    description_fields: tuple[str, ...] = ()
    #: Open Graph type of the page.
    og_type = "website"

    @classmethod
    def get_type_key(cls) -> str:
        return cls.type_key or cls._meta.model_name

    @classmethod
    def search_type(cls) -> tuple[str, str] | None:
        """(key, label) of the search's type filter for this type, or None."""
        return (cls.get_type_key(), cls.search_label) if cls.search_label else None

    def search_texts(self, language: str) -> tuple[str, str]:
        """(title, body) the search index stores for a visitor of `language`: the translated
        fields and those of the child objects (facts, members), fallbacks included, as plain text."""
        from portal.search.index import page_texts

        return page_texts(self, language)

    @property
    def sort_date(self):
        """The date search results (and other lists of mixed types) are ordered by; None: undated."""
        return None

    def description(self) -> str:
        """Plain text describing the page: the search description, else the first filled of
        description_fields, shortened."""
        from portal.seo.head import plain_text

        for value in (self.search_description, *(getattr(self, name, "") for name in self.description_fields)):
            text = plain_text(value)
            if text:
                return text
        return ""

    def share_image(self) -> tuple | None:
        """(image, text alternative) shown when the page is shared (og:image, JSON-LD), or None."""
        return None

    def article_times(self) -> list[tuple[str, str]]:
        """Open Graph article:… times (("published_time", "2024-05-01"), …) of an article."""
        return []

    def feed_links(self, request) -> list[dict[str, str]]:
        """Discovery links of the feeds a reader of this page may follow (the site's news)."""
        from portal.seo.head import feed_links

        return feed_links(request)

    def structured_data(self, facts) -> dict | None:
        """The page's own JSON-LD (schema.org, helpers in portal/seo/jsonld.py) besides the
        breadcrumbs, or None. `facts` (portal.seo.head.PageFacts) gives the request's absolute
        URLs, language, publisher, ancestors and share image. Built from the page's own data, with
        no query that its get_context did not make already (see related())."""
        return None

    def links(self) -> dict:
        """What the page shows from other pages (neighbours, related lists): computed afresh."""
        return {}

    #: The names links() returns, handed to the template as lazy values (related_context).
    related_names: tuple[str, ...] = ()

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(self.related_context(request))
        return context

    def related_context(self, request) -> dict:
        """related(request) for get_context, each value computed when the template first reads
        it: a page part served from the fragment cache (portal/fragments.py) reads none, and the
        queries behind them are not made."""
        return {name: SimpleLazyObject(partial(self._related_value, request, name)) for name in self.related_names}

    def _related_value(self, request, name):
        # a page previewed before its first save has no reverse links: its lists are empty
        return self.related(request).get(name, [])

    def related(self, request) -> dict:
        """links(), computed once per request and kept on this instance: get_context and
        structured_data read the same lists."""
        found = getattr(self, "_related", None)
        if found is None:
            found = self._related = self.links()
        return found

    def get_admin_display_title(self):
        """The title in the admin user's language (portal/l10n/titles.py)."""
        title = admin_title(self)
        if title:
            return title
        with translation.override(i18n.default_language()):
            return super().get_admin_display_title()

    def language_links(self, request=None) -> list[dict]:
        """This page's own URL in every language, for the switcher and hreflang."""
        urls = i18n.page_urls(self, request)
        links = []
        for code in i18n.language_codes():
            with translation.override(code):
                title = self.title
            links.append({"code": code, "name": i18n.language_name(code), "url": urls.get(code), "title": title})
        return links


def page_models() -> list[type[BasePage]]:
    """The portal's page types (every concrete BasePage), in a stable order: by app label, then
    as declared, so that no list built from them depends on the order of INSTALLED_APPS."""
    models_ = [model for model in get_page_models() if issubclass(model, BasePage)]
    return sorted(models_, key=lambda model: (model._meta.app_label, models_.index(model)))


class BaseIndexPage(BasePage):
    """A page that lists the pages below it (news, zones, visits), with filters and pagination.

    get_context: the listing's facts (filter options, year archive) remembered until the content
    changes, the filters from the query string, the listing filtered, ordered and paginated.
    A type says what differs: listing(), listing_facts(), add_filters(), order_listing(), and
    listing_context() to show the items otherwise than as pages of a paginated list.
    """

    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [*Page.content_panels, TranslationStatusPanel(heading=_("Translations")), FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["portal.HomePage"]
    description_fields = ("intro",)

    #: The name listing_facts() is remembered under; empty: the type has none.
    facts_name = ""
    #: The context name of the paginated listing, and its page size.
    listing_name = "items"
    per_page = PAGE_SIZE
    #: The name the unfiltered listing's keys (in order) are remembered under, so that a deep page
    #: is read by key (large listings); empty: not remembered.
    order_name = ""

    class Meta:
        abstract = True

    def listing(self):
        """The pages listed here: the public ones below this index (see public_pages)."""
        raise NotImplementedError

    def listing_facts(self) -> dict:
        """Aggregates over the whole listing (filter options, "archive": year_archive()), remembered."""
        return {}

    def add_filters(self, request, filters: Filters, facts: dict) -> dict:
        """Add the filter fields to `filters`; returns {filter name: ORM lookup} to apply them."""
        return {}

    def order_listing(self, items):
        return items

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # The facts name their options in the active language (plain strings): one entry per language.
        name = f"{self.facts_name}:{translation.get_language()}"
        facts = self.remembered(request, name, self.listing_facts) if self.facts_name else {}
        filters = Filters()
        lookups = self.add_filters(request, filters, facts)
        items = self.order_listing(filters.apply(self.listing(), lookups))
        context.update(self.listing_context(request, items, filters, facts))
        return context

    def listing_context(self, request, items, filters: Filters, facts: dict) -> dict:
        """The context the template shows the listing with: a page of it, the filters, the archive."""
        archive = facts.get("archive")
        keys = None
        if self.order_name and not filters:
            # Unfiltered, the order of every item is remembered: a deep page is ten rows read by key
            # instead of the database walking thousands of rows to skip them.
            keys = self.remembered(request, self.order_name, lambda: list(items.values_list("pk", flat=True)))
        count = filters.known_count(archive) if archive is not None else None
        return {
            self.listing_name: paginate_listing(request, items, per_page=self.per_page, count=count, keys=keys),
            "filters": filters,
            "archive": archive,
        }


class HomePage(BasePage):
    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [
        *Page.content_panels,
        TranslationStatusPanel(heading=_("Translations")),
        FieldPanel("intro"),
        InlinePanel("featured_news", label=_("Featured news")),
        InlinePanel("highlighted_zones", label=_("Highlighted zones")),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "news.NewsIndexPage",
        "zones.ZoneIndexPage",
        "zones.DelegationIndexPage",
        "inquiries.QuestionIndexPage",
    ]
    max_count_per_parent = 1
    is_creatable = True
    type_key = "home"
    description_fields = ("intro",)

    class Meta:
        verbose_name = _("home page")

    related_names = (
        "featured_news",
        "highlighted_zones",
        "latest_news",
        "news_grid",
        "upcoming_delegations",
        "recent_delegations",
        "key_figures",
    )
    #: How many news cards the home page shows at most: featured first, then the latest.
    news_grid_size = 6
    #: How many key figures the home page shows at most.
    key_figures_size = 8
    #: How many upcoming and how many recent visits the home page shows at most.
    visits_size = 4

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # the visits are upcoming or recent as of today: the home part is kept per day (its key)
        context["today"] = today()
        return context

    def links(self) -> dict:
        """Featured and latest news (and the two as one grid), highlighted zones, upcoming (or
        ongoing, soonest first) and recent visits (latest first), key figures (lazily, as
        related_context)."""
        featured_news = [
            item.news
            for item in self.featured_news.select_related("news", "news__lead_image")
            if is_public(item.news, self)
        ]
        news_model = apps.get_model("news", "NewsPage")
        delegation_model = apps.get_model("zones", "DelegationPage")
        latest = (
            public_pages(news_model.objects.descendant_of(self), self)
            .exclude(pk__in=[news.pk for news in featured_news])
            .select_related("lead_image")
            .order_by("-date", "-pk")
        )
        latest_news = list(narrow(latest, 0, self.news_grid_size))
        visits = public_pages(delegation_model.objects.descendant_of(self), self)
        now = today()
        not_over = Q(start_date__gte=now) | Q(end_date__gte=now)
        upcoming = visits.filter(not_over).order_by("start_date", "pk")
        recent = visits.exclude(not_over).order_by("-start_date", "-pk")
        return {
            "featured_news": featured_news,
            "highlighted_zones": [
                item.zone for item in self.highlighted_zones.select_related("zone") if is_public(item.zone, self)
            ],
            "latest_news": latest_news,
            "news_grid": (featured_news + latest_news)[: self.news_grid_size],
            "upcoming_delegations": list(narrow(upcoming, 0, self.visits_size)),
            "recent_delegations": list(narrow(recent, 0, self.visits_size)),
            "key_figures": self.key_figures(),
        }

    def key_figures(self) -> dict:
        """The facts marked as key figures on the public zones below this page, in tree order, and
        their sources as numbered notes: {"figures": [fact …], "notes": [fact …]}. Each fact gets
        `note` (its source's number) and `source_article` (the article it comes from, while a
        visitor may see it); the notes are the first fact of each source."""
        zone_model = apps.get_model("zones", "ZonePage")
        fact_model = apps.get_model("zones", "ZoneFact")
        zones = public_pages(zone_model.objects.descendant_of(self), self)
        facts = list(
            fact_model.objects.filter(key_figure=True, page__in=zones.values("pk"))
            .select_related("page", "source_page")
            .order_by("page__path", "sort_order")[: self.key_figures_size]
        )
        notes = {}  # (source, article, as of) → the first fact citing it
        for fact in facts:
            fact.source_article = fact.source_page if is_public(fact.source_page, self) else None
            fact.note = None
            if not (fact.source or fact.source_article or fact.as_of):
                continue
            source = (fact.source, fact.source_article.pk if fact.source_article else None, fact.as_of)
            first = notes.setdefault(source, fact)
            if first is fact:
                fact.note = len(notes)
            fact.note = first.note
        return {"figures": facts, "notes": list(notes.values())}


class HomeFeaturedNews(Orderable):
    page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="featured_news")
    news = models.ForeignKey("news.NewsPage", on_delete=models.CASCADE, related_name="+", verbose_name=_("news"))

    panels = [FieldPanel("news")]


class HomeHighlightedZone(Orderable):
    page = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="highlighted_zones")
    zone = models.ForeignKey("zones.ZonePage", on_delete=models.CASCADE, related_name="+", verbose_name=_("zone"))

    panels = [FieldPanel("zone")]


class Topic(index.Indexed, models.Model):
    """A subject shared by news and delegation visits (trade, logistics …)."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, help_text=_("Used in filter URLs; ASCII."))

    panels = [FieldPanel("name"), FieldPanel("slug")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["slug"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.name or self.slug


class SiteSettingsForm(WagtailAdminModelForm):
    """Shows each language's standard name in its empty name fields, so an editor sees what is shown."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        defaults = (("site_name", SiteSettings.DEFAULT_SITE_NAME), ("short_name", SiteSettings.DEFAULT_SHORT_NAME))
        for name, default in defaults:
            for code in i18n.language_codes():
                field = self.fields.get(i18n.localized(name, code))
                if field is not None:
                    with translation.override(code):
                        field.widget.attrs["placeholder"] = str(default)


@register_setting(icon="site")
class SiteSettings(BaseSiteSetting):
    """The site's names (the header's brand, share cards, og:site_name) and the organisation's
    contacts shown in every page's footer."""

    #: The names used where a language's setting is empty (translated in portal/locale).
    DEFAULT_SITE_NAME = _("China–SCO Local Economic and Trade Cooperation Demonstration Area")
    DEFAULT_SHORT_NAME = _("SCODA Portal")

    site_name = models.CharField(
        _("site name"),
        max_length=150,
        blank=True,
        help_text=_("Shown beside the emblem and on share cards. Empty: the standard name in this language."),
    )
    short_name = models.CharField(
        _("short name"),
        max_length=40,
        blank=True,
        help_text=_("One line on phones and in browser tabs. Empty: the standard short name in this language."),
    )
    organisation = models.CharField(_("organisation"), max_length=255, blank=True)
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    email = models.EmailField(_("email"), blank=True)
    footer_note = models.CharField(_("footer note"), max_length=255, blank=True)

    base_form_class = SiteSettingsForm
    panels = [
        MultiFieldPanel([FieldPanel("site_name"), FieldPanel("short_name")], heading=_("Identity")),
        MultiFieldPanel([FieldPanel("organisation"), FieldPanel("address")], heading=_("Organisation")),
        MultiFieldPanel([FieldPanel("phone"), FieldPanel("email")], heading=_("Contact")),
        FieldPanel("footer_note"),
    ]

    class Meta:
        verbose_name = _("site settings")

    def _own(self, field_name: str) -> str:
        # The active language's own column: an empty one gives the translated default, not
        # another language's name (modeltranslation's fallback would give the English one).
        language = translation.get_language() or i18n.default_language()
        return (getattr(self, i18n.localized(field_name, language), "") or "").strip()

    def display_name(self) -> str:
        """The site's full name in the active language."""
        return self._own("site_name") or str(self.DEFAULT_SITE_NAME)

    def display_short_name(self) -> str:
        """The site's short name in the active language."""
        return self._own("short_name") or str(self.DEFAULT_SHORT_NAME)
