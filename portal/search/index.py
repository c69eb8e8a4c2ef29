"""Public search, one language at a time.

Wagtail's database backends put every field of a page, in every language,
into one body column, so a query cannot be limited to the visitor's language
and Chinese text is never split into words. The portal therefore keeps its
own index, `SearchEntry`: one row per page per language, holding the text a
visitor of that language sees (fallbacks included). Its `search_text` is the
title, a line break, then the body (see `search_text`).

- PostgreSQL: a tsvector per row with the language's text search
  configuration (english/german/russian stem inflected forms; Chinese uses
  'simple' over text cut into character bigrams), in one GIN index per
  language, plus a tsvector of the title alone. Pages whose title has every
  query word come first, then the rest; newest first within each.
  ts_rank is not used: it reads every matching row's whole vector (about
  30 kB for a Chinese page), which took seconds for a common word.
- SQLite (the embedded default): every query word must occur in the text
  (case-insensitive substring match), newest first; no stemming.

The index follows publishing (portal/search/signals.py) and is rebuilt by
`load_initial_data` and `manage.py rebuild_search_index`.
"""

import functools
from collections.abc import Iterable, Mapping

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction

from wagtail.models import Page

from modelcluster.models import get_all_child_relations

from portal import i18n

PG_CONFIG = {"en": "english", "de": "german", "ru": "russian", "zh-hans": "simple"}
# The Chinese-character rule is portal.i18n's; the name stays for portal.search.query.
_HAN = i18n.HAN


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


# --- Text -------------------------------------------------------------------


def segment(text: str, for_query: bool = False) -> str:
    """Chinese runs as overlapping character bigrams, so a word is found inside a longer phrase.

    示范区 (query) → 示范 范区, found in 上合示范区 (index: 上 合 示 范 区 上合 合示 示范 范区).
    The index also keeps single characters so a one-character query matches; a query longer than
    one character uses bigrams only. No dictionary is loaded: a word segmenter such as jieba
    costs every web worker about 75 MB for what bigrams do here.
    """

    def grams(match):
        run = match.group(0)
        bigrams = [run[i : i + 2] for i in range(len(run) - 1)]
        if for_query:
            return " " + " ".join(bigrams or [run]) + " "
        return " " + " ".join([*run, *bigrams]) + " "

    return i18n.HAN_RUN.sub(grams, text)


def plain(value) -> str:
    return i18n.html_to_text(value)


# --- Rows: pure functions of plain values (the benchmark generator builds its rows with them) --

#: Translated fields the search leaves out of the body (the title is a column of its own).
NOT_IN_BODY = frozenset({"title", "slug", "seo_title"})


@functools.cache
def body_fields(model) -> tuple[str, ...]:
    """The translated fields of `model` whose text goes into the body, in the body's order."""
    return tuple(sorted(i18n.translated_fields(model) - NOT_IN_BODY))


def columns(obj, names) -> dict:
    """{column: value} of the fields `names` of `obj` in every language (title_en, title_de …)."""
    return {column: getattr(obj, column, None) for name in names for column in i18n.localized_columns(name)}


def shown_texts(values: Mapping, names, code: str) -> list[str]:
    """The plain text a visitor of `code` reads in each of the translated fields `names`, from
    their columns in `values`: the value shown through the fallback chain (i18n.shown_value),
    as text (i18n.html_to_text); fields that show nothing are left out."""
    texts = []
    chain = i18n.fallback_chain(code)
    for name in names:
        text = i18n.html_to_text(i18n.shown_value(values, name, code, chain))
        if text:
            texts.append(text)
    return texts


def row_texts(page: tuple[type, Mapping], children: Iterable[tuple[type, Mapping]], code: str) -> tuple[str, str]:
    """(title, body) of a page given as (model, {column: value}) with its inline children (facts,
    members) as (model, {column: value}), in the order shown, for a visitor of `code`."""
    model, values = page
    body = shown_texts(values, body_fields(model), code)
    for child_model, child in children:
        body.extend(shown_texts(child, body_fields(child_model), code))
    return i18n.shown_value(values, "title", code) or "", " ".join(body)


def entry_row(page_id: int, content_type_id: int, date, code: str, title: str, body: str, postgres: bool) -> dict:
    """A SearchEntry's values (its tsvectors aside, which the database computes: _update_vectors)."""
    return {
        "page_id": page_id,
        "language": code,
        "content_type_id": content_type_id,
        "title": title,
        "body": body,
        "search_text": search_text(title, body, code, postgres),
        "date": date,
    }


