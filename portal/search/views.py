from functools import cached_property

from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from portal import i18n, pagecache
from portal.pagination import page_number, paginate
from portal.search import query as portal_search


class Answer:
    """One page of results for a query, found when the template first asks for it: the results
    part of the template is kept as rendered HTML per query, type and page (a fragment keyed on
    the content generation, like every part that shows pages), so a repeated search renders it
    from the cache without asking the index."""

    def __init__(self, request, query: str, language: str, type_key: str):
        self.request, self.query, self.language, self.type_key = request, query, language, type_key
        self.number = page_number(request)

    @cached_property
    def matches(self):
        return portal_search.Matches(self.query, self.language, self.type_key or None)

    @cached_property
    def results_page(self):
        return paginate(self.request, self.matches)

    @cached_property
    def results(self) -> list:
        # No match: the page's rows are not asked for (on SQLite that would be a second scan of the text).
        if not self.results_page.paginator.count:
            return []
        return portal_search.results_for(self.results_page.object_list, self.query, self.language)

    @property
    def more(self) -> bool:
        """More matches than the search counts: the count says "more than", the pages stop there."""
        return self.results_page.paginator.count > 0 and self.matches.more  # counting sets matches.more

    @cached_property
    def other_languages(self) -> list[dict]:
        """When nothing matches: the same query (and type) in each other language that finds something,
        with its count (counted as this search counts, up to MAX_RESULTS: `more` past that) and its
        URL. Public pages only, like every search (Matches)."""
        found = []
        for code in i18n.language_codes():
            if code == self.language:
                continue
            matches = portal_search.Matches(self.query, code, self.type_key or None)
            count = matches.count()
            if not count:
                continue
            with translation.override(code):
                url = reverse("search")
            params = {"q": self.query, **({"type": self.type_key} if self.type_key else {})}
            found.append(
                {
                    "code": code,
                    # the language's name in itself, marked as such inside the visitor's sentence
                    "name": format_html('<span lang="{}">{}</span>', code, i18n.language_name(code)),
                    "count": count,
                    "more": matches.more,
                    "url": f"{url}?{urlencode(params)}",
                }
            )
        return found

    def may_keep(self) -> bool:
        """Keep the rendered results? Made-up queries count against the client's budget of new
        cache entries a minute (pagecache.may_add_entry), as made-up page addresses do."""
        return pagecache.may_add_entry(self.request)


def search(request):
    """Search in the visitor's language, with a type filter; bad input gets a message, not an error."""
    language = translation.get_language()
    query = portal_search.clean_query(request.GET.get("q", ""))
    type_key = request.GET.get("type", "")
    messages = []
    types = portal_search.search_types()
    if type_key and type_key not in types:
        messages.append(_("Unknown result type “%(type)s”; showing all types.") % {"type": type_key[:40]})
        type_key = ""
    answer = None
    if len(query) > portal_search.MAX_QUERY_LENGTH:
        messages.append(
            _("Your search is too long; use at most %(limit)d characters.") % {"limit": portal_search.MAX_QUERY_LENGTH}
        )
    elif query:
        if not portal_search.query_terms(query, language):
            messages.append(_("Type a word to search for."))
        else:
            answer = Answer(request, query, language, type_key)
    return render(
        request,
        "search/search.html",
        {
            "search_query": query[: portal_search.MAX_QUERY_LENGTH],
            "search_type": type_key,
            "types": [(key, label) for key, (label, _model) in types.items()],
            "answer": answer,
            "max_results": portal_search.MAX_RESULTS,
            "messages_for_visitor": messages,
        },
    )
