"""Generate a year of realistic demo contacts, enquiries and returns for the KPI dashboard."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reporting.demo_year import DemoYearExists, demo_year_exists, generate_demo_year


class Command(BaseCommand):
    help = (
        "Generate --contacts contacts over the last --months calendar months (this one so far "
        "included) with their decisions, enquiries, requests and returns, in bulk. Refuses to "
        "run twice unless --append."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--contacts", type=int, default=3000)
        parser.add_argument("--months", type=int, default=12)
        parser.add_argument("--seed", type=int, default=2026, help="The same seed, the same data.")
        parser.add_argument("--batch", type=int, default=5000, help="Contacts stored at a time.")
        parser.add_argument(
            "--append", action="store_true", help="Add to demo year data already there."
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="Do nothing (and succeed) when demo year data is there already: for make run.",
        )

    def handle(self, *args, contacts: int, months: int, seed: int, batch: int, **options) -> None:
        if options["once"] and not options["append"] and demo_year_exists():
            self.stdout.write("Demo year data is already in this database; nothing generated.")
            return
        try:
            result = generate_demo_year(
                contacts=contacts,
                months=months,
                seed=seed,
                batch=batch,
                append=options["append"],
                progress=self.stdout.write,
            )
        except (DemoYearExists, ValueError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Generated {result}.")
