"""The zone desks' inbox in the Wagtail admin: Wagtail's ModelViewSet for Inquiry, narrowed to
what the user may see (permissions.py), with filters, search, CSV/XLSX export, and one page per
inquiry where the desk assigns it, changes its status, writes notes and answers it by e-mail.

Inquiries are never added or deleted here: they come from the contact form, and personal data
leaves by anonymisation (privacy), which keeps the reference and the history.
"""

import statistics
from collections import defaultdict
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import DurationField, ExpressionWrapper, F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList, Panel
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic import history, usage
from wagtail.admin.views.reports import ReportView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

import django_filters

from portal.inquiries import tasks
from portal.inquiries.models import Inquiry, InquiryEvent, Kind, Status, ZoneDesk
from portal.inquiries.permissions import may_use_inbox, sees_all, visible_inquiries, visible_zones
from portal.text import spreadsheet_safe

# Actions desk staff take on the inquiries they see; "add" and "delete" are nobody's (see above).
INBOX_ACTIONS = {"view", "change", "export"}
ANSWER_MAX = 10000
NOTE_MAX = 5000


class InquiryPermissionPolicy(ModelPermissionPolicy):
    """Wagtail asks this for the menu, the views and their buttons; permissions.py answers."""

    def user_has_permission(self, user, action):
        return action in INBOX_ACTIONS and may_use_inbox(user)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        return get_user_model().objects.none()  # not asked by the views used here

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and visible_inquiries(user).filter(pk=instance.pk).exists()

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return Inquiry.objects.none()
        return visible_inquiries(user)


def desk_staff(inquiry):
    """Who may be assigned `inquiry`: the staff of its zone's desks (and of the zones above it), and
    the users who see every inquiry."""
    User = get_user_model()
    who = (
        Q(is_superuser=True)
        | Q(groups__permissions__codename="change_inquiry")
        | Q(user_permissions__codename="change_inquiry")
    )
    if inquiry.desk_id:
        ancestors = [inquiry.desk.path[:end] for end in range(4, len(inquiry.desk.path) + 1, 4)]
        groups = ZoneDesk.objects.filter(zone__path__in=ancestors).values("group")
        who |= Q(groups__in=groups)
    return User.objects.filter(who, is_active=True).distinct().order_by("username")


# --- The list ---


class InquiryFilterSet(WagtailFilterSet):
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=Status.choices, widget=forms.CheckboxSelectMultiple
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Kind.choices)
    desk = django_filters.ModelChoiceFilter(label=_("Zone"), queryset=lambda request: visible_zones(request.user))
    assignee = django_filters.ModelChoiceFilter(
        label=_("Assignee"),
        queryset=lambda request: get_user_model().objects.filter(
            pk__in=visible_inquiries(request.user).exclude(assignee=None).values("assignee")
        ),
    )
    language = django_filters.ChoiceFilter(label=_("Preferred language"), choices=settings.LANGUAGES)
    received_at = django_filters.DateFromToRangeFilter(label=_("Received"), widget=DateRangePickerWidget)

    class Meta:
        model = Inquiry
        fields = ["status", "kind", "desk", "assignee", "language", "received_at"]


class InquiryIndexView(generic.IndexView):
    # Held spam is out of the way until asked for (filter "Status: spam").
    default_ordering = "-received_at"

    def get_base_queryset(self):
        queryset = visible_inquiries(self.request.user).select_related("desk", "assignee")
        if not self.request.GET.getlist("status") and not self.search_query:
            queryset = queryset.exclude(status=Status.SPAM)
        return queryset

    def write_csv_row(self, writer, row_dict):
        # Every cell may hold what a visitor typed: never a formula in a spreadsheet program.
        return writer.writerow(
            {
                field: spreadsheet_safe(self.preprocess_field_value(field, value, self.FORMAT_CSV))
                for field, value in row_dict.items()
            }
        )

    def to_row_dict(self, item):
        row = super().to_row_dict(item)
        for field in ("status", "kind", "sector", "project_type", "size_band", "language"):
            if field in row:
                row[field] = getattr(item, f"get_{field}_display")()
        row["country"] = str(item.country.name) if item.country else ""
        return row


