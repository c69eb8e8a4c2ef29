from wagtail.admin.panels import Panel

from portal import i18n
from portal.l10n import status
from portal.l10n.models import TranslationStatus
from portal.l10n.permissions import translator_languages


class TranslationStatusPanel(Panel):
    """Shows, in the page editor, the page's translation state in every language."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "portal/l10n/status_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            page = self.instance
            rows = {r.language: r for r in TranslationStatus.objects.filter(page_id=page.pk)} if page.pk else {}
            context["page_id"] = page.pk
            # translators cannot add, remove or reorder inline items (refused on save): do not offer it
            context["translator"] = bool(translator_languages(getattr(self.request, "user", None)))
            context["statuses"] = [
                {
                    "code": code,
                    "name": i18n.language_name(code),
                    "label": rows[code].get_state_display(),
                    "fields": [
                        status.field_label(page, k) for k in rows[code].missing_fields + rows[code].outdated_fields
                    ],
                }
                for code in i18n.language_codes()
                if code in rows
            ]
            return context
