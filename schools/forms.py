"""The administrators' forms for schools, the GIAS import and school holidays. They read what was
typed; the rules are the services'."""

from django import forms

from mash.forms import GovukDateField, GovukFormMixin
from mash.limits import text_field

from .models import HOLIDAY_NAME, URN, School

#: The largest GIAS file taken: the national export of every establishment is about 60 MB.
MAX_IMPORT_BYTES = 100 * 1024 * 1024


class SchoolImportForm(GovukFormMixin, forms.Form):
    file = forms.FileField(
        label="GIAS file (CSV)",
        help_text="A CSV downloaded from “Get information about schools”, with its own column "
        "names: URN, EstablishmentName, TypeOfEstablishment (name), EstablishmentStatus (name), "
        "PhaseOfEducation (name), Postcode and LA (name).",
        error_messages={
            "required": "Choose the GIAS file to import",
            "empty": "The GIAS file is empty",
            "invalid": "Choose the GIAS file to import",
        },
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update(
            {"class": "govuk-file-upload", "accept": ".csv,text/csv"}
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError("The GIAS file must be smaller than 100 MB")
        return upload


class SchoolForm(GovukFormMixin, forms.ModelForm):
    """A school's details. The URN is asked only when adding a school: it identifies it."""

    urn = text_field(
        URN,
        label="URN",
        help_text="The school's 6-digit DfE unique reference number.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-10"}),
    )

    class Meta:
        model = School
        fields = ["urn", "name", "phase", "status", "establishment_type", "postcode"]
        fields += ["local_authority"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["urn"]

    def validate_unique(self) -> None:
        """The service says when a URN is taken (naming the field)."""


class SchoolHolidayForm(GovukFormMixin, forms.Form):
    name = text_field(
        HOLIDAY_NAME,
        label="Name",
        help_text="For example, Summer holiday, October half term, Training day.",
    )
    first_day = GovukDateField(label="First day", help_text="For example, 21 7 2027")
    last_day = GovukDateField(
        label="Last day", help_text="The last day schools are closed. For example, 1 9 2027"
    )