# --- One inquiry ---


class InquiryFacts(Panel):
    """What the inquirer sent and what has happened since (read only; all text escaped)."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "inquiries/admin/facts.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            inquiry = self.instance
            context["inquiry"] = inquiry
            events = list(inquiry.events.select_related("actor").order_by("at", "pk"))
            context["events"] = [(event, event_detail(event)) for event in events]
            context["answered"] = any(event.kind == InquiryEvent.Kind.ANSWER and event.note for event in events)
            return context


MAIL_NAMES = {
    tasks.AUTO_REPLY: _("confirmation to the inquirer"),
    tasks.DESK: _("notice to the desk"),
    tasks.ANSWER: _("answer to the inquirer"),
}


def event_detail(event) -> str:
    """What an event's data says, in the staff member's language (never personal data)."""
    data = event.data or {}
    statuses = dict(Status.choices)
    if event.kind == InquiryEvent.Kind.STATUS:
        return f"{statuses.get(data.get('from'), data.get('from'))} → {statuses.get(data.get('to'), data.get('to'))}"
    if event.kind == InquiryEvent.Kind.ASSIGNED:
        return data.get("to") or str(_("nobody"))
    if event.kind in (InquiryEvent.Kind.MAIL_SENT, InquiryEvent.Kind.MAIL_FAILED):
        detail = str(MAIL_NAMES.get(data.get("mail"), data.get("mail", "")))
        if data.get("error"):
            detail += f" ({data['error']}"
            detail += f", {_('will try again')})" if data.get("retry_at") else ")"
        return detail
    if event.kind == InquiryEvent.Kind.CREATED and data.get("spam"):
        return str(_("held for review: %(checks)s") % {"checks": ", ".join(data["spam"])})
    return ""


class InquiryHandlingForm(WagtailAdminModelForm):
    note = forms.CharField(
        label=_("Internal note"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by the desk only, never sent."),
    )
    answer_subject = forms.CharField(label=_("Subject of the answer"), required=False, max_length=200)
    answer = forms.CharField(
        label=_("Answer to the inquirer"),
        required=False,
        max_length=ANSWER_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("E-mailed to the inquirer when you save, and kept in the history. Write in their language."),
    )

    class Meta:
        model = Inquiry
        fields = ["status", "assignee", "note", "answer_subject", "answer"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.fields["assignee"].queryset = desk_staff(self.instance)
        self.fields["assignee"].label_from_instance = lambda user: user.get_full_name() or user.get_username()
        if self.instance.anonymised_at:
            for name in ("answer", "answer_subject"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("This inquiry was anonymised: there is no address to answer.")

    def clean(self):
        data = super().clean()
        answer = (data.get("answer") or "").strip()
        data["answer"] = answer
        if answer and data.get("status") in (Status.SPAM, Status.CLOSED) and self.instance.status == data["status"]:
            # sending an answer to something left as spam or closed is a slip, not an intent
            self.add_error("status", _("Change the status to answer this inquiry."))
        return data


def answer_subject(inquiry, typed: str) -> str:
    if typed.strip():
        return typed.strip()
    from django.utils import translation

    with translation.override(inquiry.language):
        return str(_("Re: your inquiry %(reference)s") % {"reference": inquiry.reference})


class VisibleInquiryMixin:
    """For every view of one inquiry: another zone's inquiry, or an id that does not exist, is the same 404."""

    def get_object(self, queryset=None):
        queryset = visible_inquiries(self.request.user).select_related("desk", "zone_of_interest", "assignee")
        try:
            return queryset.get(pk=self.kwargs[self.pk_url_kwarg])
        except (Inquiry.DoesNotExist, ValueError):
            raise Http404 from None


class InquiryHistoryView(VisibleInquiryMixin, history.HistoryView):
    pass


class InquiryUsageView(VisibleInquiryMixin, usage.UsageView):
    pass


class InquiryDeleteView(VisibleInquiryMixin, generic.DeleteView):
    pass  # nobody holds "delete" (InquiryPermissionPolicy); this keeps the 404 ahead of the refusal


