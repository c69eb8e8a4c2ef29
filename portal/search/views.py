from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

from portal.pagination import paginate
from portal.search import query as portal_search


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
    results_page, results, matches = None, [], None
    if len(query) > portal_search.MAX_QUERY_LENGTH:
        messages.append(
            _("Your search is too long; use at most %(limit)d characters.") % {"limit": portal_search.MAX_QUERY_LENGTH}
        )
    elif query:
        if not portal_search.query_terms(query, language):
            messages.append(_("Type a word to search for."))
        else:
            matches = portal_search.Matches(query, language, type_key or None)
            results_page = paginate(request, matches)
            # No match: the page's rows are not asked for (on SQLite that would be a second scan of the text).
            if results_page.paginator.count:
                results = portal_search.results_for(results_page.object_list, query, language)
    return render(
        request,
        "search/search.html",
        {
            "search_query": query[: portal_search.MAX_QUERY_LENGTH],
            "search_type": type_key,
            "types": [(key, label) for key, (label, _model) in types.items()],
            "results_page": results_page,
            "results": results,
            # More matches than the search counts: the count says "more than", the pages stop there.
            "more_results": matches is not None and matches.more,
            "max_results": portal_search.MAX_RESULTS,
            "messages_for_visitor": messages,
        },
    )
