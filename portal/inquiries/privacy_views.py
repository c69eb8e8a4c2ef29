"""Settings → Inquirers' data requests: an inquirer asks for their data or for its erasure.

Only those who see every inquiry (permissions.sees_all: editors, superusers) may: a zone desk
sees its own zone's inquiries, and one address may have written to several zones. The e-mail
address travels in POST bodies only, never in a URL (URLs end up in access logs and browser
histories); every step is a POST with Django's CSRF check, and erasing asks once more.
"""

import json
from functools import wraps

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django.views.defaults import permission_denied

from wagtail.admin import messages

from portal.inquiries import privacy
from portal.inquiries.permissions import sees_all


class InquirerForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("The inquirer's e-mail address"),
        max_length=254,
        help_text=gettext_lazy("Every inquiry sent from this address is found, whatever its letter case."),
    )


def for_all_inquiries(view):
    @wraps(view)
    def checked(request, *args, **kwargs):
        if not sees_all(request.user):
            # A 403, not Wagtail's redirect to the dashboard: a crafted request gets a plain refusal.
            return permission_denied(request, PermissionDenied())
        return view(request, *args, **kwargs)

    return never_cache(checked)


def render_page(request, form, *, status=200):
    email = form.cleaned_data["email"] if form.is_bound and form.is_valid() else ""
    inquiries = privacy.of_inquirer(email).select_related("desk").order_by("received_at") if email else None
    context = {"form": form, "email": privacy.Personal(email), "inquiries": inquiries}
    return TemplateResponse(request, "inquiries/admin/inquirer.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@for_all_inquiries
def inquirer(request):
    """The address asked for (POST), then how many inquiries match and the two actions."""
    if request.method != "POST":
        return render_page(request, InquirerForm())
    form = InquirerForm(request.POST)
    return render_page(request, form, status=200 if form.is_valid() else 400)


@require_POST
@for_all_inquiries
def inquirer_export(request):
    form = InquirerForm(request.POST)
    if not form.is_valid():
        return render_page(request, form, status=400)
    email = form.cleaned_data["email"]
    if not privacy.of_inquirer(email).exists():
        messages.warning(request, _("No inquiry was sent from this address: nothing to download."))
        return render_page(request, form)
    data = privacy.export_inquirer(email, request.user)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    # The date, not the address, names the file: it may lie in a downloads folder for long.
    response["Content-Disposition"] = f'attachment; filename="inquirer-data-{timezone.localdate():%Y-%m-%d}.json"'
    return response


@require_POST
@for_all_inquiries
def inquirer_erase(request):
    """First POST: the confirmation page; the second, with confirm=yes, erases."""
    form = InquirerForm(request.POST)
    if not form.is_valid():
        return render_page(request, form, status=400)
    email = form.cleaned_data["email"]
    inquiries = privacy.of_inquirer(email)
    if request.POST.get("confirm") != "yes":
        if not inquiries.filter(anonymised_at__isnull=True).exists():
            messages.warning(request, _("No inquiry from this address holds personal data: nothing to erase."))
            return render_page(request, form)
        inquiries = inquiries.select_related("desk").order_by("received_at")
        context = {"form": form, "email": privacy.Personal(email), "inquiries": inquiries}
        return TemplateResponse(request, "inquiries/admin/inquirer_erase.html", context)
    count = privacy.erase_inquirer(email, request.user)
    messages.success(
        request,
        ngettext(
            "The personal data of %(count)d inquiry was erased.",
            "The personal data of %(count)d inquiries was erased.",
            count,
        )
        % {"count": count},
    )
    return redirect("inquiries_inquirer")
