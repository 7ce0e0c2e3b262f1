"""A person's free-text school that is a 6-digit DfE URN of an imported school becomes their
current school (schools.services.people_link_by_urn does the same after each import)."""

import re

from django.db import migrations

URN = re.compile(r"^\s*(?:URN\s*)?([0-9]{6})\s*$", re.IGNORECASE)


def link_people_to_schools(apps, schema_editor) -> None:
    Person = apps.get_model("contacts", "Person")
    School = apps.get_model("schools", "School")
    by_urn: dict[str, list[int]] = {}
    candidates = Person.objects.filter(current_school__isnull=True).exclude(school="")
    for pk, text in candidates.values_list("pk", "school").iterator():
        match = URN.match(text)
        if match:
            by_urn.setdefault(match.group(1), []).append(pk)
    if not by_urn:
        return
    schools = dict(School.objects.filter(urn__in=list(by_urn)).values_list("urn", "pk"))
    for urn, school_id in schools.items():
        Person.objects.filter(pk__in=by_urn[urn]).update(current_school_id=school_id)


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0005_person_current_school"),
        ("schools", "0001_initial"),
    ]

    operations = [migrations.RunPython(link_people_to_schools, migrations.RunPython.noop)]
