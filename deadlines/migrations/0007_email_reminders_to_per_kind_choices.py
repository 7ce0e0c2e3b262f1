"""Each user's email choice becomes one per kind of notification: the old "email me reminders
too?" answer becomes the reminder choice, so nobody who turned reminder emails off gets them
again. The other kinds take their defaults (``deadlines.models.EMAIL_DEFAULTS``). Reversing
writes the reminder choice back."""

from django.db import migrations


def to_per_kind(apps, schema_editor) -> None:
    NotificationPreference = apps.get_model("deadlines", "NotificationPreference")
    NotificationPreference.objects.filter(email_reminders=False).update(email_reminder=False)
    NotificationPreference.objects.filter(email_reminders=True).update(email_reminder=True)


def to_reminders_only(apps, schema_editor) -> None:
    NotificationPreference = apps.get_model("deadlines", "NotificationPreference")
    NotificationPreference.objects.filter(email_reminder=False).update(email_reminders=False)
    NotificationPreference.objects.filter(email_reminder=True).update(email_reminders=True)


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0006_notification_kinds_and_email_per_kind")]

    operations = [migrations.RunPython(to_per_kind, to_reminders_only)]
