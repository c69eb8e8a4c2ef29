from django.apps import AppConfig


class FrontendCacheConfig(AppConfig):
    name = "portal.frontend_cache"
    label = "portal_frontend_cache"

    def ready(self):
        from wagtail.signals import page_published, page_unpublished

        from portal.frontend_cache.purge import purge_page

        page_published.connect(purge_page, dispatch_uid="portal_frontend_cache_published")
        page_unpublished.connect(purge_page, dispatch_uid="portal_frontend_cache_unpublished")
