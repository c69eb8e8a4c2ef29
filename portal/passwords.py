"""Page passwords (Wagtail's password view restrictions), with wrong guesses limited.

Wagtail answers every guess at once. Here FAILURE_LIMIT wrong passwords from one
client (portal.clientip.client_ip; an IPv6 client by its /64 network, which one
machine usually owns whole) for one restriction within WINDOW_SECONDS answer
every further attempt with HTTP 429 and Retry-After until the window ends; the
password is then not even compared, so the right one does not get through
either. A right password under the limit works and starts the count afresh.

The counts live in the default cache (Redis when REDIS_URL is set, shared by
every worker; else each worker process counts for itself, so the limit is
per worker). No table to migrate or clean up, and the entries expire by
themselves. The cost: while Redis is down the portal's cache drops writes
(portal/cache.py), so wrong guesses are not counted then. The password is
still required; only its rate limit lapses, rather than the pages going down
with the cache.
"""

import time

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

from wagtail import views as wagtail_views
from wagtail.forms import PasswordViewRestrictionForm
from wagtail.models import Page, PageViewRestriction

from portal.clientip import client_bucket

FAILURE_LIMIT = 10
WINDOW_SECONDS = 10 * 60


def authenticate_with_password(request, page_view_restriction_id, page_id):
    """Wagtail's view (wagtail.views.authenticate_with_password), refused once the client has
    used up its wrong guesses for this restriction."""
    if request.method != "POST":
        return wagtail_views.authenticate_with_password(request, page_view_restriction_id, page_id)
    key = _key(request, page_view_restriction_id)
    retry_after = _blocked_for(key)
    if retry_after:
        return _too_many(request, page_view_restriction_id, page_id, retry_after)
    response = wagtail_views.authenticate_with_password(request, page_view_restriction_id, page_id)
    if response.status_code == 302:  # the password was right
        cache.delete_many([f"{key}:count", f"{key}:since"])
    else:
        _count_failure(key)
    return response


def _key(request, restriction_id: int) -> str:
    return f"portal:page-password:{restriction_id}:{client_bucket(request)}"


def _blocked_for(key: str) -> int:
    """Seconds until this client may guess again; 0 if it may now."""
    values = cache.get_many([f"{key}:count", f"{key}:since"])
    if values.get(f"{key}:count", 0) < FAILURE_LIMIT:
        return 0
    since = values.get(f"{key}:since", time.time())
    return max(1, int(since + WINDOW_SECONDS - time.time()) + 1)


def _count_failure(key: str) -> None:
    # The window starts with the first failure; add() keeps an existing entry and its expiry.
    cache.add(f"{key}:since", time.time(), WINDOW_SECONDS)
    cache.add(f"{key}:count", 0, WINDOW_SECONDS)
    try:
        cache.incr(f"{key}:count")
    except ValueError:  # expired in between
        cache.add(f"{key}:count", 1, WINDOW_SECONDS)


class _TooManyGuessesForm(PasswordViewRestrictionForm):
    """The password form as Wagtail shows it, with the limit as the password's error."""

    def __init__(self, *args, retry_after: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.retry_after = retry_after

    def clean_password(self):
        minutes = max(1, -(-self.retry_after // 60))
        raise ValidationError(
            ngettext(
                "Too many wrong passwords from your address. Please try again in %(minutes)d minute.",
                "Too many wrong passwords from your address. Please try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
            code="throttled",
        )


def _too_many(request, restriction_id: int, page_id: int, retry_after: int):
    # Looked up as Wagtail's view does: an unknown restriction or page is still a 404.
    restriction = PageViewRestriction.objects.filter(pk=restriction_id).first()
    page = Page.objects.filter(pk=page_id).first()
    if restriction is None or page is None:
        return wagtail_views.authenticate_with_password(request, restriction_id, page_id)
    form = _TooManyGuessesForm(request.POST, instance=restriction, retry_after=retry_after)
    form.is_valid()
    action_url = request.path
    response = page.specific.serve_password_required_response(request, form, action_url)
    response.status_code = 429
    response["Retry-After"] = str(retry_after)
    return response
