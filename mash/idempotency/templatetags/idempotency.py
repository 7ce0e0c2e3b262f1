"""`{% submission_token "marf" %}`: the hidden one-time token of a form that creates something."""

from django import template
from django.utils.html import format_html

from ..submissions import FIELD_NAME, submission_token_issue

register = template.Library()


@register.simple_tag(takes_context=True)
def submission_token(context, form: str) -> str:
    """A hidden input holding a new token for the signed-in user to post `form` once."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    token = submission_token_issue(user=user, form=form)
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD_NAME, token)
