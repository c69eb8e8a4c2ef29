"""503 "try again shortly" instead of a 500 while the database is away (a PostgreSQL restart, a
failover): the visitor and the load balancer learn that it is temporary, and when to come back.

DatabaseUnavailableMiddleware sits outside everything that may ask the database. A view's
error reaches its process_exception; an error in another middleware (the site lookup, a session
being saved) has already become Django's 500 page by the time it gets here, so the
got_request_exception signal notes it for the request and the 500 is replaced. Once the database
answers again the next request is served as usual: Django drops a broken connection at the end
of the request, and production checks a kept one before reusing it (CONN_HEALTH_CHECKS).
"""

import logging
import time
from contextvars import ContextVar

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils import translation
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
# A restart takes seconds; a failover somewhat longer.
RETRY_AFTER_SECONDS = 30
# One warning per process this often while the database is away, not one per request.
LOG_SECONDS = 60.0

_failed: ContextVar[list | None] = ContextVar("portal_database_failed", default=None)
_logged_at = [float("-inf")]


def note_database_error(sender=None, request=None, **kwargs) -> None:
    """got_request_exception receiver: remember for DatabaseUnavailableMiddleware that the error
    being turned into a 500 page was the database's."""
    import sys

    error = sys.exc_info()[1]
    failed = _failed.get()
    if failed is not None and isinstance(error, DATABASE_ERRORS):
        failed.append(error)


def unavailable(request, error: BaseException) -> HttpResponse:
    """The 503 page in the visitor's language (from the URL, else the browser's), made without the database."""
    now = time.monotonic()
    if now - _logged_at[0] >= LOG_SECONDS:
        _logged_at[0] = now
        logger.warning("Database unavailable, answering 503: %s: %s", type(error).__name__, error)
    language = translation.get_language_from_path(request.path_info) or translation.get_language_from_request(request)
    with translation.override(language):
        content = loader.get_template("503.html").render({"request": request})
    response = HttpResponse(content, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Content-Language"] = language
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        got_request_exception.connect(note_database_error, dispatch_uid="portal_unavailable")

    def __call__(self, request):
        failed = []
        token = _failed.set(failed)
        try:
            response = self.get_response(request)
        finally:
            _failed.reset(token)
        if failed and response.status_code == 500:
            return unavailable(request, failed[-1])
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            return unavailable(request, exception)
        return None
