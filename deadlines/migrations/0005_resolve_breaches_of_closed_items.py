"""Resolve the breaches of items already closed.

Deployments that ran the deadline scan before breaches were resolved on close (deadlines.
resolution) hold unresolved breaches of contacts since decided, enquiries since closed and
requests since returned or withdrawn. Each gets ``resolved_at`` = when its item closed (the
contact's ``decided_at``, the enquiry's ``closed_at``, the request's ``returned_at`` or else
``withdrawn_at``), or the breach's own ``detected_at`` where the item has no such time. Breaches
of items still open are left alone. Reversing does nothing: the times are facts.
"""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce


def resolve(apps, schema_editor) -> None:
    Breach = apps.get_model("deadlines", "Breach")
    Contact = apps.get_model("contacts", "Contact")
    Enquiry = apps.get_model("enquiries", "Enquiry")
    InformationRequest = apps.get_model("enquiries", "InformationRequest")
    unresolved = Breach.objects.filter(resolved_at__isnull=True)

    decided = Contact.objects.exclude(outcome="")
    unresolved.filter(kind="contact_decision", contact__in=decided).update(
        resolved_at=Coalesce(
            Subquery(decided.filter(pk=OuterRef("contact_id")).values("decided_at")[:1]),
            F("detected_at"),
        )
    )

    closed = Enquiry.objects.filter(state="closed")
    unresolved.filter(kind="enquiry", enquiry__in=closed).update(
        resolved_at=Coalesce(
            Subquery(closed.filter(pk=OuterRef("enquiry_id")).values("closed_at")[:1]),
            F("detected_at"),
        )
    )

    ended = InformationRequest.objects.exclude(state="open")
    unresolved.filter(kind="information_return", information_request__in=ended).update(
        resolved_at=Coalesce(
            Subquery(
                ended.filter(pk=OuterRef("information_request_id"))
                .annotate(ended_at=Coalesce("returned_at", "withdrawn_at"))
                .values("ended_at")[:1]
            ),
            F("detected_at"),
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("deadlines", "0004_warning_points"),
        ("contacts", "0002_person_search_indexes"),
        ("enquiries", "0002_request_open_by_due"),
    ]

    operations = [migrations.RunPython(resolve, migrations.RunPython.noop)]