# --- Pages ------------------------------------------------------------------


def page_texts(page: Page, code: str) -> tuple[str, str]:
    """(title, body) of a specific page in `code`: its translated fields and its inline children's."""
    children = [
        (relation.related_model, columns(child, body_fields(relation.related_model)))
        for relation in get_all_child_relations(page)
        for child in getattr(page, relation.get_accessor_name()).all()
    ]
    return row_texts((type(page), columns(page, ("title", *body_fields(type(page))))), children, code)


def page_search_texts(page: Page, code: str) -> tuple[str, str]:
    """(title, body) the index stores for `page` in `code`: what the page type says (BasePage.search_texts)."""
    from portal.models import BasePage

    return page.search_texts(code) if isinstance(page, BasePage) else page_texts(page, code)


# --- Index ------------------------------------------------------------------


def search_text(title: str, body: str, code: str, postgres: bool) -> str:
    """What a query is matched against: the title on the first line, the body on the second.

    The line break lets PostgreSQL take the title alone (split_part) for the title vector.
    PostgreSQL gets Chinese cut into bigrams for its 'simple' configuration, and each word of the
    body once: the tsvectors keep no positions, so the vector is the same, from a third of the
    text to parse for a Chinese page. SQLite gets the text lowercased (its LIKE folds ASCII only)
    and Chinese left whole: a substring match finds a word inside a phrase anyway, and the text
    is a third of the segmented size to scan.
    """
    if not postgres:
        return " ".join(title.lower().split()) + "\n" + body.lower()
    if code == "zh-hans" or i18n.has_han(title) or i18n.has_han(body):
        title, body = segment(title), segment(body)
    return " ".join(title.split()) + "\n" + " ".join(dict.fromkeys(body.split()))


def _entries_for(page: Page) -> list:
    from portal.search.models import SearchEntry

    page = page.specific
    content_type = ContentType.objects.get_for_model(type(page))
    postgres = is_postgres()
    date = getattr(page, "sort_date", None)
    entries = []
    for code in i18n.language_codes():
        title, body = page_search_texts(page, code)
        entries.append(SearchEntry(**entry_row(page.pk, content_type.pk, date, code, title, body, postgres)))
    return entries


def _vectors(config: str) -> dict:
    """The tsvector columns of a row, computed from its search_text.

    Stripped of positions and weights, which only ts_rank and phrase queries read: a Chinese
    page's vector is half the size without them.
    """
    from django.contrib.postgres.search import SearchVector, SearchVectorField

    def stripped(expression):
        return models.Func(SearchVector(expression, config=config), function="strip", output_field=SearchVectorField())

    title_line = models.Func(
        "search_text", models.Value("\n"), models.Value(1), function="split_part", output_field=models.TextField()
    )
    return {"vector": stripped("search_text"), "title_vector": stripped(title_line)}


def _update_vectors(queryset) -> None:
    """Fill the tsvectors of `queryset`'s rows: one UPDATE per language."""
    if not is_postgres():
        return
    for code, config in PG_CONFIG.items():
        queryset.filter(language=code).update(**_vectors(config))


def is_searchable(page: Page) -> bool:
    """Live pages below the home page are indexed, private ones too: search_entries() leaves out
    private pages when it runs, so adding or removing a view restriction (on the page or on an
    ancestor above thousands of pages) takes effect at once without re-indexing anything."""
    return page.live and page.depth > 2


def index_page(page: Page) -> None:
    """(Re)index one page in every language, or drop it if it is not live."""
    from portal.search.models import SearchEntry

    with transaction.atomic():
        SearchEntry.objects.filter(page_id=page.pk).delete()
        if is_searchable(page):
            SearchEntry.objects.bulk_create(_entries_for(page))
            _update_vectors(SearchEntry.objects.filter(page_id=page.pk))


def unindex_page(page: Page) -> None:
    from portal.search.models import SearchEntry

    SearchEntry.objects.filter(page_id=page.pk).delete()


def rebuild() -> int:
    """Rebuild the whole index; returns the number of pages indexed."""
    from portal.search.models import SearchEntry

    pages = Page.objects.live().filter(depth__gt=2).specific().order_by("path")
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        count = 0
        batch = []
        for page in pages.iterator(chunk_size=500):
            batch.extend(_entries_for(page))
            count += 1
            if len(batch) >= 2000:
                SearchEntry.objects.bulk_create(batch)
                batch = []
        SearchEntry.objects.bulk_create(batch)
        _update_vectors(SearchEntry.objects.all())
    return count
