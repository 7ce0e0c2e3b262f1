"""Every write of the downloads: asking for an export, building its file (in a Celery task),
handing it over (audited) and deleting old ones.

Access (DOMAIN.md, KPIS.md): KPI figures go to board members, managers and administrators, with
small numbers suppressed for board members; the Annex A list (personal data) to managers only.
A refused role gets PermissionError, which views turn into 404.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from mash.audit.events import record_event

from .exports import (
    CONTENT_TYPES,
    annex_a_csv,
    annex_a_filename,
    annex_a_xlsx,
    kpi_table_filename,
    kpi_workbook,
    table_file,
    workbook_filename,
)
from .exports.selectors import export_allowed
from .kpis import BREAKDOWNS, KPI_IDS, compute_kpis, suppressed
from .models import ExportJob, ExportKind, ExportState
from .periods import Period
from .selectors_annex_a import annex_a_list_1
from .selectors_dashboard import sees_suppressed

logger = logging.getLogger(__name__)

#: The outbox purpose of the "your file is ready" email.
EXPORT_READY_PURPOSE = "reporting.export_ready"
#: A job still waiting this long after it was asked for is asked for again.
WAITING_BEFORE_RETRY = timedelta(seconds=60)
#: A build running this long has outlived the task's hard time limit (660 s): its worker died.
STALLED_AFTER = timedelta(seconds=700)

#: A finished or abandoned export is kept this long, then ``exports_delete_expired`` removes it
#: (files hold figures or, for Annex A, personal data: no longer than needed).
RETENTION = timedelta(hours=24)

FILE_FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class DownloadFile:
    filename: str
    content: bytes
    content_type: str


def _check_table(kpi_id: str, breakdown: str) -> None:
    if kpi_id not in BREAKDOWNS:
        raise ValidationError({"kpi": f"Unknown KPI {kpi_id!r}: use K1 to {KPI_IDS[-1]}."})
    if breakdown not in BREAKDOWNS[kpi_id]:
        known = ", ".join(BREAKDOWNS[kpi_id])
        raise ValidationError(
            {"breakdown": f"{kpi_id} has no breakdown {breakdown!r}: use one of {known}."}
        )


def _check_format(file_format: str, allowed: tuple[str, ...] = FILE_FORMATS) -> None:
    if file_format not in allowed:
        raise ValidationError({"format": f"Choose a file format: {' or '.join(allowed)}."})


def _download_data(
    *, kind: str, file_format: str, period: Period, kpi_id: str, breakdown: str, suppress: bool
) -> dict:
    """What an audit entry says about a download: what and when, never whom it is about."""
    data = {
        "kind": kind,
        "format": file_format,
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "suppressed": suppress,
    }
    if kpi_id:
        data["kpi"] = kpi_id
    if breakdown:
        data["breakdown"] = breakdown
    return data


def kpi_table_download(
    *, user, kpi_id: str, breakdown: str, file_format: str, period: Period
) -> DownloadFile:
    """One KPI breakdown table as a file, made at once (it is small), and the download audited.
    Board members get small numbers as "<5"."""
    if not export_allowed(user, ExportKind.KPI_TABLE):
        raise PermissionError("Your role cannot download KPI figures.")
    _check_table(kpi_id, breakdown)
    _check_format(file_format)
    suppress = sees_suppressed(user)
    result = compute_kpis(period, ids=[kpi_id], breakdowns=[breakdown])[0]
    if suppress:
        result = suppressed(result)
    content = table_file(result.table(breakdown), kpi_id=kpi_id, file_format=file_format)
    record_event(
        "reporting.downloaded",
        actor=user,
        data=_download_data(
            kind=ExportKind.KPI_TABLE,
            file_format=file_format,
            period=period,
            kpi_id=kpi_id,
            breakdown=breakdown,
            suppress=suppress,
        ),
    )
    return DownloadFile(
        kpi_table_filename(kpi_id, breakdown, period, file_format),
        content,
        CONTENT_TYPES[file_format],
    )


@transaction.atomic
def export_requested(
    *,
    user,
    kind: str,
    file_format: str,
    period: Period,
    kpi_id: str = "",
    breakdown: str = "",
) -> ExportJob:
    """Ask for a file to be made in the background; the job is built after this commits.

    PermissionError when the user's role may not have this kind (views answer 404);
    ValidationError naming the field for an unknown kind, format, KPI or breakdown."""
    if kind not in ExportKind.values:
        raise ValidationError({"kind": f"Unknown kind of export {kind!r}."})
    if not export_allowed(user, kind):
        raise PermissionError("Your role cannot have this export.")
    if kind == ExportKind.WORKBOOK:
        _check_format(file_format, ("xlsx",))
        kpi_id = breakdown = ""
    else:
        _check_format(file_format)
    if kind == ExportKind.KPI_TABLE:
        _check_table(kpi_id, breakdown)
    elif kind == ExportKind.ANNEX_A:
        kpi_id = breakdown = ""
    job = ExportJob.objects.create(
        requested_by=user,
        kind=kind,
        file_format=file_format,
        period_start=period.start,
        period_end=period.end,
        kpi_id=kpi_id,
        breakdown=breakdown,
        suppressed=sees_suppressed(user),
        created_at=timezone.now(),
    )
    record_event(
        "reporting.export_requested",
        target=job,
        actor=user,
        data=_download_data(
            kind=kind,
            file_format=file_format,
            period=period,
            kpi_id=kpi_id,
            breakdown=breakdown,
            suppress=job.suppressed,
        ),
    )
    from mash.tasks import enqueue_on_commit

    from .tasks import build_export

    # A broker that is down is logged, not raised: the job is a row, and the periodic
    # ``reporting.start_waiting_exports`` starts any left waiting (exports_start_waiting).
    enqueue_on_commit(build_export, str(job.pk))
    return job


def _set_progress(job: ExportJob, percent: int) -> None:
    percent = max(0, min(100, int(percent)))
    ExportJob.objects.filter(pk=job.pk, state=ExportState.RUNNING).update(progress=percent)
    job.progress = percent


def _claim(job_id: str) -> ExportJob | None:
    """Move a waiting job to RUNNING. A finished job (DONE or FAILED) is never built again, so a
    redelivered task does nothing; a RUNNING job is built again only once its build has run past
    the task's hard time limit (its worker died), so a second task for a job being built skips."""
    now = timezone.now()
    claimed = ExportJob.objects.filter(
        Q(state=ExportState.PENDING)
        | Q(state=ExportState.RUNNING, started_at__lt=now - STALLED_AFTER)
        | Q(state=ExportState.RUNNING, started_at__isnull=True),
        pk=job_id,
    ).update(state=ExportState.RUNNING, progress=1, started_at=now)
    if not claimed:
        return None
    return ExportJob.objects.select_related("requested_by").defer("content").get(pk=job_id)


