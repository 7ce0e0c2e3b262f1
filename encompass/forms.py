"""The hub's form recording the school of a child who has no Encompass notice. It reads what was
typed; the rules are the services' (``schools.selectors.school_from_choice``)."""

from django import forms

from contacts.forms_person import SchoolChoiceInput
from mash import limits
from mash.forms import GovukFormMixin
from mash.limits import text_field


class ChildSchoolForm(GovukFormMixin, forms.Form):
    school = text_field(
        limits.SCHOOL,
        label="School or setting",
        help_text="Its 6-digit DfE URN or its name, as on the schools list.",
        widget=SchoolChoiceInput,
        error_messages={"required": "Enter the school's 6-digit URN or its name"},
    )
