"""Notifications that wanted an email and had none when the outbox came are queued in it, so the
switch from the scan's own sending to the outbox loses none. The message is written as
``deadlines.services.notification_mail`` writes it."""

from email.utils import make_msgid

from django.conf import settings
from django.db import migrations
from django.utils import timezone

PURPOSE = "deadline.notification"


def queue_pending(apps, schema_editor) -> None:
    Notification = apps.get_model("deadlines", "Notification")
    OutboxEmail = apps.get_model("outbox", "OutboxEmail")
    now = timezone.now()
    pending = (
        Notification.objects.filter(email_wanted=True, emailed_at__isnull=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("pk")
    )
    rows = []
    for notification in pending.iterator(chunk_size=2000):
        link = notification.link
        if link and "://" not in link:
            link = f"{settings.SITE_URL}{link}"
        rows.append(
            OutboxEmail(
                message_id=make_msgid(domain=settings.MASH_EMAIL_MESSAGE_ID_DOMAIN),
                recipient=notification.user.email,
                subject=f"{settings.SERVICE_NAME}: {notification.title}"[:255],
                body=f"{notification.body}\n\n{link}",
                purpose=PURPOSE,
                related_id=str(notification.pk),
                next_attempt_at=now,
                created_at=now,
            )
        )
        if len(rows) >= 2000:
            OutboxEmail.objects.bulk_create(rows)
            rows = []
    OutboxEmail.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("outbox", "0002_relay_schedule"),
        ("deadlines", "0005_resolve_breaches_of_closed_items"),
    ]

    operations = [migrations.RunPython(queue_pending, migrations.RunPython.noop)]
