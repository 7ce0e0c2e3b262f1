"""The contact page's account of who the contact names: for each subject the address the contact
gave and why intake took them to be an existing record; for everyone else their role in the
concern, their relationship and why they matched. Two queries, however many people."""

from django import template

from ..models import ContactPerson, ContactSubject

register = template.Library()


@register.inclusion_tag("contacts/_people_named.html")
def people_named(contact) -> dict:
    subjects = list(
        ContactSubject.objects.filter(contact=contact).select_related("person").order_by("id")
    )
    others = list(
        ContactPerson.objects.filter(contact=contact)
        .select_related("person", "related_to")
        .order_by("id")
    )
    return {"subject_links": subjects, "others": others}
