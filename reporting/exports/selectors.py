"""Reads of export jobs: a job is seen by its requester alone, while their role still allows its
kind (anyone else, and a requester whose role has changed, gets None and so a 404)."""

from __future__ import annotations

import uuid

from agencies.roles import Role
from mash.access import is_member
from reporting.models import ExportJob, ExportKind
from reporting.selectors_dashboard import can_see_kpis

#: The Annex A list holds personal data: managers only. KPI figures go to whoever sees the
#: dashboard (KPIS.md, "Who sees them": board members, managers and administrators).
ANNEX_A_ROLES = frozenset({Role.HUB_MANAGER})


def export_allowed(user, kind: str) -> bool:
    """Whether ``user``'s role may have an export of ``kind`` at all. Fails closed."""
    if not is_member(user):
        return False
    if kind == ExportKind.ANNEX_A:
        return user.role in ANNEX_A_ROLES
    if kind in (ExportKind.WORKBOOK, ExportKind.KPI_TABLE):
        return can_see_kpis(user)
    return False


def export_job_for(user, job_id: uuid.UUID | str) -> ExportJob | None:
    """The user's own export job ``job_id``, or None."""
    if not is_member(user):
        return None
    job = ExportJob.objects.filter(pk=job_id, requested_by=user).defer("content").first()
    if job is None or not export_allowed(user, job.kind):
        return None
    return job
