"""Downloads made in the background: the KPI workbook, KPI tables and the Annex A list."""

import uuid

from django.conf import settings
from django.db import models


class ExportKind(models.TextChoices):
    KPI_TABLE = "kpi_table", "KPI table"
    WORKBOOK = "workbook", "KPI workbook"
    ANNEX_A = "annex_a", "Ofsted Annex A List 1"


class ExportState(models.TextChoices):
    PENDING = "pending", "Waiting to start"
    RUNNING = "running", "Being made"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class ExportJob(models.Model):
    """One requested download. The file is kept in the database (no shared volume between the
    web and worker containers) and only its requester can fetch it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    kind = models.CharField(max_length=12, choices=ExportKind.choices)
    file_format = models.CharField(max_length=4, choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    period_start = models.DateField()
    period_end = models.DateField(help_text="The first day not in the period.")
    kpi_id = models.CharField(max_length=3, blank=True)
    breakdown = models.CharField(max_length=40, blank=True)
    suppressed = models.BooleanField(help_text="Made for a board member: small numbers hidden.")
    state = models.CharField(max_length=8, choices=ExportState.choices, default=ExportState.PENDING)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    content = models.BinaryField(null=True, blank=True, editable=False)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["requested_by", "created_at"], name="export_job_mine")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.file_format}) for {self.requested_by}"
