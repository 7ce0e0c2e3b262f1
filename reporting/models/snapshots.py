"""Stored KPI figures of closed months, so the dashboard's trends never recompute a year."""

from django.db import models


class MonthlySnapshot(models.Model):
    """Every KPI's figures for one closed calendar month (Europe/London), as computed at
    ``computed_at``. ``stale_since`` is set when a record in the month changes after that
    (a late decision, a merge); the nightly task recomputes stale and missing months."""

    month = models.DateField(unique=True, help_text="The first day of the month.")
    figures = models.JSONField(help_text="Every KpiResult of the month, unsuppressed.")
    computed_at = models.DateTimeField()
    stale_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="snapshot_month_starts_on_the_first"
            )
        ]

    def __str__(self) -> str:
        return f"KPI snapshot of {self.month:%B %Y}"
