"""Late changes mark a closed month's stored KPI figures stale.

Every save or delete of a record a KPI counts marks the month of its KPI date (a contact's
``received_at``, also for its DA notification and the meeting that triaged it; a DA
notification's ``incident_at`` for its Encompass notices; an enquiry's ``opened_at`` for the
enquiry, its requests and returns), and the month it *was* in when that date moved. A merge of
people moves or deletes ContactSubject rows and re-saves the contacts whose repeat flag
changed, so it is covered here too.

Bulk writes (``QuerySet.update``, ``bulk_create``) send no signals: their callers call
``reporting.services_snapshots.month_changed`` themselves.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models.signals import post_delete, post_save, pre_save

from contacts.models import Contact, ContactSubject, DecisionEntry
from domestic_abuse.models import DaNotification, TriageMeeting
from encompass.models import EncompassNotice
from enquiries.models import (
    Enquiry,
    EnquiryPerson,
    InformationRequest,
    InformationReturn,
    RagChange,
)
from mash.clocks import LONDON

from .services_snapshots import month_changed

_OLD = "_kpi_month_old_instant"

#: The records whose own field is their KPI date (the rest reach it through a foreign key).
_OWN_DATE = {Contact: "received_at", Enquiry: "opened_at"}


def _moving(sender, instance, update_fields=None, **kwargs) -> None:
    """Remember the stored KPI date before a save that may move it."""
    name = _OWN_DATE[sender]
    if instance.pk is None or (update_fields is not None and name not in update_fields):
        return
    old = sender.objects.filter(pk=instance.pk).values_list(name, flat=True).first()
    setattr(instance, _OLD, old)


def _own_date_changed(sender, instance, **kwargs) -> None:
    name = _OWN_DATE[sender]
    month_changed(getattr(instance, name))
    old: datetime | None = instance.__dict__.pop(_OLD, None)
    if old is not None and old != getattr(instance, name):
        month_changed(old)


def _date_through(instance, relation: str, model, name: str) -> datetime | None:
    """The KPI date of the record ``instance.<relation>`` points to (the loaded one if any)."""
    loaded = instance._state.fields_cache.get(relation)
    if loaded is not None:
        return getattr(loaded, name)
    pk = getattr(instance, f"{relation}_id")
    return model.objects.filter(pk=pk).values_list(name, flat=True).first()


def _contact_part_changed(sender, instance, **kwargs) -> None:
    month_changed(_date_through(instance, "contact", Contact, "received_at"))


def _enquiry_part_changed(sender, instance, **kwargs) -> None:
    month_changed(_date_through(instance, "enquiry", Enquiry, "opened_at"))


def _return_changed(sender, instance, **kwargs) -> None:
    opened = (
        InformationRequest.objects.filter(pk=instance.request_id)
        .values_list("enquiry__opened_at", flat=True)
        .first()
    )
    month_changed(opened)


def _da_notification_changed(sender, instance, **kwargs) -> None:
    """K13 counts it in the month it was received, K14 its notices in the month of the
    incident."""
    _contact_part_changed(sender, instance)
    month_changed(instance.incident_at)


def _notice_changed(sender, instance, **kwargs) -> None:
    """K14 counts a notice in the month of its incident."""
    month_changed(_date_through(instance, "notification", DaNotification, "incident_at"))


def _meeting_changed(sender, instance, **kwargs) -> None:
    """A meeting confirmed (or changed) moves K13 for the months its notifications were
    received in."""
    received = (
        Contact.objects.filter(da_notification__meeting=instance)
        .values_list("received_at", flat=True)
        .distinct()
    )
    months = {}
    for instant in received:
        months.setdefault(instant.astimezone(LONDON).date().replace(day=1), instant)
    for instant in months.values():
        month_changed(instant)


def connect() -> None:
    """Connected once, from ReportingConfig.ready()."""
    for model in _OWN_DATE:
        pre_save.connect(_moving, sender=model, dispatch_uid=f"kpi_month_moving_{model.__name__}")
        for signal in (post_save, post_delete):
            signal.connect(
                _own_date_changed,
                sender=model,
                dispatch_uid=f"kpi_month_{signal is post_save}_{model.__name__}",
            )
    for model, handler in (
        (ContactSubject, _contact_part_changed),
        (DecisionEntry, _contact_part_changed),
        (DaNotification, _da_notification_changed),
        (TriageMeeting, _meeting_changed),
        (EncompassNotice, _notice_changed),
        (EnquiryPerson, _enquiry_part_changed),
        (RagChange, _enquiry_part_changed),
        (InformationRequest, _enquiry_part_changed),
        (InformationReturn, _return_changed),
    ):
        for signal in (post_save, post_delete):
            signal.connect(
                handler,
                sender=model,
                dispatch_uid=f"kpi_month_{signal is post_save}_{model.__name__}",
            )
