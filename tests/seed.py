"""The seed content (fixtures/*.json) loaded into the test database, and one URL per page type.

Used by the browser tests and the HTML validation, which look at the real content, not factory text.
"""

from django.conf import settings
from django.utils import translation

from wagtail.models import Locale, Page

from news.models import NewsIndexPage, NewsPage
from portal.fixtures import load_all
from portal.models import HomePage
from portal.search.index import rebuild
from zones.models import DelegationIndexPage, DelegationPage, ZoneIndexPage, ZonePage

# A word of the seed content per language, found by the public search; the Chinese one sits
# inside longer phrases (国际班列线路), which the search must still find.
SEARCH_WORDS = {"zh-hans": "班列", "en": "Karamay", "de": "Liangjiang", "ru": "Карамай"}


def load_seed() -> dict:
    """Load fixtures/ and the search index; return the pages the tests visit, one or more per type."""
    if Page.get_first_root_node() is None:  # a transactional test flushed the tree, migrations' rows included
        Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
        Page.add_root(instance=Page(title_zh_hans="Root", slug_zh_hans="root"))
    load_all()
    rebuild()
    zones = ZonePage.objects.live().order_by("path")
    return {
        "home": HomePage.objects.get(),
        "news_index": NewsIndexPage.objects.get(),
        "news": list(NewsPage.objects.live().order_by("-date")),
        "zone_index": ZoneIndexPage.objects.get(),
        "zone": zones.get(title_en__contains="(SCODA)"),
        "sub_zone": zones.get(title_en="SCODA Xinjiang Branch Park"),
        "delegation_index": DelegationIndexPage.objects.get(),
        "delegation": DelegationPage.objects.live().order_by("-start_date").first(),
    }


def url_in(page, lang: str) -> str:
    with translation.override(lang):
        return page.get_url()


def page_type_paths(seed: dict, lang: str) -> dict[str, str]:
    """Path of every page type in `lang`, keyed by a name fit for a file name."""
    paths = {
        name: url_in(seed[key], lang)
        for name, key in [
            ("home", "home"),
            ("news-index", "news_index"),
            ("zone-index", "zone_index"),
            ("zone", "zone"),
            ("sub-zone", "sub_zone"),
            ("delegation-index", "delegation_index"),
            ("delegation", "delegation"),
        ]
    }
    paths["news"] = url_in(seed["news"][0], lang)
    paths["search"] = f"/{lang}/search/?q={SEARCH_WORDS[lang]}"
    paths["contact"] = f"/{lang}/contact/?zone={seed['zone'].pk}"
    paths["not-found"] = f"/{lang}/no-such-page/"
    return paths
