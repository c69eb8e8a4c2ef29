"""The seed content (fixtures/*.json) loaded into the test database, and one URL per page type.

Used by the browser tests and the HTML validation, which look at the real content, not factory text.
"""

import sqlite3

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.core.management.color import no_style
from django.db import connection, transaction
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
        if not _restore_snapshot():
            Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
            Page.add_root(instance=Page(title_zh_hans="Root", slug_zh_hans="root"))
            load_all()
            rebuild()
            _take_snapshot()
    else:
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


# --- The seeded database, copied once per test process ------------------------------------------
# A transactional test (the browser tests) starts from a flushed database, and loading the seed
# into it took about 3 s per test, a quarter of the suite. The first load in a process copies
# every table; later flushed databases get that copy back (the same rows, ids and all) in a
# fraction of a second. Only for a flushed database: a TestCase's database holds the migrations'
# rows, which differ.
_snapshots: dict[tuple, object] = {}


def _snapshot_key() -> tuple:
    return (connection.vendor, connection.settings_dict["NAME"])


def _tables() -> list[str]:
    # The tables `flush` empties.
    return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))


def _take_snapshot() -> None:
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        copy = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(copy)
        _snapshots[_snapshot_key()] = copy
    elif connection.vendor == "postgresql":
        data = {}
        with connection.cursor() as cursor:
            for table in _tables():
                with cursor.cursor.copy(f'COPY "{table}" TO STDOUT') as copy:
                    data[table] = b"".join(bytes(block) for block in copy)
        _snapshots[_snapshot_key()] = data


def _restore_snapshot() -> bool:
    """Put the first seeded copy back into a flushed database; False without one."""
    snapshot = _snapshots.get(_snapshot_key())
    if snapshot is None:
        return False
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        snapshot.backup(connection.connection)
    else:
        tables = _tables()
        models = apps.get_models(include_auto_created=True)
        with transaction.atomic(), connection.cursor() as cursor:
            # the flush's post_migrate handlers made content types and permissions again, new ids
            cursor.execute("TRUNCATE " + ", ".join(f'"{table}"' for table in tables))
            for table in tables:
                if snapshot[table]:
                    with cursor.cursor.copy(f'COPY "{table}" FROM STDIN') as copy:
                        copy.write(snapshot[table])
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
    # what this process remembers of the flushed database's rows
    ContentType.objects.clear_cache()
    for cache in caches.all():
        cache.clear()
    return True
