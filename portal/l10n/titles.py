"""A page's name in the admin, in the admin user's language.

Wagtail names a page by its `draft_title` everywhere in the admin (explorer, breadcrumbs, choosers,
the editor's header, messages); the portal pins that column to the default language (Chinese). An
admin user reads the admin in their own language (their Wagtail preference, else the request's:
Wagtail activates it around every admin view), so a page is named by its title in that language,
else along the fallback chain (de/ru → en → zh-hans); the default language's title is the latest
draft's, as Wagtail's is. Titles in other languages are the page's stored ones: a draft's new title
shows once it is published.
"""

from django.utils import translation

from portal import i18n


def admin_title_and_language(page) -> tuple[str, str]:
    """(title, its language) of `page` for the active language. Reads only the page's own loaded
    columns, never a deferred one: a listing stays one query."""
    default = i18n.default_language()
    language = translation.get_language() or default
    if language in i18n.language_codes():
        deferred = page.get_deferred_fields()
        for code in i18n.fallback_chain(language):
            column = i18n.localized("title", code)
            if code == default:
                break
            if column not in deferred and getattr(page, column, None):
                return getattr(page, column), code
    return page.draft_title or "", default


def admin_title(page) -> str:
    return admin_title_and_language(page)[0]
