"""The hub's form for recording a contact that arrived by phone, email or police notification."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django import forms

from agencies.models import Agency
from mash.forms import GovukFormMixin

from .codes import Channel, Concern, Consent, Gender, Source

LONDON = ZoneInfo("Europe/London")
RECORDED_CHANNELS = [
    (Channel.PHONE.value, Channel.PHONE.label),
    (Channel.EMAIL.value, Channel.EMAIL.label),
    (Channel.POLICE_NOTIFICATION.value, Channel.POLICE_NOTIFICATION.label),
]


class ContactDetailsForm(GovukFormMixin, forms.Form):
    channel = forms.ChoiceField(
        label="How did it arrive?", choices=RECORDED_CHANNELS, widget=forms.RadioSelect
    )
    source = forms.ChoiceField(
        label="Referral source", choices=[("", "Choose a source")] + Source.choices
    )
    referring_agency = forms.ModelChoiceField(
        label="Referring partner agency",
        queryset=Agency.objects.filter(is_active=True),
        required=False,
        empty_label="None",
    )
    received_date = forms.DateField(
        label="Date received",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave blank for now. For an email, the day it arrived.",
        required=False,
    )
    received_time = forms.TimeField(
        label="Time received",
        widget=forms.TimeInput(attrs={"type": "time"}),
        required=False,
    )
    referrer_name = forms.CharField(label="Referrer's name", max_length=200, required=False)
    referrer_role = forms.CharField(label="Referrer's role", max_length=200, required=False)
    referrer_organisation = forms.CharField(label="Organisation", max_length=200, required=False)
    referrer_phone = forms.CharField(label="Phone", max_length=40, required=False)
    referrer_email = forms.EmailField(label="Email", required=False)
    concerns = forms.MultipleChoiceField(
        label="Concerns", choices=Concern.choices, widget=forms.CheckboxSelectMultiple
    )
    narrative = forms.CharField(
        label="What the referrer told us", widget=forms.Textarea(attrs={"rows": 8})
    )
    consent = forms.ChoiceField(label="Consent", choices=Consent.choices, widget=forms.RadioSelect)
    consent_detail = forms.CharField(
        label="Lawful basis or reason",
        help_text="Needed when consent was not given or not sought.",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def received_at(self) -> datetime | None:
        day = self.cleaned_data.get("received_date")
        at = self.cleaned_data.get("received_time")
        if day is None:
            return None
        return datetime.combine(day, at or time(9), tzinfo=LONDON)


class SubjectForm(GovukFormMixin, forms.Form):
    given_name = forms.CharField(label="Given name", max_length=100)
    family_name = forms.CharField(label="Family name", max_length=100)
    date_of_birth = forms.DateField(
        label="Date of birth", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    expected_date_of_delivery = forms.DateField(
        label="Expected date of delivery (unborn child)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    gender = forms.ChoiceField(label="Gender", choices=Gender.choices, required=False)
    nhs_number = forms.CharField(label="NHS number", max_length=12, required=False)
    upn = forms.CharField(label="Unique pupil number", max_length=13, required=False)
    address = forms.CharField(label="Address", required=False, max_length=500)
    postcode = forms.CharField(label="Postcode", max_length=8, required=False)


SubjectFormSet = forms.formset_factory(
    SubjectForm, extra=3, max_num=3, min_num=1, validate_min=True
)
