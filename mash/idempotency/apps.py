from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    name = "mash.idempotency"
    label = "idempotency"
    verbose_name = "Once per submission"
