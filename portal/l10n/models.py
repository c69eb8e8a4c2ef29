"""What the translators' workspace remembers (see portal/l10n/status.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TranslationRecord(models.Model):
    """The source text a translation was made (or confirmed) against, as a digest.

    A translation is outdated when the source field's current digest differs.
    """

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    field = models.CharField(max_length=200)
    language = models.CharField(max_length=8)
    source_digest = models.CharField(max_length=40)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["page", "field", "language"], name="translation_record_unique"),
        ]

    def __str__(self):
        return f"{self.page_id} {self.field} [{self.language}]"


class TranslationState(models.TextChoices):
    COMPLETE = "complete", _("Complete")
    MISSING = "missing", _("Missing fields")
    OUTDATED = "outdated", _("Outdated fields")


class TranslationStatus(models.Model):
    """One page's translation state in one language, as of its latest revision."""

    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=8)
    state = models.CharField(max_length=10, choices=TranslationState.choices)
    expected = models.PositiveIntegerField(help_text="Fields that should be filled: filled in the source language.")
    filled = models.PositiveIntegerField()
    missing_fields = models.JSONField(default=list)
    outdated_fields = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["page", "language"], name="translation_status_unique")]
        indexes = [models.Index(fields=["language", "state"], name="translation_status_lang_state")]

    def __str__(self):
        return f"{self.page_id} [{self.language}]: {self.state}"
