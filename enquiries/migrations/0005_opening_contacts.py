"""Each enquiry opened before enquiries held several contacts holds its opening contact."""

from django.db import migrations


def opening_contacts(apps, schema_editor):
    Enquiry = apps.get_model("enquiries", "Enquiry")
    EnquiryContact = apps.get_model("enquiries", "EnquiryContact")
    held = EnquiryContact.objects.values("contact_id")
    links = [
        EnquiryContact(
            enquiry_id=enquiry.pk,
            contact_id=enquiry.contact_id,
            how="opened",
            added_at=enquiry.opened_at,
            added_by_id=enquiry.created_by_id,
        )
        for enquiry in Enquiry.objects.exclude(contact_id__in=held).iterator()
    ]
    EnquiryContact.objects.bulk_create(links, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("enquiries", "0004_enquiry_contacts"),
    ]

    operations = [
        migrations.RunPython(opening_contacts, migrations.RunPython.noop, elidable=False),
    ]
