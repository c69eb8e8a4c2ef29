"""Inquiries sent through the contact form, their history, and the privacy notice they accept.

An inquiry is stored before anything else happens to it (portal/inquiries/views.py); the
e-mails about it are tasks (portal/inquiries/tasks.py) that record each try as an event.
Nothing here is a page: inquiries are in no search index, sitemap, feed or page cache.
"""

import secrets

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel

from django_countries.fields import CountryField

# Crockford's base 32 without I, L, O, U: read aloud or typed from a printout without confusion.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_reference(now=None) -> str:
    """SC-<year>-XXXX-XXXX: 40 random bits, so knowing one reference says nothing of another."""
    year = (now or timezone.now()).year
    code = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"SC-{year}-{code[:4]}-{code[4:]}"


class Sector(models.TextChoices):
    MANUFACTURING = "manufacturing", _("Manufacturing")
    LOGISTICS = "logistics", _("Logistics and transport")
    TRADE = "trade", _("Trade")
    ENERGY = "energy", _("Energy and resources")
    AGRICULTURE = "agriculture", _("Agriculture and food")
    TECHNOLOGY = "technology", _("Technology and digital economy")
    FINANCE = "finance", _("Finance and professional services")
    TOURISM = "tourism", _("Tourism and culture")
    EDUCATION = "education", _("Education and research")
    GOVERNMENT = "government", _("Government and public bodies")
    OTHER = "other", _("Other")


class ProjectType(models.TextChoices):
    INVESTMENT = "investment", _("New investment")
    EXPANSION = "expansion", _("Expansion of an existing business")
    TRADE = "trade", _("Import or export")
    PARTNERSHIP = "partnership", _("Partnership or joint venture")
    DELEGATION = "delegation", _("Visit or delegation")
    INFORMATION = "information", _("Information only")
    OTHER = "other", _("Other")


class SizeBand(models.TextChoices):
    UNDISCLOSED = "undisclosed", _("Not known yet")
    UNDER_1M = "under-1m", _("Under USD 1 million")
    FROM_1M = "1m-10m", _("USD 1–10 million")
    FROM_10M = "10m-100m", _("USD 10–100 million")
    OVER_100M = "over-100m", _("Over USD 100 million")


class Status(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")
    SPAM = "spam", _("Spam or held for review")


class Kind(models.TextChoices):
    INQUIRY = "inquiry", _("Inquiry")
    QUESTION = "question", _("Public question")


class PrivacyNoticeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False, published_at__lte=timezone.now())

    def current(self):
        """The notice a visitor accepts now: the latest published version (None before the first)."""
        return self.published().order_by("-version").first()


