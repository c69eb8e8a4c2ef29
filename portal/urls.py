from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

import portal.richtext  # noqa: F401 (registers the rich text form field and the handlers that skip bad links)
from portal import identity, passwords, sharecards
from portal.health import healthz
from portal.search import views as search_views

urlpatterns = [
    # Outside i18n_patterns: no language prefix, no redirect.
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", identity.favicon, name="favicon"),
    path("share-cards/<int:page_id>/<str:language>/<slug:digest>.png", sharecards.serve, name="share_card"),
    # --- SEO: sitemap, robots.txt (portal/seo/sitemap.py) ---
    path("", include("portal.seo.sitemap")),
    # --- end SEO ---
    path("admin/", include(wagtailadmin_urls)),
    # Wagtail's document-password view with wrong guesses limited (portal/passwords.py); before Wagtail's own.
    path(
        "documents/authenticate_with_password/<int:restriction_id>/",
        passwords.authenticate_with_collection_password,
        name="portal_documents_authenticate_with_password",
    ),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Every language is prefixed, the default one too: "/" redirects by Accept-Language.
urlpatterns += i18n_patterns(
    path("search/", search_views.search, name="search"),
    # --- inquiries (portal/inquiries) ---
    path("", include("portal.inquiries.urls")),
    # --- end inquiries ---
    # --- feeds (news/feeds.py) ---
    path("feeds/", include("news.feeds")),
    # --- end feeds ---
    # Wagtail's page-password view with wrong guesses limited (portal/passwords.py); before Wagtail's own.
    path(
        "_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/",
        passwords.authenticate_with_password,
        name="portal_authenticate_with_password",
    ),
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)

handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
