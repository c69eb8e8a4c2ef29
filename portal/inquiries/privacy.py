"""Retention and data requests: what is kept of an inquirer, for how long, and how it goes.

Anonymising blanks what names or describes the person (name, organisation, e-mail, phone, the
message) and every text staff wrote about the inquiry (answers, notes: they may quote the
inquirer), in one transaction, and writes an ANONYMISED event that holds no personal data. The
reference, dates, status, desk, country, sector, project type and size stay: they are the
desk's statistics (inquiries per country and sector, answer times) and identify nobody alone.
An inquiry is anonymised once; a second run leaves it as it is.

Retention (INQUIRY_RETENTION_MONTHS) counts calendar months in the site's time zone; the
housekeeping task runs it daily (portal/inquiries/housekeeping.py), `anonymise_inquiries` on
demand. Mail tasks still queued for an anonymised inquiry send nothing (tasks.py).
"""

import calendar
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.inquiries.models import Inquiry, InquiryEvent

PERSONAL_FIELDS = ("name", "organisation", "email", "phone", "message")
# Events the system writes itself, with no free text from a person (what failed, which mail went).
# Every other kind's note and details are blanked: an answer, a note, a status change's comment.
SYSTEM_EVENTS = (
    InquiryEvent.Kind.CREATED,
    InquiryEvent.Kind.MAIL_SENT,
    InquiryEvent.Kind.MAIL_FAILED,
    InquiryEvent.Kind.ANONYMISED,
    InquiryEvent.Kind.EXPORTED,
)
# Details of those other events that say what happened, not what anyone wrote. Nothing else: a
# key such as "to" may hold the inquirer's address.
KEPT_EVENT_DATA = ("mail", "attempt", "language", "status")
BATCH = 500


class Personal(str):
    """A personal value in a template context: Django's template engine logs the whole context at
    DEBUG when a variable is missing (Wagtail's admin templates miss some on every page), by repr."""

    def __repr__(self):
        return "<personal data>"


def anonymise(queryset, actor=None, reason: str = "retention") -> int:
    """Blank the personal data of the inquiries in `queryset` not anonymised yet; how many were."""
    now = timezone.now()
    with transaction.atomic():
        pending = Inquiry.objects.filter(pk__in=queryset.values("pk"), anonymised_at__isnull=True)
        ids = list(pending.select_for_update().order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            Inquiry.objects.filter(pk__in=batch).update(anonymised_at=now, **dict.fromkeys(PERSONAL_FIELDS, ""))
            written = InquiryEvent.objects.filter(inquiry_id__in=batch).exclude(kind__in=SYSTEM_EVENTS)
            events = list(written.only("pk", "data"))
            for event in events:
                event.note = ""
                event.data = {key: value for key, value in (event.data or {}).items() if key in KEPT_EVENT_DATA}
            InquiryEvent.objects.bulk_update(events, ["note", "data"], batch_size=BATCH)
            InquiryEvent.objects.bulk_create(
                InquiryEvent(
                    inquiry_id=pk, kind=InquiryEvent.Kind.ANONYMISED, at=now, actor=actor, data={"reason": reason}
                )
                for pk in batch
            )
    return len(ids)


def months_before(moment: datetime, months: int) -> datetime:
    """The same wall-clock time `months` calendar months earlier in the site's time zone (31 March
    less one month is the last day of February)."""
    local = timezone.localtime(moment)
    index = local.year * 12 + local.month - 1 - months
    year, month = divmod(index, 12)
    day = min(local.day, calendar.monthrange(year, month + 1)[1])
    naive = local.replace(tzinfo=None, year=year, month=month + 1, day=day)
    return timezone.make_aware(naive, local.tzinfo)


def retention_cutoff(months: int | None = None, now: datetime | None = None) -> datetime:
    """Inquiries received before this are past retention."""
    return months_before(now or timezone.now(), settings.INQUIRY_RETENTION_MONTHS if months is None else months)


def expired(months: int | None = None, now: datetime | None = None):
    """Inquiries past retention that still hold personal data."""
    return Inquiry.objects.filter(received_at__lt=retention_cutoff(months, now), anonymised_at__isnull=True)


def anonymise_expired(months: int | None = None, now: datetime | None = None) -> int:
    return anonymise(expired(months, now), reason="retention")


def of_inquirer(email: str):
    """Every inquiry sent from `email` (any letter case); none for an empty address."""
    email = (email or "").strip()
    if not email:
        return Inquiry.objects.none()
    return Inquiry.objects.filter(email__iexact=email)


def event_data(event) -> dict:
    return {"kind": event.kind, "at": event.at.isoformat(), "note": event.note, "details": event.data}


def inquiry_data(inquiry) -> dict:
    return {
        "reference": inquiry.reference,
        "kind": inquiry.kind,
        "received_at": inquiry.received_at.isoformat(),
        "name": inquiry.name,
        "organisation": inquiry.organisation,
        "country": str(inquiry.country),
        "email": inquiry.email,
        "phone": inquiry.phone,
        "sector": inquiry.sector,
        "zone_of_interest": inquiry.zone_of_interest.title if inquiry.zone_of_interest_id else None,
        "project_type": inquiry.project_type,
        "size": inquiry.size_band,
        "language": inquiry.language,
        "message": inquiry.message,
        "privacy_notice_version": inquiry.privacy_notice.version if inquiry.privacy_notice_id else None,
        "consented_at": inquiry.consented_at.isoformat(),
        "desk": inquiry.desk.title if inquiry.desk_id else None,
        "status": inquiry.status,
        "first_answered_at": inquiry.first_answered_at.isoformat() if inquiry.first_answered_at else None,
        # Who on the staff did what is the portal's record, not the inquirer's data: no actors.
        "events": [event_data(event) for event in inquiry.events.all()],
    }


def inquirer_data(email: str) -> dict:
    """Everything stored about the sender of `email`, ready for json.dumps."""
    inquiries = (
        of_inquirer(email)
        .select_related("zone_of_interest", "desk", "privacy_notice")
        .prefetch_related("events")
        .order_by("received_at", "pk")
    )
    return {
        "email": (email or "").strip(),
        "exported_at": timezone.now().isoformat(),
        "inquiries": [inquiry_data(inquiry) for inquiry in inquiries],
    }


def export_inquirer(email: str, actor) -> dict:
    """inquirer_data, with an EXPORTED event on each inquiry (who exported, when)."""
    data = inquirer_data(email)
    references = [item["reference"] for item in data["inquiries"]]
    with transaction.atomic():
        InquiryEvent.objects.bulk_create(
            InquiryEvent(inquiry=inquiry, kind=InquiryEvent.Kind.EXPORTED, actor=actor, data={"reason": "request"})
            for inquiry in Inquiry.objects.filter(reference__in=references)
        )
    return data


def erase_inquirer(email: str, actor) -> int:
    """Anonymise every inquiry of `email` at its owner's request; how many were."""
    return anonymise(of_inquirer(email), actor=actor, reason="request")
