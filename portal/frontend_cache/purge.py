"""The handler connected in apps.py; see the package's docstring for why it exists."""

from django.conf import settings

from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache
from wagtail.models import Page

from portal import i18n


def page_urls(page: Page) -> list[str]:
    """The page's full URL in every language, each once."""
    return list(dict.fromkeys(i18n.page_urls(page, full=True).values()))


def purge_page(sender, instance: Page, **kwargs) -> None:
    if settings.WAGTAILFRONTENDCACHE:
        purge_urls_from_cache(page_urls(instance))
