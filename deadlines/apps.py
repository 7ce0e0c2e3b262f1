from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "deadlines"
    label = "deadlines"
    verbose_name = "Deadlines, reminders and breaches"

    def ready(self) -> None:
        from . import services  # noqa: F401 - registers the outbox handler of notification emails
