"""Page and document passwords (Wagtail's password view restrictions), with wrong guesses limited.

Wagtail answers every guess at once. Here FAILURE_LIMIT wrong passwords from one
client (portal.clientip.client_ip; an IPv6 client by its /64 network, which one
machine usually owns whole) for one restriction within WINDOW_SECONDS answer
every further attempt with HTTP 429 and Retry-After until the window ends; the
password is then not even compared, so the right one does not get through
either. A right password under the limit works and starts the count afresh.
The same holds for a private page (PageViewRestriction, Wagtail's
wagtail.views.authenticate_with_password) and a private document collection
(CollectionViewRestriction, wagtail.documents.views.serve.authenticate_with_password);
each restriction counts for itself, a page's apart from a collection's with the same id.

The counts live in the default cache (Redis when REDIS_URL is set, shared by
every worker; else each worker process counts for itself, so the limit is
per worker). No table to migrate or clean up, and the entries expire by
themselves. The cost: while Redis is down the portal's cache drops writes
(portal/cache.py), so wrong guesses are not counted then. The password is
still required; only its rate limit lapses, rather than the pages going down
with the cache.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import ngettext

from wagtail import views as wagtail_views
from wagtail.documents.views import serve as document_views
from wagtail.forms import PasswordViewRestrictionForm
from wagtail.models import CollectionViewRestriction, Page, PageViewRestriction

from portal.clientip import client_bucket

FAILURE_LIMIT = 10
WINDOW_SECONDS = 10 * 60


def authenticate_with_password(request, page_view_restriction_id, page_id):
    """Wagtail's view (wagtail.views.authenticate_with_password), refused once the client has
    used up its wrong guesses for this restriction."""
    return _throttled(
        request,
        f"page:{page_view_restriction_id}",
        lambda: wagtail_views.authenticate_with_password(request, page_view_restriction_id, page_id),
        lambda retry_after: _too_many_for_page(request, page_view_restriction_id, page_id, retry_after),
    )


def authenticate_with_collection_password(request, restriction_id):
    """Wagtail's view for a private document collection
    (wagtail.documents.views.serve.authenticate_with_password), limited as the page one is."""
    return _throttled(
        request,
        f"collection:{restriction_id}",
        lambda: document_views.authenticate_with_password(request, restriction_id),
        lambda retry_after: _too_many_for_collection(request, restriction_id, retry_after),
    )


def _throttled(request, scope: str, view, too_many):
    """view() unless this client has used up its wrong guesses for scope (then too_many(retry_after));
    a redirect from view() is a right password, anything else a wrong one."""
    if request.method != "POST":
        return view()
    key = _key(request, scope)
    retry_after = _blocked_for(key)
    if retry_after:
        return too_many(retry_after)
    response = view()
    if response.status_code == 302:  # the password was right
        cache.delete_many([f"{key}:count", f"{key}:since"])
    else:
        _count_failure(key)
    return response


def _key(request, scope: str) -> str:
    return f"portal:password:{scope}:{client_bucket(request)}"


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
    """The password form as Wagtail shows it, with the limit as the form's error: whatever was
    posted (no password field at all, too), nothing is compared and no field is "required"."""

    def __init__(self, *args, retry_after: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.retry_after = retry_after
        for field in self.fields.values():
            field.required = False

    def clean_password(self):
        return self.cleaned_data.get("password", "")  # never compared

    def clean(self):
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


def _with_retry_after(response, retry_after: int):
    response.status_code = 429
    response["Retry-After"] = str(retry_after)
    return response


def _too_many_for_page(request, restriction_id: int, page_id: int, retry_after: int):
    # Looked up as Wagtail's view does: an unknown restriction or page is still a 404.
    restriction = PageViewRestriction.objects.filter(pk=restriction_id).first()
    page = Page.objects.filter(pk=page_id).first()
    if restriction is None or page is None:
        return wagtail_views.authenticate_with_password(request, restriction_id, page_id)
    form = _TooManyGuessesForm(request.POST, instance=restriction, retry_after=retry_after)
    form.is_valid()
    action_url = request.path
    response = page.specific.serve_password_required_response(request, form, action_url)
    return _with_retry_after(response, retry_after)


def _too_many_for_collection(request, restriction_id: int, retry_after: int):
    # As Wagtail's view renders its form; an unknown restriction is still Wagtail's 404.
    restriction = CollectionViewRestriction.objects.filter(pk=restriction_id).first()
    if restriction is None:
        return document_views.authenticate_with_password(request, restriction_id)
    form = _TooManyGuessesForm(request.POST, instance=restriction, retry_after=retry_after)
    form.is_valid()
    template = getattr(settings, "WAGTAILDOCS_PASSWORD_REQUIRED_TEMPLATE", "wagtaildocs/password_required.html")
    context = {"form": form, "action_url": reverse("wagtaildocs_authenticate_with_password", args=[restriction.pk])}
    return _with_retry_after(TemplateResponse(request, template, context), retry_after)
