from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "mash.deadlines"
    label = "deadlines"
    verbose_name = "Deadlines, reminders and breaches"
