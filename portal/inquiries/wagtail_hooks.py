from django.utils.translation import gettext_lazy as _

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from portal.inquiries.models import PrivacyNotice


class PrivacyNoticeViewSet(SnippetViewSet):
    """The contact form's privacy notice: editors add a version per change (Settings menu)."""

    model = PrivacyNotice
    icon = "lock"
    menu_label = _("Privacy notices")
    add_to_settings_menu = True
    list_display = ["version", "title", "published_at"]


register_snippet(PrivacyNoticeViewSet)
