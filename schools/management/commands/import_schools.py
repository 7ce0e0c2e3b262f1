"""manage.py import_schools <csv>: import schools from a GIAS CSV, as the staff page does."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from schools.services import schools_import_from_command


class Command(BaseCommand):
    help = (
        "Import schools from a 'Get information about schools' CSV: each row added or updated by "
        "its URN, all or nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("csv", help="Path of the GIAS CSV file.")

    def handle(self, *args, csv: str, **options) -> None:
        path = Path(csv)
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror or error}.") from error
        try:
            result = schools_import_from_command(content=content, source=path.name)
        except ValidationError as error:
            problems = error.message_dict.get("file", error.messages)
            raise CommandError(
                "Nothing was imported:\n" + "\n".join(f"  {p}" for p in problems)
            ) from error
        self.stdout.write(
            f"Imported {result.total} schools: {result.created} added, {result.updated} "
            f"updated, {result.unchanged} unchanged."
        )
        if result.people_linked:
            self.stdout.write(f"{result.people_linked} people linked to their school by URN.")
