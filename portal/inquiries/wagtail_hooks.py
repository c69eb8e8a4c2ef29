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


# --- Public questions: an answered question becomes a draft Q&A page ---
from django.urls import path  # noqa: E402

from wagtail import hooks  # noqa: E402


@hooks.register("register_admin_urls")
def register_publish_question_url():
    """Make a draft Q&A page of an answered public question (portal/inquiries/publishing.py)."""
    from portal.inquiries.publishing import publish_question

    return [path("inquiries/<int:pk>/publish-question/", publish_question, name="inquiries_publish_question")]
