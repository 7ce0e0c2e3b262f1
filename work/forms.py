"""The allocation form: which records, to whom. The service says what is wrong with them."""

import re

from django import forms

from mash import limits
from mash.forms import GovukFormMixin
from mash.limits import text_field

from .services import MAX_ID


class IdListField(forms.Field):
    """Record ids from checkboxes (or one hidden input): a list of whole numbers."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, noun: str, **kwargs) -> None:
        self.noun = noun
        super().__init__(required=False, **kwargs)

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        try:
            ids = [int(item) for item in value]
        except (TypeError, ValueError) as bad:
            raise forms.ValidationError(f"Choose {self.noun} from the list.") from bad
        if any(item <= 0 or item > MAX_ID for item in ids):
            raise forms.ValidationError(f"Choose {self.noun} from the list.")
        return ids


class AllocationForm(GovukFormMixin, forms.Form):
    contacts = IdListField(noun="contacts")
    enquiries = IdListField(noun="enquiries")
    assignee = forms.IntegerField(
        label="Allocate to",
        min_value=1,
        max_value=MAX_ID,
        error_messages={
            "required": "Choose who to allocate the work to.",
            "invalid": "Choose who to allocate the work to.",
            "min_value": "Choose who to allocate the work to.",
            "max_value": "Choose who to allocate the work to.",
        },
    )
    reason = text_field(limits.AUDIT_REASON, label="Reason (optional)", required=False)
    #: The worker whose work the page was showing, to go back to.
    worker = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)


_ROW = re.compile(r"(contact|enquiry)-\d{1,10}")


def row_from(data) -> str:
    """The row a single reassignment came from (its own select then shows the error), e.g.
    ``contact-12``; blank for the bulk form or anything else."""
    row = data.get("row", "")
    return row if isinstance(row, str) and _ROW.fullmatch(row) else ""


def versions_from(data) -> dict[str, int]:
    """The version of each record the page showed (``version-C000012=3``), by reference: the
    service refuses the allocation if one has changed since."""
    versions: dict[str, int] = {}
    for key, value in data.items():
        if key.startswith("version-") and len(key) <= 40:
            try:
                versions[key.removeprefix("version-")] = int(value)
            except (TypeError, ValueError):
                continue
    return versions
