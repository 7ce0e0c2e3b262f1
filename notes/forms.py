"""The "Add a note" form of the hub's contact and enquiry pages."""

from django import forms

from mash import limits
from mash.forms import GovukFormMixin
from mash.limits import text_field

from .models import NoteKind
from .services import KIND_REQUIRED, KIND_UNKNOWN, TEXT_LABEL, TEXT_REQUIRED

SIGNIFICANT_LABEL = "Significant (shown in the chronology)"


class NoteForm(GovukFormMixin, forms.Form):
    """What kind of note, the note, and whether it is significant. Its element ids start with
    `note_` (``auto_id``), since it shares a page with other forms."""

    kind = forms.ChoiceField(
        label="Kind of note",
        choices=NoteKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": KIND_REQUIRED, "invalid_choice": KIND_UNKNOWN},
    )
    text = text_field(
        limits.CASE_NOTE,
        label=TEXT_LABEL,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": TEXT_REQUIRED},
    )
    significant = forms.BooleanField(label=SIGNIFICANT_LABEL, required=False)

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("auto_id", "note_%s")
        super().__init__(*args, **kwargs)
