"""/healthz for the load balancer and the service manager.

200 while the database answers, else 503: without the database nothing can be served. The
body names the state of each service, the cache's too; a cache that does not answer is
reported but is no reason to take the server out of service (the portal serves without it,
portal/cache.py):

    ok
    database: ok
    cache: unavailable
"""

import logging

from django.core.cache import caches
from django.db import DatabaseError, connections
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


def database_ok() -> bool:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database does not answer")
        return False
    return True


def cache_ok() -> bool:
    """Whether every Redis the caches use answers (a cache in memory or files always does)."""
    return all(getattr(caches[alias], "available", True) for alias in caches)


@never_cache
@require_safe
def healthz(request):
    database = database_ok()
    lines = [
        "ok" if database else "unavailable",
        f"database: {'ok' if database else 'unavailable'}",
        f"cache: {'ok' if cache_ok() else 'unavailable'}",
    ]
    return HttpResponse(
        "\n".join(lines) + "\n", status=200 if database else 503, content_type="text/plain; charset=utf-8"
    )
