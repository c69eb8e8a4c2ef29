from django.conf import settings
from django.http import Http404, HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors that could query the broken part again.
    return HttpResponseServerError(loader.get_template("500.html").render({"request": request}))


class NotFoundPageMiddleware:
    """With DEBUG on (development), a page that does not exist answers with the portal's own 404 page, in
    the visitor's language, as in production, instead of Django's technical page in English (which
    DEBUG shows in place of handler404; for a Wagtail site it lists one catch-all pattern). Listed in
    the development settings only; it does nothing with DEBUG off, where handler404 answers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None
