"""Forms in GOV.UK style: widget classes set once here, markup in templates/includes/field.html."""

from django import forms


class GovukFormMixin:
    """Adds GOV.UK Frontend classes to every widget, and the error class where a field failed."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.Select):
                css = "govuk-select"
            elif isinstance(widget, forms.Textarea):
                css = "govuk-textarea"
            elif isinstance(widget, forms.CheckboxInput):
                css = "govuk-checkboxes__input"
            else:
                css = "govuk-input"
            if self.is_bound and name in self.errors:
                css += f" {css}--error"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if self.is_bound and name in self.errors:
                widget.attrs["aria-describedby"] = f"{self.add_prefix(name)}-error"