class InquiryEditView(VisibleInquiryMixin, generic.EditView):
    """The handling page: status, assignee, a note and an answer, saved as events in one transaction."""

    def save_instance(self):
        before = Inquiry.objects.get(pk=self.object.pk)
        data = self.form.cleaned_data
        user = self.request.user
        with transaction.atomic():
            inquiry = self.form.save(commit=False)
            events = []
            if data["answer"] and not inquiry.anonymised_at:
                now = timezone.now()
                if inquiry.status in (Status.NEW, Status.ASSIGNED, Status.SPAM):
                    inquiry.status = Status.ANSWERED
                inquiry.first_answered_at = inquiry.first_answered_at or now
                subject = answer_subject(inquiry, data["answer_subject"])
                answer = InquiryEvent(
                    inquiry=inquiry,
                    kind=InquiryEvent.Kind.ANSWER,
                    actor=user,
                    note=data["answer"],
                    data={"subject": subject, "language": inquiry.language},
                )
                events.append(answer)
            if inquiry.assignee_id != before.assignee_id:
                if inquiry.assignee_id and inquiry.status == Status.NEW:
                    inquiry.status = Status.ASSIGNED
                events.append(
                    InquiryEvent(
                        inquiry=inquiry,
                        kind=InquiryEvent.Kind.ASSIGNED,
                        actor=user,
                        data={"to": inquiry.assignee.get_username() if inquiry.assignee_id else None},
                    )
                )
            if inquiry.status != before.status:
                events.append(
                    InquiryEvent(
                        inquiry=inquiry,
                        kind=InquiryEvent.Kind.STATUS,
                        actor=user,
                        data={"from": before.status, "to": inquiry.status},
                    )
                )
            if data["note"].strip():
                events.append(
                    InquiryEvent(inquiry=inquiry, kind=InquiryEvent.Kind.NOTE, actor=user, note=data["note"].strip())
                )
            inquiry.save()
            for event in events:
                event.save()
            if (
                before.status == Status.SPAM
                and inquiry.status != Status.SPAM
                and not before.events.filter(kind=InquiryEvent.Kind.MAIL_SENT).exists()
            ):
                tasks.queue_mails(inquiry)  # released from review: the mails it was held from
            for event in events:
                if event.kind == InquiryEvent.Kind.ANSWER:
                    tasks.enqueue_mail(inquiry.pk, tasks.ANSWER, event.pk)
        return inquiry

    def get_success_url(self):
        return self.get_edit_url()

    def get_success_message(self, instance=None):
        if self.form.cleaned_data.get("answer"):
            return _("Answer to %(reference)s saved; it is being e-mailed to the inquirer.") % {
                "reference": self.object.reference
            }
        return _("Inquiry %(reference)s saved.") % {"reference": self.object.reference}


class InquiryViewSet(ModelViewSet):
    model = Inquiry
    icon = "mail"
    menu_label = _("Inquiries")
    menu_order = 250
    add_to_admin_menu = True
    url_prefix = "inquiries"
    url_namespace = "inquiries"
    index_view_class = InquiryIndexView
    edit_view_class = InquiryEditView
    history_view_class = InquiryHistoryView
    usage_view_class = InquiryUsageView
    delete_view_class = InquiryDeleteView
    copy_view_enabled = False
    inspect_view_enabled = False
    add_to_reference_index = False
    list_per_page = 50
    filterset_class = InquiryFilterSet
    # The database, not the search index: nothing personal goes into the index.
    search_backend_name = None
    search_fields = ["reference", "name", "organisation", "email", "message"]
    list_display = [
        TitleColumn("reference", label=_("Reference"), url_name="inquiries:edit"),
        DateColumn("received_at", label=_("Received")),
        Column("organisation", label=_("Organisation")),
        Column("name", label=_("Name"), accessor="display_name"),
        Column("desk", label=_("Zone")),
        StatusTagColumn(
            "status", label=_("Status"), accessor="get_status_display", primary=lambda i: i.status == Status.NEW
        ),
        Column("assignee", label=_("Assignee")),
        Column("language", label=_("Language"), accessor="get_language_display"),
    ]
    list_export = [
        "reference",
        "received_at",
        "kind",
        "status",
        "desk",
        "name",
        "organisation",
        "country",
        "email",
        "phone",
        "sector",
        "project_type",
        "size_band",
        "language",
        "message",
        "assignee",
        "first_answered_at",
    ]
    export_filename = "inquiries"
    form_fields = ["status", "assignee", "note", "answer_subject", "answer"]
    edit_handler = ObjectList(
        [
            InquiryFacts(heading=_("The inquiry")),
            FieldPanel("status"),
            FieldPanel("assignee"),
            FieldPanel("answer_subject"),
            FieldPanel("answer"),
            FieldPanel("note"),
        ],
        base_form_class=InquiryHandlingForm,
    )


