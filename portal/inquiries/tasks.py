"""The e-mails about an inquiry, sent by the worker of the "mail" task backend (settings.TASKS).

Each is one task. A try that fails (mail server down, refused, timed out) is written down as an
event and the task is queued again for later (INQUIRY_MAIL_RETRY_SECONDS, doubling), up to
INQUIRY_MAIL_RETRIES times; the inquiry itself was stored before any of this, so nothing is lost.
Events and logs name the reference and the error's kind, never what the inquirer wrote.
"""

import logging
import smtplib
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from django_tasks import task, task_backends

logger = logging.getLogger(__name__)

AUTO_REPLY = "auto-reply"
DESK = "desk"
# The desk's answer written in the admin (an ANSWER event: its note is the text).
ANSWER = "answer"
KINDS = (AUTO_REPLY, DESK, ANSWER)


def queue_in_database() -> bool:
    """The "mail" queue is rows in the portal's database (else in Redis, settings.task_backends)."""
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task_backends["mail"], DatabaseBackend)


def queue_mails(inquiry) -> None:
    """Queue the automatic reply and the desk's notice (call inside the transaction that stores the inquiry).

    In the database queue the tasks are rows of that transaction: stored with the inquiry or not at
    all. A Redis queue is outside it and would hand them to a worker before the inquiry is there to
    read, so they are queued once it is committed.
    """
    for kind in (AUTO_REPLY, DESK):
        enqueue_mail(inquiry.pk, kind)


def enqueue_mail(inquiry_id: int, kind: str, event_id: int | None = None) -> None:
    """Queue one e-mail's first try with the transaction that stores what it is about (queue_mails)."""
    enqueue = partial(send_inquiry_mail.enqueue, inquiry_id, kind, 1, event_id)
    if queue_in_database():
        enqueue()
    else:
        transaction.on_commit(enqueue)


def desk_addresses(inquiry) -> list[str]:
    """The zone's contact e-mail when it has one, else the central desk's."""
    if inquiry.desk_id and inquiry.desk.contact_email:
        return [inquiry.desk.contact_email]
    return list(settings.INQUIRY_DESK_EMAILS)


def build_mail(inquiry, kind: str, event=None) -> EmailMultiAlternatives:
    language = settings.LANGUAGE_CODE if kind == DESK else inquiry.language
    with translation.override(language):
        context = {
            "inquiry": inquiry,
            "response_days": settings.INQUIRY_RESPONSE_DAYS,
            "language_name": dict(settings.LANGUAGES).get(inquiry.language, inquiry.language),
            "zone_title": inquiry.zone_of_interest.title if inquiry.zone_of_interest_id else "",
            # The admin's address, not the request's: the worker has no request.
            "admin_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("inquiries:edit", args=[inquiry.pk]),
        }
        if kind == ANSWER:
            subject = event.data.get("subject") or _("Your inquiry %(reference)s") % {"reference": inquiry.reference}
            context.update(answer=event.note, subject=subject)
            to, reply_to = [inquiry.email], desk_addresses(inquiry)
        elif kind == AUTO_REPLY:
            subject = _("Your inquiry %(reference)s") % {"reference": inquiry.reference}
            to, reply_to = [inquiry.email], desk_addresses(inquiry)
        else:
            subject = _("New inquiry %(reference)s") % {"reference": inquiry.reference}
            to, reply_to = desk_addresses(inquiry), [inquiry.email]
        text = render_to_string(f"inquiries/email/{kind}.txt", context)
        html = render_to_string(f"inquiries/email/{kind}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, to, reply_to=reply_to)
    message.attach_alternative(html, "text/html")
    # Answers are sent in the recipient's language; mail programs may show or read them so.
    message.extra_headers["Content-Language"] = language
    return message


def retry_delay(attempt: int) -> timedelta:
    return timedelta(seconds=settings.INQUIRY_MAIL_RETRY_SECONDS * 2 ** (attempt - 1))


@task(backend="mail")
def send_inquiry_mail(inquiry_id: int, kind: str, attempt: int = 1, event_id: int | None = None) -> str:
    from portal.inquiries.models import Inquiry, InquiryEvent

    inquiry = Inquiry.objects.select_related("desk", "zone_of_interest").filter(pk=inquiry_id).first()
    if inquiry is None or inquiry.anonymised_at is not None or kind not in KINDS:
        return "skipped"
    event = None
    if kind == ANSWER:
        event = inquiry.events.filter(pk=event_id, kind=InquiryEvent.Kind.ANSWER).first()
        if event is None or not event.note:
            return "skipped"
    try:
        build_mail(inquiry, kind, event).send()
    except (smtplib.SMTPException, OSError) as error:
        retry = attempt < settings.INQUIRY_MAIL_RETRIES
        run_after = timezone.now() + retry_delay(attempt) if retry else None
        InquiryEvent.objects.create(
            inquiry=inquiry,
            kind=InquiryEvent.Kind.MAIL_FAILED,
            data={
                "mail": kind,
                "attempt": attempt,
                "error": type(error).__name__,
                "event": event_id,
                "smtp_code": getattr(error, "smtp_code", None),
                "retry_at": run_after.isoformat() if run_after else None,
            },
        )
        logger.warning(
            "inquiry %s: %s e-mail failed (try %d, %s)%s",
            inquiry.reference,
            kind,
            attempt,
            type(error).__name__,
            "; will try again" if retry else "; giving up",
        )
        if retry:
            send_inquiry_mail.using(run_after=run_after).enqueue(inquiry_id, kind, attempt + 1, event_id)
            return "retry"
        return "failed"
    InquiryEvent.objects.create(
        inquiry=inquiry, kind=InquiryEvent.Kind.MAIL_SENT, data={"mail": kind, "attempt": attempt, "event": event_id}
    )
    logger.info("inquiry %s: %s e-mail sent", inquiry.reference, kind)
    return "sent"
