"""The portal's URLs plus a minimal Django view, the baseline of what the stack costs (portal.settings.bench)."""

from django.http import HttpResponse
from django.urls import path

from portal.urls import handler404, handler500
from portal.urls import urlpatterns as portal_urlpatterns

__all__ = ["handler404", "handler500", "urlpatterns"]


def ping(request):
    """No database, no template: request → middleware → response."""
    return HttpResponse("pong\n", content_type="text/plain; charset=utf-8")


urlpatterns = [path("bench/ping", ping, name="bench_ping"), *portal_urlpatterns]
