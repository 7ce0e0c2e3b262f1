"""Downloads: a KPI table at once (CSV or XLSX), the KPI workbook and the Annex A list through a
background export job with a status page, and the job's file. Thin: parse, call, render.

Outsiders (a role that may not have the download, or someone else's job) get 404."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mash.forms import apply_errors

from ..exports.forms import AnnexAForm, PeriodFieldsForm
from ..exports.selectors import export_allowed, export_job_for
from ..models import ExportJob, ExportKind, ExportState
from ..periods import Period
from ..services_exports import (
    DownloadFile,
    export_downloaded,
    export_requested,
    kpi_table_download,
)


def _require(request: HttpRequest, kind: str) -> None:
    if not export_allowed(request.user, kind):
        raise Http404


def _file_response(download: DownloadFile) -> HttpResponse:
    response = HttpResponse(download.content, content_type=download.content_type)
    response["Content-Disposition"] = f'attachment; filename="{download.filename}"'
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _bad_request(request: HttpRequest, form, title: str) -> HttpResponse:
    return render(
        request, "reporting/download_error.html", {"form": form, "title": title}, status=400
    )


@login_required
@require_GET
def kpi_table_download_view(
    request: HttpRequest, kpi_id: str, breakdown: str, fmt: str
) -> HttpResponse:
    """GET /reporting/kpis/<kpi>/<breakdown>.<csv|xlsx>/?from=&to=: one table, made now."""
    _require(request, ExportKind.KPI_TABLE)
    form = PeriodFieldsForm(request.GET)
    if not form.is_valid():
        return _bad_request(request, form, "The table could not be downloaded")
    try:
        download = kpi_table_download(
            user=request.user,
            kpi_id=kpi_id,
            breakdown=breakdown,
            file_format=fmt,
            period=form.period,
        )
    except ValidationError as error:
        raise Http404 from error  # an unknown KPI or breakdown is an unknown address
    except PermissionError as error:
        raise Http404 from error
    return _file_response(download)


@login_required
@require_POST
def workbook_request(request: HttpRequest) -> HttpResponse:
    """POST /reporting/workbook/ (from, to): start making the workbook; show its progress."""
    _require(request, ExportKind.WORKBOOK)
    form = PeriodFieldsForm(request.POST)
    if not form.is_valid():
        return _bad_request(request, form, "The workbook could not be made")
    try:
        job = export_requested(
            user=request.user,
            kind=ExportKind.WORKBOOK,
            file_format="xlsx",
            period=form.period,
        )
    except PermissionError as error:
        raise Http404 from error
    return redirect("reporting:export_status", job_id=job.pk)


def _own_job(request: HttpRequest, job_id: uuid.UUID) -> ExportJob:
    job = export_job_for(request.user, job_id)
    if job is None:
        raise Http404
    return job


def _status_context(job: ExportJob) -> dict:
    return {
        "job": job,
        "period": Period(job.period_start, job.period_end),
        "working": job.state in (ExportState.PENDING, ExportState.RUNNING),
        "done": job.state == ExportState.DONE,
        "failed": job.state == ExportState.FAILED,
    }


@login_required
@require_GET
def export_status(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    """GET /reporting/exports/<id>/: the job's state and progress (htmx polls the fragment)."""
    job = _own_job(request, job_id)
    context = _status_context(job)
    template = "reporting/_export_progress.html" if request.headers.get("HX-Request") else None
    response = render(request, template or "reporting/export_status.html", context)
    patch_vary_headers(response, ["HX-Request"])
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def export_download(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    """GET /reporting/exports/<id>/download/: the finished file, audited."""
    job = _own_job(request, job_id)
    if job.state != ExportState.DONE:
        return redirect("reporting:export_status", job_id=job.pk)
    return _file_response(export_downloaded(user=request.user, job=job))


@login_required
@require_http_methods(["GET", "POST"])
def annex_a(request: HttpRequest) -> HttpResponse:
    """GET /reporting/annex-a/: the form (a query ``from``/``to``/``format`` is checked and
    filled in); POST makes the list in the background. Managers only."""
    _require(request, ExportKind.ANNEX_A)
    if request.method == "POST":
        form = AnnexAForm(request.POST)
    elif any(name in request.GET for name in ("from", "to", "format")):
        form = AnnexAForm(request.GET)
    else:
        form = AnnexAForm()
    status = 200
    if form.is_bound:
        if not form.is_valid():
            status = 400
        elif request.method == "POST":
            try:
                job = export_requested(
                    user=request.user,
                    kind=ExportKind.ANNEX_A,
                    file_format=form.cleaned_data["format"],
                    period=form.period,
                )
            except ValidationError as error:
                apply_errors(form, error)
                status = 400
            else:
                return redirect("reporting:export_status", job_id=job.pk)
    return render(request, "reporting/annex_a.html", {"form": form}, status=status)
