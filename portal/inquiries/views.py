"""The contact form (GET shows it, POST stores the inquiry) and its confirmation page.

Store first: the inquiry, its first event and the e-mail tasks are written in one
transaction, so either all of it is kept or nothing is; the e-mails go out from the
worker afterwards (tasks.py). The confirmation page is reached only through the signed
link the POST redirects to; a reference alone opens nothing.
"""

import json
import logging

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from portal import pagecache
from portal.clientip import client_bucket
from portal.inquiries import spam, tasks
from portal.inquiries.forms import InquiryForm
from portal.inquiries.models import Inquiry, InquiryEvent, Kind, PrivacyNotice, Status, new_reference

logger = logging.getLogger(__name__)

CONFIRMATION_SALT = "portal.inquiries.confirmation"
# The confirmation link works this long (the reference stays in the e-mail).
CONFIRMATION_SECONDS = 7 * 24 * 60 * 60


def public_zones():
    from portal.models import public_pages
    from zones.models import ZonePage

    # public_pages: the restricted paths remembered (pagecache), shared with question_index_url
    return public_pages(ZonePage.objects.all()).order_by("path")


def zone_from_query(request, zones):
    """?zone=<page id> of a live, public zone; anything else is ignored (never an error, never a leak)."""
    value = request.GET.get("zone", "")
    if not value.isdigit() or len(value) > 12:
        return None
    return zones.filter(pk=int(value)).values_list("pk", flat=True).first()


def kind_from_query(request) -> str:
    """?kind=question preselects a public question; anything else, the private inquiry."""
    return Kind.QUESTION if request.GET.get("kind") == Kind.QUESTION else Kind.INQUIRY


def question_index_url(request) -> str:
    """The URL of the public questions and answers page in the active language, or ""."""
    from portal.inquiries.pages import QuestionIndexPage
    from portal.models import public_pages

    def find():
        index = public_pages(QuestionIndexPage.objects.all()).order_by("path").first()
        return (index.get_url(request) or "") if index else ""  # "" is remembered too: no index, no query

    language = translation.get_language() or settings.LANGUAGE_CODE
    return pagecache.remember(f"question-index-url:{language}", find) or ""


def mark_errors(form) -> None:
    """Fields with errors say so to assistive technology and point to their message."""
    for name in form.errors:
        if name in form.fields:
            form.fields[name].widget.attrs.update({"aria-invalid": "true", "aria-describedby": f"id_{name}_error"})


def render_form(request, form, notice, *, status=200, refusal=""):
    if form.is_bound:
        mark_errors(form)
    context = {
        "form": form,
        "notice": notice,
        "refusal": refusal,
        "challenge_json": json.dumps(spam.new_challenge(), separators=(",", ":")),
        "altcha_strings": widget_strings(),
        "response_days": settings.INQUIRY_RESPONSE_DAYS,
        "retention_months": settings.INQUIRY_RETENTION_MONTHS,
        "questions_url": question_index_url(request),
    }
    return render(request, "inquiries/inquiry_form.html", context, status=status)


def widget_strings() -> dict:
    """The proof-of-work widget's texts in the page's language (its own bundles are not loaded)."""
    return {
        "label": pgettext("spam check", "I am not a robot"),
        "verified": pgettext("spam check", "Verified"),
        "verifying": pgettext("spam check", "Verifying…"),
        "verify": pgettext("spam check", "Verify"),
        "verificationRequired": pgettext("spam check", "Please wait until the check is done."),
        "waitAlert": pgettext("spam check", "Checking… please wait."),
        "error": pgettext("spam check", "The check failed. You can still send the form."),
        "expired": pgettext("spam check", "The check has expired. Please try again."),
        "loading": pgettext("spam check", "Loading…"),
        "reload": pgettext("spam check", "Try again"),
        "cancel": pgettext("spam check", "Cancel"),
        "ariaLinkLabel": "ALTCHA",
        "footer": "",
    }


def spam_reasons(request, form) -> list[str]:
    data = form.cleaned_data
    reasons = []
    if data.get("website"):
        reasons.append(spam.HONEYPOT)
    reasons += spam.fill_time_reasons(data.get("started", ""))
    reasons += spam.proof_reasons(request.POST.get("altcha", ""))
    reasons += spam.link_reasons(data.get("message", ""))
    return reasons


def store(form, notice, reasons) -> Inquiry:
    inquiry = form.save(commit=False)
    inquiry.privacy_notice = notice
    inquiry.consented_at = timezone.now()
    inquiry.desk = inquiry.zone_of_interest
    inquiry.spam_reasons = reasons
    inquiry.spam_score = len(reasons)
    inquiry.status = Status.SPAM if reasons else Status.NEW
    with transaction.atomic():
        for _attempt in range(5):
            inquiry.reference = new_reference()
            try:
                with transaction.atomic():
                    inquiry.save()
                break
            except IntegrityError:
                continue  # the same random reference twice: draw again
        else:
            raise IntegrityError("no free inquiry reference after 5 draws")
        InquiryEvent.objects.create(inquiry=inquiry, kind=InquiryEvent.Kind.CREATED, data={"spam": reasons})
        if not inquiry.held:
            tasks.queue_mails(inquiry)
    return inquiry


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def inquiry_form(request):
    zones = public_zones()
    notice = PrivacyNotice.objects.current()
    if request.method != "POST":
        initial = {"zone_of_interest": zone_from_query(request, zones), "kind": kind_from_query(request)}
        form = InquiryForm(zones=zones, notice=notice, initial=initial)
        return render_form(request, form, notice)

    form = InquiryForm(request.POST, zones=zones, notice=notice)
    if not form.is_valid():
        return render_form(request, form, notice, status=400)
    if not spam.within_rate_limits(client_bucket(request), form.cleaned_data["email"]):
        refusal = _("You have sent several inquiries in the last hour. Please wait an hour and send this one again.")
        return render_form(request, form, notice, status=429, refusal=refusal)

    seen = form.cleaned_data.get("notice_version")
    if seen and (not notice or seen != notice.version):  # a new version was published meanwhile
        notice = PrivacyNotice.objects.published().filter(version=seen).first() or notice
    inquiry = store(form, notice, spam_reasons(request, form))
    logger.info("inquiry %s received (%s)", inquiry.reference, inquiry.status)
    token = signing.dumps(inquiry.reference, salt=CONFIRMATION_SALT)
    return redirect("inquiry_sent", token=token)


@never_cache
@require_http_methods(["GET", "HEAD"])
def inquiry_sent(request, token):
    try:
        reference = signing.loads(token, salt=CONFIRMATION_SALT, max_age=CONFIRMATION_SECONDS)
    except signing.BadSignature:
        raise Http404 from None
    inquiry = Inquiry.objects.filter(reference=reference).only("reference", "status", "language", "kind").first()
    if inquiry is None:
        raise Http404
    context = {
        "inquiry": inquiry,
        "response_days": settings.INQUIRY_RESPONSE_DAYS,
        "questions_url": question_index_url(request) if inquiry.kind == Kind.QUESTION else "",
    }
    return render(request, "inquiries/inquiry_sent.html", context)
