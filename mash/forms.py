"""Forms in GOV.UK style: widget classes set once here, markup in templates/includes/field.html."""

from django import forms
from django.core.exceptions import ValidationError


def _govuk_class(widget: forms.Widget) -> str:
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "govuk-checkboxes__input"
    if isinstance(widget, forms.RadioSelect):
        return "govuk-radios__input"
    if isinstance(widget, forms.Select):
        return "govuk-select"
    if isinstance(widget, forms.Textarea):
        return "govuk-textarea"
    if isinstance(widget, forms.CheckboxInput):
        return "govuk-checkboxes__input"
    return "govuk-input"


class GovukFormMixin:
    """Adds GOV.UK Frontend classes to every widget, and the error class where a field failed."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = _govuk_class(field.widget)
            field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} {css}".strip()
            if field.help_text and not isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs["aria-describedby"] = f"{self.add_prefix(name)}-hint"

    _cleaned = False

    def full_clean(self) -> None:
        self._cleaned = False
        super().full_clean()
        self._cleaned = True
        self._mark_errors()

    def add_error(self, field, error) -> None:
        super().add_error(field, error)
        if self._cleaned:  # an error from a service, after the form's own cleaning
            self._mark_errors()

    def _mark_errors(self) -> None:
        """Give each failed field the GOV.UK error class and describe it by its error message."""
        for name in self.errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            error_class = f"{_govuk_class(widget)}--error"
            if error_class not in widget.attrs.get("class", "").split():
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {error_class}".strip()
            if isinstance(widget, forms.RadioSelect):
                continue  # the fieldset carries the description of a group
            described = [f"{self.add_prefix(name)}-hint"] if self.fields[name].help_text else []
            widget.attrs["aria-describedby"] = " ".join(
                [*described, f"{self.add_prefix(name)}-error"]
            )


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, field by field (others on the form)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
