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


# --- Inquirers' data requests (portal/inquiries/privacy_views.py) ---
from django.urls import path, reverse  # noqa: E402

from wagtail import hooks  # noqa: E402
from wagtail.admin.menu import MenuItem  # noqa: E402

from portal.inquiries import privacy_views  # noqa: E402
from portal.inquiries.permissions import sees_all  # noqa: E402


@hooks.register("register_admin_urls")
def inquirer_data_urls():
    return [
        path("inquiries/inquirer/", privacy_views.inquirer, name="inquiries_inquirer"),
        path("inquiries/inquirer/export/", privacy_views.inquirer_export, name="inquiries_inquirer_export"),
        path("inquiries/inquirer/erase/", privacy_views.inquirer_erase, name="inquiries_inquirer_erase"),
    ]


class InquirerDataMenuItem(MenuItem):
    def is_shown(self, request):
        return sees_all(request.user)


@hooks.register("register_settings_menu_item")
def inquirer_data_menu_item():
    return InquirerDataMenuItem(
        _("Inquirers' data requests"), reverse("inquiries_inquirer"), name="inquirer-data", icon_name="lock", order=900
    )
