"""The public search's queries: what a visitor typed, the matching rows of the index (portal.search.index),
best first, and the results a page of them shows."""

import re
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models

from wagtail.models import Page

from portal import i18n
from portal import text as text_utils
from portal.search.index import _HAN, PG_CONFIG, is_postgres, segment

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
MAX_RESULTS = 500  # a search counts and pages through at most this many results (Matches)
EXCERPT_LENGTH = 220
_WORD = re.compile(r"\w+", re.UNICODE)


# --- Query ------------------------------------------------------------------


@dataclass
class Result:
    page: Page
    title: str
    type_key: str
    type_label: str
    date: object
    excerpt: str


class QueryError(ValueError):
    """A query that cannot be run; the message is for the visitor."""


def search_types() -> dict[str, tuple[str, type]]:
    """{key: (label, page model)} of the types the search can be narrowed to (?type=), from the
    page models (BasePage.search_type)."""
    from portal.models import page_models

    types = {}
    for model in page_models():
        found = model.search_type()
        if found is not None:
            types[found[0]] = (found[1], model)
    return types


def clean_query(raw: str) -> str:
    # Control characters (NUL above all) break full-text parsers.
    return "".join(ch for ch in raw if ch.isprintable() or ch == " ").strip()


def query_terms(query: str, code: str) -> list[str]:
    if _HAN.search(query):
        query = segment(query, for_query=True)
    terms = [t.lower() for t in _WORD.findall(query)]
    return list(dict.fromkeys(terms))[:MAX_TERMS]


def _public_entries(code: str, type_key: str | None):
    """The index rows of public pages in language `code` (and of one type), with only the columns a
    result shows: the row's text and vectors stay in the database."""
    from portal.models import private_q
    from portal.search.models import SearchEntry

    entries = (
        SearchEntry.objects.filter(language=code)
        .exclude(private_q(prefix="page__"))
        .only("page_id", "content_type_id", "title", "body", "date")
    )
    if type_key:
        model = search_types()[type_key][1]
        entries = entries.filter(content_type=ContentType.objects.get_for_model(model))
    return entries


def _tsquery(terms: list[str], code: str):
    """Every word must match (AND); plain queries keep punctuation out of tsquery syntax."""
    from django.contrib.postgres.search import SearchQuery

    config = PG_CONFIG[code]
    search_query = None
    for term in terms:
        part = SearchQuery(term, config=config, search_type="plain")
        search_query = part if search_query is None else search_query & part
    return search_query


# Undated pages (zones) after dated ones, as on SQLite; the index search_entry_language_date has this order.
NEWEST = (models.F("date").desc(nulls_last=True), "pk")


def search_entries(query: str, code: str, type_key: str | None = None):
    """A queryset of SearchEntry rows of public pages matching `query` in language `code`, best first:
    on PostgreSQL pages whose title has every word first, then newest first.

    Only the columns a result shows are loaded; the row's text and vectors stay in the database.
    Private pages are indexed like the others and left out here (portal.models.private_q), so a
    view restriction counts from the moment it is saved or removed. The search view reads it
    through Matches, which counts and pages it without sorting every match.
    """
    terms = query_terms(query, code)
    entries = _public_entries(code, type_key)
    if not terms:
        return entries.none()
    if is_postgres():
        search_query = _tsquery(terms, code)
        # The language's partial GIN index finds the rows; the small title vector orders them.
        in_title = models.ExpressionWrapper(models.Q(title_vector=search_query), output_field=models.BooleanField())
        return entries.filter(vector=search_query).order_by(in_title.desc(nulls_last=True), *NEWEST)
    for term in terms:
        entries = entries.filter(search_text__contains=term)
    return entries.order_by(*NEWEST)


class Matches:
    """search_entries() as the search view pages through it: counted up to MAX_RESULTS, and each
    page read without sorting every match. Django's Paginator takes it as its object list (it
    calls count() and slices it).

    A word on nearly every page matches about 10,000 rows a language at 10,000 news; counting
    them all, then sorting them all for ten rows, read each of them twice per request. Here the
    count stops at MAX_RESULTS + 1 rows (`more` says whether there were more), and on PostgreSQL
    a page is the union of two short scans in the result order, title matches then the others,
    each newest first: the index (language, date DESC NULLS LAST, id) for a common word, the GIN
    indexes of the vectors for a rare one; the planner chooses by the word's frequency. A title
    match always matches: the title vector is made from the title line of the vector's text.
    """

    def __init__(self, query: str, code: str, type_key: str | None = None):
        self.entries = search_entries(query, code, type_key)
        self.more = False
        self.query, self.code, self.type_key = query, code, type_key

    def groups(self):
        """The title matches and the others, each newest first (PostgreSQL)."""
        search_query = _tsquery(query_terms(self.query, self.code), self.code)
        public = _public_entries(self.code, self.type_key).order_by(*NEWEST)
        return public.filter(title_vector=search_query), public.filter(vector=search_query).exclude(
            title_vector=search_query
        )

    def count(self) -> int:
        found = self.entries.order_by().values("pk")[: MAX_RESULTS + 1].count()
        self.more = found > MAX_RESULTS
        return min(found, MAX_RESULTS)

    def __getitem__(self, rows: slice):
        start, stop = rows.start or 0, rows.stop
        if stop <= start:  # no match: the paginator's empty first page
            return self.entries.none()
        if not is_postgres():
            return self.entries[rows]
        # Each group's first `stop` rows hold the page; the union is ordered again to take it.
        in_title, others = (group.annotate(group=models.Value(n))[:stop] for n, group in enumerate(self.groups()))
        return in_title.union(others, all=True).order_by("group", *NEWEST)[start:stop]


def excerpt(text: str, query: str, length: int = EXCERPT_LENGTH) -> str:
    """A stretch of plain `text` around the first of the visitor's words of `query` (portal.text.excerpt:
    cut at word boundaries, CJK at a character, with ellipses); the template marks the words
    (text_tags.highlight)."""
    return text_utils.excerpt(text, text_utils.visitor_words(query), length)


def results_for(entries, query: str, code: str) -> list[Result]:
    """Turn one page of SearchEntry rows into results (pages fetched in one query)."""
    entries = list(entries)
    # A result links to its page: what its URL is made of (url_path in every language, for the fallback),
    # not the page's every column.
    url_columns = ("depth", "path", *i18n.localized_columns("url_path"))
    pages = Page.objects.only(*url_columns).in_bulk([e.page_id for e in entries])
    keys = {model: key for key, (_label, model) in search_types().items()}
    results = []
    for entry in entries:
        page = pages.get(entry.page_id)
        if page is None:
            continue
        model = ContentType.objects.get_for_id(entry.content_type_id).model_class()
        key = keys.get(model, "page") if model else "page"
        results.append(
            Result(
                page=page,
                title=entry.title,
                type_key=key,
                type_label=str(model._meta.verbose_name) if model else "",
                date=entry.date,
                excerpt=excerpt(entry.body, query),
            )
        )
    return results
