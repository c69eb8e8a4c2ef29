from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class L10nConfig(AppConfig):
    """The translators' workspace: translation status, permissions, report, XLIFF."""

    name = "portal.l10n"
    label = "l10n"
    verbose_name = _("Translations")

    def ready(self):
        from portal.l10n import signals

        signals.connect()
