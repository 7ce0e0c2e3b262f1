from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "deadlines"
    label = "deadlines"
    verbose_name = "Deadlines, reminders, breaches and notifications"

    def ready(self) -> None:
        from work.signals import allocated

        from . import services  # registers the outbox handler of notification emails

        allocated.connect(services.on_allocated, dispatch_uid="deadlines.notify_allocated")