def _build_workbook(job: ExportJob, period: Period) -> tuple[str, bytes]:
    results = []
    for done, kpi_id in enumerate(KPI_IDS, start=1):
        result = compute_kpis(period, ids=[kpi_id])[0]
        results.append(suppressed(result) if job.suppressed else result)
        _set_progress(job, 5 + 90 * done // len(KPI_IDS))
    content = kpi_workbook(
        results, period=period, produced_at=timezone.now(), suppressed=job.suppressed
    )
    return workbook_filename(period), content


def _build_table(job: ExportJob, period: Period) -> tuple[str, bytes]:
    result = compute_kpis(period, ids=[job.kpi_id], breakdowns=[job.breakdown])[0]
    if job.suppressed:
        result = suppressed(result)
    _set_progress(job, 80)
    content = table_file(
        result.table(job.breakdown), kpi_id=job.kpi_id, file_format=job.file_format
    )
    return kpi_table_filename(job.kpi_id, job.breakdown, period, job.file_format), content


def _build_annex_a(job: ExportJob, period: Period) -> tuple[str, bytes]:
    rows = list(annex_a_list_1(user=job.requested_by, period=period))
    _set_progress(job, 60)
    writer = annex_a_csv if job.file_format == "csv" else annex_a_xlsx
    content = writer(rows)
    # The list identifies children: the trail names every person record it holds.
    record_event(
        "reporting.annex_a_built",
        target=job,
        actor=job.requested_by,
        data={
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
            "rows": len(rows),
            "people": sorted({row.person_id for row in rows}),
        },
    )
    return annex_a_filename(period, job.file_format), content


BUILDERS = {
    ExportKind.WORKBOOK: _build_workbook,
    ExportKind.KPI_TABLE: _build_table,
    ExportKind.ANNEX_A: _build_annex_a,
}


def export_build(*, job_id: str) -> ExportJob | None:
    """Make the file of a waiting export job (the Celery task's body). Safe to run twice: a job
    already DONE or FAILED is left alone and None returned. A failure marks the job FAILED with
    a short message (the details go to the log)."""
    job = _claim(job_id)
    if job is None:
        return None
    period = Period(job.period_start, job.period_end)
    try:
        if not export_allowed(job.requested_by, job.kind):
            raise PermissionError("the requester's role no longer allows this export")
        filename, content = BUILDERS[job.kind](job, period)
    except Exception as error:
        logger.exception("Export %s (%s) failed", job.pk, job.kind)
        message = (
            "You are no longer allowed this export."
            if isinstance(error, PermissionError)
            else "The file could not be made. Try again, or tell the service desk."
        )
        ExportJob.objects.filter(pk=job.pk).update(
            state=ExportState.FAILED, error=message, finished_at=timezone.now()
        )
        job.refresh_from_db()
        return job
    with transaction.atomic():
        done = ExportJob.objects.filter(pk=job.pk, state=ExportState.RUNNING).update(
            state=ExportState.DONE,
            progress=100,
            content=content,
            filename=filename,
            finished_at=timezone.now(),
        )
        job.refresh_from_db()
        if done:
            _queue_ready_email(job, period)
    return job


def _queue_ready_email(job: ExportJob, period: Period) -> None:
    """Tell the requester the file is ready (in the transaction that marks it done: the outbox).
    The email names the period and links to the download page, nothing more."""
    from django.conf import settings
    from django.urls import reverse

    from mash.outbox.services import queue_email

    link = settings.SITE_URL + reverse("reporting:export_status", kwargs={"job_id": job.pk})
    queue_email(
        recipient=job.requested_by.email,
        subject=f"{settings.SERVICE_NAME}: your {job.get_kind_display()} is ready",
        body=(
            f"The {job.get_kind_display()} for {period} is ready. Download it within 24 hours "
            f"(you will be asked to sign in):\n\n{link}"
        ),
        purpose=EXPORT_READY_PURPOSE,
        related_id=str(job.pk),
    )


def export_downloaded(*, user, job: ExportJob) -> DownloadFile:
    """Hand over a finished export's file (the caller has checked it is the user's) and audit
    the download. ValueError when the file is not ready."""
    if job.state != ExportState.DONE:
        raise ValueError("The file is not ready.")
    content = ExportJob.objects.values_list("content", flat=True).get(pk=job.pk)
    record_event(
        "reporting.downloaded",
        target=job,
        actor=user,
        data={
            **_download_data(
                kind=job.kind,
                file_format=job.file_format,
                period=Period(job.period_start, job.period_end),
                kpi_id=job.kpi_id,
                breakdown=job.breakdown,
                suppress=job.suppressed,
            ),
            "export": str(job.pk),
        },
    )
    return DownloadFile(job.filename, bytes(content), CONTENT_TYPES[job.file_format])


def exports_start_waiting(*, now: datetime | None = None) -> int:
    """Ask again for the build of every job left waiting for WAITING_BEFORE_RETRY (its enqueue
    failed, or the broker lost the message) or stalled in a build past its time limit (its worker
    died); returns how many were asked for. Run every minute by beat. A job asked for twice is
    built once (``_claim``)."""
    from mash.tasks import enqueue

    from .tasks import build_export

    now = now or timezone.now()
    waiting = ExportJob.objects.filter(
        Q(state=ExportState.PENDING, created_at__lt=now - WAITING_BEFORE_RETRY)
        | Q(state=ExportState.RUNNING, started_at__lt=now - STALLED_AFTER)
    ).values_list("pk", flat=True)
    asked = 0
    for job_id in waiting:
        if not enqueue(build_export, str(job_id)):
            break  # the broker is still down: the next minute tries again
        asked += 1
    return asked


def exports_delete_expired(*, now: datetime | None = None) -> int:
    """Delete export jobs (and their files) made more than RETENTION ago; returns how many.
    Run daily by the ``reporting.delete_expired_exports`` task."""
    cutoff = (now or timezone.now()) - RETENTION
    deleted, _by_model = ExportJob.objects.filter(created_at__lt=cutoff).delete()
    return deleted
