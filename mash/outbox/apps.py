from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "mash.outbox"
    label = "outbox"
    verbose_name = "Outbox (emails waiting, sent and failed)"