# --- Time to first answer ---


def month_starts(months: int) -> list:
    """The first moments of the last `months` months in the site's time zone, newest first, and the
    start of the next month (the end of the newest)."""
    first = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    starts = [first]
    while len(starts) < months:
        previous = (starts[-1] - timedelta(days=1)).replace(day=1)
        starts.append(timezone.make_aware(previous.replace(tzinfo=None)))
    following = timezone.make_aware((first + timedelta(days=32)).replace(day=1, tzinfo=None))
    return [following, *starts]


def first_answer_rows(inquiries, months: int = 12) -> list[dict]:
    """Per zone and month received: inquiries, answered, median and slowest hours to the first answer.

    Spam is left out; unanswered inquiries count in "received" only. One query per month, whose rows
    hold no date (converting 10,000 dates took longer than the rest); the median is taken here
    (SQLite has none).
    """
    bounds = month_starts(months)
    waited = ExpressionWrapper(F("first_answered_at") - F("received_at"), output_field=DurationField())
    counted = inquiries.exclude(status=Status.SPAM).annotate(waited=waited)
    titles = dict(visible_zone_titles(inquiries))
    result = []
    for end, start in zip(bounds, bounds[1:], strict=False):
        groups = defaultdict(list)
        received = defaultdict(int)
        month_rows = counted.filter(received_at__gte=start, received_at__lt=end).values_list("desk_id", "waited")
        for desk_id, wait in month_rows.iterator(chunk_size=5000):
            received[desk_id] += 1
            if wait is not None:
                groups[desk_id].append(wait.total_seconds() / 3600)
        rows = []
        for desk_id, count in received.items():
            hours = groups[desk_id]
            rows.append(
                {
                    "month": start.strftime("%Y-%m"),
                    "zone": titles.get(desk_id) or str(_("Central desk")),
                    "received": count,
                    "answered": len(hours),
                    "median_hours": round(statistics.median(hours), 1) if hours else None,
                    "slowest_hours": round(max(hours), 1) if hours else None,
                }
            )
        result += sorted(rows, key=lambda row: row["zone"])
    return result


def visible_zone_titles(inquiries):
    from zones.models import ZonePage

    return ZonePage.objects.filter(pk__in=inquiries.values("desk_id")).values_list("pk", "title")


class FirstAnswerReport(ReportView):
    page_title = _("Time to first answer")
    header_icon = "time"
    index_url_name = "inquiries_first_answer"
    index_results_url_name = "inquiries_first_answer_results"
    paginate_by = None
    columns = [
        Column("month", label=_("Month")),
        Column("zone", label=_("Zone")),
        Column("received", label=_("Received")),
        Column("answered", label=_("Answered")),
        Column("median_hours", label=_("Median hours to first answer")),
        Column("slowest_hours", label=_("Slowest (hours)")),
    ]
    list_export = ["month", "zone", "received", "answered", "median_hours", "slowest_hours"]
    export_headings = {
        "month": _("Month"),
        "zone": _("Zone"),
        "received": _("Received"),
        "answered": _("Answered"),
        "median_hours": _("Median hours to first answer"),
        "slowest_hours": _("Slowest (hours)"),
    }
    export_filename = "time-to-first-answer"

    def dispatch(self, request, *args, **kwargs):
        if not may_use_inbox(request.user):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return first_answer_rows(visible_inquiries(self.request.user))

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["sees_all"] = sees_all(self.request.user)
        return context
