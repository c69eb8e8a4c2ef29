from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

from wagtail.models import Page

from portal.pagination import paginate

MAX_QUERY_LENGTH = 200


def search(request):
    # Control characters (NUL above all) break the database's full-text parser.
    query = "".join(ch for ch in request.GET.get("q", "") if ch.isprintable() or ch == " ").strip()
    message = ""
    results = None
    if len(query) > MAX_QUERY_LENGTH:
        message = _("Your search is too long; use at most %(limit)d characters.") % {"limit": MAX_QUERY_LENGTH}
    elif query:
        found = Page.objects.live().public().specific().search(query)
        results = paginate(request, found)
    return render(
        request,
        "search/search.html",
        {"search_query": query[:MAX_QUERY_LENGTH], "search_results": results, "message": message},
    )


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors that could query the broken part again.
    return HttpResponseServerError(loader.get_template("500.html").render({"request": request}))
