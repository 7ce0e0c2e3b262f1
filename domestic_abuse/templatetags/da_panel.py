"""The contact page's domestic abuse section: what the police sent besides the contact (the
occurrence reference, the incident, the DASH risk, the victim, the alleged perpetrator, each
child present or not) and where it is triaged. Two queries; nothing for other contacts."""

from django import template

from ..models import DaChild, DaNotification

register = template.Library()


@register.inclusion_tag("domestic_abuse/_panel.html")
def da_notification_panel(contact) -> dict:
    notification = (
        DaNotification.objects.filter(contact=contact)
        .select_related("police_agency", "victim", "perpetrator", "meeting")
        .first()
    )
    children = (
        list(DaChild.objects.filter(notification=notification).select_related("person"))
        if notification is not None
        else []
    )
    return {"notification": notification, "children": children}
