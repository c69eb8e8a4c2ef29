"""Purge a page from the frontend cache in every language when it is published or unpublished.

Wagtail's own handlers (wagtail.contrib.frontend_cache, deliberately not
installed) purge `page.get_full_url()` in the active language only, and its
WAGTAILFRONTENDCACHE_LANGUAGES option swaps just the /xx/ prefix, which misses
the portal's translated slugs (/en/news/… is /de/nachrichten/…).
"""
