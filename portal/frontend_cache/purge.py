"""The handler connected in apps.py; see the package's docstring for why it exists."""

from django.conf import settings
from django.utils import translation

from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache
from wagtail.models import Page

from portal import i18n


def page_urls(page: Page) -> list[str]:
    """The page's full URL in every language, each once."""
    urls: list[str] = []
    for code in i18n.language_codes():
        with translation.override(code):
            url = page.get_full_url()
        if url and url not in urls:
            urls.append(url)
    return urls


def purge_page(sender, instance: Page, **kwargs) -> None:
    if settings.WAGTAILFRONTENDCACHE:
        purge_urls_from_cache(page_urls(instance))
