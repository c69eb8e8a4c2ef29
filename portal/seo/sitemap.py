"""The sitemap (every live, public page of a site in every language, with hreflang alternates) and robots.txt."""

from datetime import datetime
from functools import cached_property

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from wagtail.models import Page, Site

from portal import i18n
from portal.i18n import LanguagePaths
from portal.models import public_pages
from portal.seo.head import hreflang_alternates


class PageSitemap(Sitemap):
    """Every live, public page of the request's site, once per language, with hreflang alternates.

    Served as a sitemap index (/sitemap.xml) of section pages (/sitemap-pages.xml?p=N).
    `limit` counts <url> entries; it is rounded down to whole pages, so that a page's
    language versions share a section page: the paginator counts pages, not pages ×
    languages as Django's i18n sitemap does, and the index and the section pages
    page through the same rows. A section page reads only its own slice of pages
    (offset on path order, narrow columns); the query count does not grow with the
    number of pages.
    """

    # Sitemaps.org allows 50,000 <url>; each of ours carries five alternates. A section
    # page of 2,000 (500 pages, about 1.5 MB) renders in about 0.1 s.
    limit = 2000

    def __init__(self, request):
        self.request = request
        self.languages = i18n.language_codes()

    @cached_property
    def root(self) -> Page | None:
        site = Site.find_for_request(self.request)
        if site is None:
            return None
        return Page.objects.only("path", "depth", *i18n.localized_columns("url_path")).get(pk=site.root_page_id)

    @cached_property
    def pages(self):
        columns = ("last_published_at", *i18n.localized_columns("url_path"))
        if self.root is None:
            return Page.objects.none().values_list(*columns, named=True)
        return (
            public_pages(self.root.get_descendants(inclusive=True)).order_by("path").values_list(*columns, named=True)
        )

    def items(self):
        """The pages as rows of the columns their URLs and lastmod need, in path order."""
        return self.pages

    @cached_property
    def paginator(self) -> Paginator:
        return Paginator(self.pages, max(1, self.limit // len(self.languages)))

    def get_latest_lastmod(self) -> datetime | None:
        """The newest lastmod, which Django's index gives every section page.

        Read in the same pass as the number of pages, which the index asks the
        paginator for next.
        """
        stats = self.pages.aggregate(count=Count("pk"), latest=Max("last_published_at"))
        self.paginator.count = stats["count"]
        return stats["latest"]

    def get_urls(self, page=1, site=None, protocol=None) -> list[dict]:
        """The <url> entries of section page `page`: each page in every language, in path order.

        An invalid or out-of-range `page` raises the paginator's InvalidPage, which
        Django's sitemap view turns into a 404. The alternates are the same for
        every language version of a page, so they are rendered once per page.
        """
        rows = self.paginator.page(page).object_list
        if self.root is None:
            return []
        base = f"{self.get_protocol(protocol)}://{self.get_domain(site)}"
        paths = LanguagePaths(self.root)
        urls, lastmods = [], []
        for row in rows:
            relative = paths.urls(row)
            if len(relative) < len(self.languages):
                continue
            # Escaped once here for both <loc> and href; the template leaves SafeStrings as they are.
            locations = {code: escape(base + relative[code]) for code in self.languages}
            alternates = mark_safe(  # noqa: S308 (the hrefs are escaped above, the hreflangs are our language codes)
                "".join(
                    f'<xhtml:link rel="alternate" hreflang="{link["hreflang"]}" href="{link["href"]}"/>'
                    for link in hreflang_alternates(locations)
                )
            )
            lastmod = row.last_published_at
            lastmods.append(lastmod)
            day = timezone.localtime(lastmod).date().isoformat() if lastmod else None
            urls += [{"location": locations[code], "lastmod": day, "alternates": alternates} for code in self.languages]
        # Django's sitemap view sends Last-Modified when every entry has a lastmod.
        if lastmods and None not in lastmods:
            self.latest_lastmod = max(lastmods)
        return urls


def sitemaps(request) -> dict[str, Sitemap]:
    return {"pages": PageSitemap(request)}


def sitemap_index(request):
    return sitemap_views.index(request, sitemaps=sitemaps(request), sitemap_url_name="sitemap_section")


def sitemap_section(request, section: str):
    return sitemap_views.sitemap(
        request, sitemaps=sitemaps(request), section=section, template_name="portal/sitemap.xml"
    )


def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


# Included by portal/urls.py outside i18n_patterns: one sitemap and robots.txt per host.
urlpatterns = [
    path("sitemap.xml", sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", sitemap_section, name="sitemap_section"),
    path("robots.txt", robots_txt, name="robots_txt"),
]