class PrivacyNotice(models.Model):
    """One version of the privacy notice of the contact form, in every language (translation.py).

    A published version is never edited: a change is a new version, so an inquiry's consent
    always names the words the inquirer saw.
    """

    version = models.PositiveIntegerField(_("version"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    published_at = models.DateTimeField(
        _("published at"), null=True, blank=True, help_text=_("Empty: a draft, not shown to visitors.")
    )

    objects = PrivacyNoticeQuerySet.as_manager()

    # The language variants are added by wagtail-modeltranslation (translation.py).
    panels = [FieldPanel("version"), FieldPanel("title"), FieldPanel("text"), FieldPanel("published_at")]

    class Meta:
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")
        ordering = ["-version"]

    def __str__(self):
        return f"{self.title} (v{self.version})"

    def clean(self):
        """A version visitors may have accepted keeps its words: a change is a new version."""
        super().clean()
        if self.pk is None:
            return
        before = PrivacyNotice.objects.filter(pk=self.pk).first()
        if before is None or before.published_at is None or before.published_at > timezone.now():
            return
        texts = [field.attname for field in self._meta.fields if field.name.startswith(("title", "text", "version"))]
        if any(getattr(before, name) != getattr(self, name) for name in texts):
            raise ValidationError(
                _("Version %(version)s has been published: add a new version instead of changing it.")
                % {"version": before.version}
            )


class Inquiry(models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    # A public question may be published with its answer as a Q&A page, without the personal data;
    # organisation, sector, project type and size are asked only of inquiries.
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.INQUIRY)

    # The inquirer, as they wrote it.
    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    country = CountryField(_("country"))
    email = models.EmailField(_("e-mail"), max_length=254)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices, blank=True)
    zone_of_interest = models.ForeignKey(
        "zones.ZonePage",
        verbose_name=_("zone of interest"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    project_type = models.CharField(_("project type"), max_length=20, choices=ProjectType.choices, blank=True)
    size_band = models.CharField(_("size"), max_length=20, choices=SizeBand.choices, blank=True)
    language = models.CharField(_("preferred language"), max_length=10, choices=settings.LANGUAGES)
    message = models.TextField(_("message"), max_length=5000)

    # Consent: which notice, when.
    privacy_notice = models.ForeignKey(
        PrivacyNotice, verbose_name=_("privacy notice"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    consented_at = models.DateTimeField(_("consent given at"))

    # Routing and handling. No desk zone: the central desk (INQUIRY_DESK_EMAILS).
    desk = models.ForeignKey(
        "zones.ZonePage",
        verbose_name=_("desk"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW, db_index=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    first_answered_at = models.DateTimeField(_("first answered at"), null=True, blank=True)

    # Abuse checks (portal/inquiries/spam.py): score 0 passed them all; the reasons say which failed.
    spam_score = models.PositiveSmallIntegerField(_("spam score"), default=0)
    spam_reasons = models.JSONField(_("spam reasons"), default=list, blank=True)

    # Set when the personal fields were blanked (retention); the reference and the history stay.
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["desk", "status", "-received_at"], name="inquiry_desk_status")]

    def __str__(self):
        return self.reference

    @property
    def display_name(self) -> str:
        """The inquirer's name, or what stands for it once the personal data is gone (lists, exports)."""
        if self.anonymised_at and not self.name:
            return str(_("(anonymised)"))
        return self.name

    @property
    def held(self) -> bool:
        """Stored but held for a person to review: no automatic e-mail goes out."""
        return self.status == Status.SPAM


class InquiryEvent(models.Model):
    class Kind(models.TextChoices):
        CREATED = "created", _("Received")
        STATUS = "status", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        NOTE = "note", _("Note")
        MAIL_SENT = "mail-sent", _("E-mail sent")
        MAIL_FAILED = "mail-failed", _("E-mail failed")
        # The desk's answer, e-mailed to the inquirer: the text is the note, data holds the subject.
        ANSWER = "answer", _("Answer")
        PUBLISHED = "published", _("Published as a public question")
        ANONYMISED = "anonymised", _("Anonymised")
        EXPORTED = "exported", _("Exported")

    inquiry = models.ForeignKey(Inquiry, verbose_name=_("inquiry"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A staff note, or what happened (no personal data: the mail kind and the error's class and text).
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("inquiry event")
        verbose_name_plural = _("inquiry events")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.inquiry_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class ZoneDesk(models.Model):
    """The members of `group` answer the inquiries routed to `zone` and to the zones under it
    (a branch park's inquiries reach its own desk and its parent's). Set in Settings → Zone desks.
    """

    zone = models.OneToOneField("zones.ZonePage", verbose_name=_("zone"), on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(
        Group,
        verbose_name=_("staff group"),
        on_delete=models.CASCADE,
        related_name="inquiry_desks",
        help_text=_("Its members see, answer and export this zone's inquiries in the admin, and no other zone's."),
    )

    panels = [FieldPanel("zone"), FieldPanel("group")]

    class Meta:
        verbose_name = _("zone desk")
        verbose_name_plural = _("zone desks")

    def __str__(self):
        return f"{self.zone} – {self.group}"


# The Q&A page types live in their own module; imported here so that they are this app's models.
from portal.inquiries.pages import QuestionIndexPage, QuestionPage  # noqa: E402, F401
