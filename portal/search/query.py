"""The public search's queries: what a visitor typed, the matching rows of the index (portal.search.index),
best first, and the results a page of them shows."""

import re
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models

from wagtail.models import Page

from portal.search.index import _HAN, PG_CONFIG, is_postgres, segment

MAX_QUERY_LENGTH = 200
MAX_TERMS = 12
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


def search_entries(query: str, code: str, type_key: str | None = None):
    """A queryset of SearchEntry rows of public pages matching `query` in language `code`, best first.

    Only the columns a result shows are loaded; the row's text and vectors stay in the database.
    Private pages are indexed like the others and left out here (portal.models.private_q), so a
    view restriction counts from the moment it is saved or removed.
    """
    from portal.models import private_q
    from portal.search.models import SearchEntry

    terms = query_terms(query, code)
    entries = (
        SearchEntry.objects.filter(language=code)
        .exclude(private_q(prefix="page__"))
        .only("page_id", "content_type_id", "title", "body", "date")
    )
    if type_key:
        model = search_types()[type_key][1]
        entries = entries.filter(content_type=ContentType.objects.get_for_model(model))
    if not terms:
        return entries.none()
    if is_postgres():
        from django.contrib.postgres.search import SearchQuery

        config = PG_CONFIG[code]
        search_query = None
        for term in terms:
            # each word must match (AND); plain queries keep punctuation out of tsquery syntax
            part = SearchQuery(term, config=config, search_type="plain")
            search_query = part if search_query is None else search_query & part
        # The language's partial GIN index finds the rows; the small title vector orders them.
        in_title = models.ExpressionWrapper(models.Q(title_vector=search_query), output_field=models.BooleanField())
        newest = models.F("date").desc(nulls_last=True)  # undated pages (zones) after dated ones, as on SQLite
        return entries.filter(vector=search_query).order_by(in_title.desc(nulls_last=True), newest, "pk")
    for term in terms:
        entries = entries.filter(search_text__contains=term)
    return entries.order_by("-date", "pk")


def excerpt(text: str, terms: list[str], length: int = EXCERPT_LENGTH) -> str:
    """A stretch of `text` around the first matching term (plain text, no markup)."""
    lowered = text.lower()
    positions = [lowered.find(t) for t in terms if t and lowered.find(t) >= 0]
    start = max(min(positions) - length // 4, 0) if positions else 0
    snippet = text[start : start + length]
    return ("…" if start > 0 else "") + snippet + ("…" if start + length < len(text) else "")


def results_for(entries, query: str, code: str) -> list[Result]:
    """Turn one page of SearchEntry rows into results (pages fetched in one query)."""
    entries = list(entries)
    pages = Page.objects.in_bulk([e.page_id for e in entries])
    terms = query_terms(query, code)
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
                excerpt=excerpt(entry.body, terms),
            )
        )
    return results
