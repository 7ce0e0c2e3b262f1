from django.apps import AppConfig


class ChronologyConfig(AppConfig):
    """A person's chronology (DOMAIN.md, "Households, history and documents"): read-only, built
    from the other apps' records through their visibility selectors. No models of its own."""

    name = "chronology"
    verbose_name = "Chronology"
