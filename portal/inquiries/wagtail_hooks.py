from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from portal.inquiries import privacy_views
from portal.inquiries.admin_views import FirstAnswerReport, InquiryPermissionPolicy, InquiryViewSet
from portal.inquiries.models import Inquiry, PrivacyNotice, ZoneDesk
from portal.inquiries.permissions import may_use_inbox, sees_all

# Before anything asks Wagtail for Inquiry's policy (it would make a fallback one).
register_permission_policy(Inquiry, InquiryPermissionPolicy(Inquiry), exact_class=True)


class PrivacyNoticeViewSet(SnippetViewSet):
    """The contact form's privacy notice: editors add a version per change (Settings menu)."""

    model = PrivacyNotice
    icon = "lock"
    menu_label = _("Privacy notices")
    add_to_settings_menu = True
    list_display = ["version", "title", "published_at"]


class ZoneDeskViewSet(SnippetViewSet):
    """Which staff group answers which zone's inquiries (Settings menu; administrators)."""

    model = ZoneDesk
    icon = "group"
    menu_label = _("Zone desks")
    add_to_settings_menu = True
    list_display = ["zone", "group"]


register_snippet(PrivacyNoticeViewSet)
register_snippet(ZoneDeskViewSet)


@hooks.register("register_admin_viewset")
def inquiry_inbox():
    return InquiryViewSet("inquiries")


@hooks.register("register_admin_urls")
def inquiry_report_urls():
    return [
        path("inquiries-report/", FirstAnswerReport.as_view(), name="inquiries_first_answer"),
        path(
            "inquiries-report/results/",
            FirstAnswerReport.as_view(results_only=True),
            name="inquiries_first_answer_results",
        ),
    ]


class InboxMenuItem(MenuItem):
    def is_shown(self, request):
        return may_use_inbox(request.user)


@hooks.register("register_reports_menu_item")
def first_answer_menu_item():
    return InboxMenuItem(
        _("Time to first answer"),
        reverse("inquiries_first_answer"),
        name="inquiries-first-answer",
        icon_name="time",
        order=60,
    )


@hooks.register("insert_global_admin_css")
def inbox_css():
    return format_html('<link rel="stylesheet" href="{}">', static("inquiries/admin.css"))


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


# --- Public questions: an answered question becomes a draft Q&A page ---


@hooks.register("register_admin_urls")
def register_publish_question_url():
    """Make a draft Q&A page of an answered public question (portal/inquiries/publishing.py)."""
    from portal.inquiries.publishing import publish_question

    return [path("inquiries/<int:pk>/publish-question/", publish_question, name="inquiries_publish_question")]
