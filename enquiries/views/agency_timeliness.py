"""An agency supervisor's timeliness page (/requests/timeliness/): the agency's information
returns for a reporting period, per researcher and in total, as KPI K10 counts them, and the same
figures as a CSV file (``?format=csv``).

The period picker is the KPI dashboard's (reporting.forms_dashboard.PeriodForm: GOV.UK date
inputs, or ``from``/``to`` as YYYY-MM-DD in a link, checked by
reporting.selectors_dashboard.period_from_query), so a bad period is refused with the same
messages, naming the field and the part of the date. Agency supervisors only: researchers, hub
staff, referrers, board members and administrators get 404; a supervisor sees only their own
agency.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from agencies.roles import Role
from contacts.views.common import require_roles
from mash.audit.events import record_event
from reporting.exports.cells import figure_value
from reporting.exports.csv_files import csv_bytes
from reporting.forms_dashboard import PeriodForm
from reporting.periods import Period

from ..selectors import AgencyTimeliness, TimelinessRow, agency_timeliness

TEMPLATE = "enquiries/agency/timeliness.html"

#: The CSV's columns, in the page's order.
CSV_HEADER: tuple[str, ...] = (
    "Researcher",
    "Requests",
    "Returned",
    "Returned on time",
    "Returned on time (%)",
    "Median hours to return",
    "Outstanding now",
    "Overdue now",
)


def csv_row(row: TimelinessRow) -> list:
    """One table row as CSV cells: counts as numbers, the percentage and median to 1 dp, empty
    where there is no value (no returns: no percentage, no median)."""
    return [
        row.label,
        row.requests.value,
        row.returned.value,
        row.on_time,
        figure_value(row.on_time_percent, rounded=True),
        figure_value(row.median_hours, rounded=True),
        row.outstanding_now.value,
        row.overdue_now.value,
    ]


def timeliness_csv(figures: AgencyTimeliness) -> bytes:
    rows: Sequence[TimelinessRow] = (*figures.rows, figures.total)
    return csv_bytes(CSV_HEADER, [csv_row(row) for row in rows])


def csv_filename(agency_code: str, period: Period) -> str:
    """E.g. "timeliness-police-2026-03-01-to-2026-03-31.csv" (the last day, not the end)."""
    code = "".join(ch if ch.isalnum() else "-" for ch in agency_code.lower()) or "agency"
    return f"timeliness-{code}-{period.start.isoformat()}-to-{period.last_day.isoformat()}.csv"


@login_required
@require_GET
def timeliness(request: HttpRequest) -> HttpResponse:
    """The agency's timeliness for the period in the query (this month by default); with
    ``format=csv``, the same figures as a download."""
    require_roles(request, {Role.AGENCY_SUPERVISOR})
    user = request.user
    picker = PeriodForm(request.GET, today=timezone.localdate())
    if not picker.is_valid() or picker.choice is None:
        return render(request, TEMPLATE, {"form": picker, "choice": None}, status=400)

    choice = picker.choice
    period = choice.period
    figures = agency_timeliness(user, period)
    as_csv = request.GET.get("format") == "csv"
    record_event(
        "enquiries.agency_timeliness_viewed",
        actor=user,
        data={
            "via": "csv" if as_csv else "page",
            "agency": user.agency.code,
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
        },
    )
    query = {"period": choice.name, "from": period.start.isoformat(), "to": period.end.isoformat()}
    if as_csv:
        response = HttpResponse(timeliness_csv(figures), content_type="text/csv; charset=utf-8")
        filename = csv_filename(user.agency.code, period)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response
    context = {
        "form": PeriodForm.showing(choice),
        "choice": choice,
        "period": period,
        "figures": figures,
        "csv_query": urlencode({**query, "format": "csv"}),
    }
    return render(request, TEMPLATE, context)
