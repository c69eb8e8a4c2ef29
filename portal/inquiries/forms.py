from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from django_countries import countries

from portal.inquiries import spam
from portal.inquiries.models import Inquiry, Kind

# Asked of inquiries; a public question (Kind.QUESTION) may leave them empty.
INQUIRY_ONLY = ("organisation", "sector", "project_type", "size_band")
# Every text field has a limit the browser knows too (maxlength) and the server checks.
MESSAGE_MAX = 5000


class ZoneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.title


class InquiryForm(forms.ModelForm):
    # A private inquiry unless the visitor chooses a public question (or a form sent without the
    # choice: the form as it was before public questions).
    kind = forms.TypedChoiceField(
        label=_("What would you like to send?"),
        choices=Kind.choices,
        widget=forms.RadioSelect,
        required=False,
        empty_value=Kind.INQUIRY,
    )
    zone_of_interest = ZoneChoiceField(
        label=_("Zone of interest"), queryset=None, required=False, empty_label=_("No particular zone")
    )
    message = forms.CharField(
        label=_("Your message"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("At most 5,000 characters."),
    )
    consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree that my data is used to answer this inquiry."),
        required=True,
        error_messages={"required": _("Please agree to the privacy notice, or we cannot answer you.")},
    )
    # People never see this field (CSS moves it off the screen, screen readers skip it); bots fill it.
    website = forms.CharField(label=_("Leave this field empty"), required=False, max_length=200)
    started = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)
    # The version of the privacy notice the page showed: the consent names the words seen.
    notice_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1)

    class Meta:
        model = Inquiry
        fields = [
            "kind",
            "name",
            "organisation",
            "country",
            "email",
            "phone",
            "sector",
            "zone_of_interest",
            "project_type",
            "size_band",
            "language",
            "message",
        ]
        labels = {
            "name": _("Your name"),
            "organisation": _("Organisation"),
            "country": _("Country or region"),
            "email": _("E-mail address"),
            "phone": _("Phone (optional)"),
            "sector": _("Sector"),
            "project_type": _("Type of project"),
            "size_band": _("Size of the project"),
            "language": _("Language of our answer"),
        }
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }

    def __init__(self, *args, zones=None, notice=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone_of_interest"].queryset = zones
        # Asked of a private inquiry; a public question may leave them empty (the page says so).
        question = self.is_bound and self.data.get(self.add_prefix("kind")) == Kind.QUESTION
        for name in INQUIRY_ONLY:
            self.fields[name].required = not question
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["organisation"].widget.attrs["autocomplete"] = "organization"
        # Names in the page's language, sorted in it (django-countries' own translations).
        self.fields["country"].choices = [("", _("Choose a country or region")), *countries]
        for name in ("sector", "project_type", "size_band"):
            self.fields[name].choices = [("", _("Choose one"))] + list(self.fields[name].choices)[1:]
        if not self.is_bound:
            self.initial.setdefault("kind", Kind.INQUIRY)
            self.initial.setdefault("language", get_language() or settings.LANGUAGE_CODE)
            self.initial["started"] = spam.sign_start()
            self.initial["notice_version"] = notice.version if notice else None
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        for name, field in self.fields.items():
            if field.required and not isinstance(field, forms.BooleanField):
                field.widget.attrs["required"] = True
            if name in INQUIRY_ONLY:
                field.widget.attrs["data-inquiry-only"] = ""
