import html
import re

from django.utils import translation

LANGUAGES = ["zh-hans", "en", "de", "ru"]


def url_in(page, lang: str) -> str:
    with translation.override(lang):
        return page.get_url()


def html_lang(html: str) -> str:
    match = re.search(r'<html lang="([^"]+)"', html)
    return match.group(1) if match else ""


def h1(page_html: str) -> str:
    """The <h1>'s text as a reader sees it: soft hyphens (German and Russian headings) are not characters."""
    match = re.search(r"<h1[^>]*>(.*?)</h1>", page_html, re.S)
    return html.unescape(match.group(1).strip()).replace("\u00ad", "") if match else ""


def form_data(querydict) -> dict:
    """A form's QueryDict as the test client must get it: every value of multi-valued keys."""
    return {key: querydict.getlist(key) for key in querydict}
