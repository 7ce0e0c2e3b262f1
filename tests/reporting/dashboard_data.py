"""A small, hand-counted data set for the dashboard and KPI API tests.

Today is Wednesday 15 April 2026 (Europe/London), so "last month" is March 2026. In March:
six contacts from schools (2A) and two from the police (6), each about a different child with a
name no figure may ever show; one more schools contact in February, outside the period. So K1
for March is 8: schools 6 (shown to everyone), police 2 (shown to managers, "<5" to board
members).
"""

from __future__ import annotations

from datetime import date, datetime
from html.parser import HTMLParser

from contacts import services
from contacts.codes import Outcome, Rag, Source
from contacts.models import Contact
from enquiries.models import Enquiry, InformationRequest
from enquiries.services import request_create
from mash.clocks import LONDON
from tests.factories import contact_input, person_input

TODAY = datetime(2026, 4, 15, 12, 0, tzinfo=LONDON)
LAST_MONTH = ("2026-03-01", "2026-04-01")

#: Children's names (given, family) and the referrer's: none may appear to a board member.
CHILDREN = [
    ("Zebedee", "Quillington"),
    ("Araminta", "Fothergale"),
    ("Peregrine", "Wolstenholt"),
    ("Ottoline", "Brackwater"),
    ("Cressida", "Vanderpump"),
    ("Leopold", "Ashgrove-Tate"),
    ("Hermione", "Duckworthy"),
    ("Barnaby", "Pettigrew-Lowe"),
    ("Florian", "Marchbanks"),
]
REFERRER = "Referrer Winifred Oddbody"

SCHOOLS_IN_MARCH = 6
POLICE_IN_MARCH = 2


def _contact(index: int, source: str, received_at: datetime) -> Contact:
    given, family = CHILDREN[index]
    return services.contact_create(
        data=contact_input(
            source=source,
            received_at=received_at,
            referrer_name=REFERRER,
            subjects=[
                person_input(
                    given_name=given, family_name=family, date_of_birth=date(2015, 1, 1 + index)
                )
            ],
        )
    )


def build_march() -> list[Contact]:
    """The contacts described above (call with the clock at TODAY or later)."""
    contacts = []
    for index in range(SCHOOLS_IN_MARCH):
        received = datetime(2026, 3, 2 + index, 10, 0, tzinfo=LONDON)
        contacts.append(_contact(index, Source.SCHOOLS, received))
    for offset in range(POLICE_IN_MARCH):
        received = datetime(2026, 3, 16 + offset, 23, 30, tzinfo=LONDON)
        contacts.append(_contact(SCHOOLS_IN_MARCH + offset, Source.POLICE, received))
    contacts.append(
        _contact(
            SCHOOLS_IN_MARCH + POLICE_IN_MARCH,
            Source.SCHOOLS,
            datetime(2026, 2, 27, 9, 0, tzinfo=LONDON),
        )
    )
    return contacts


def open_enquiry_with_request(
    contact: Contact, *, hub_worker, manager, agency
) -> tuple[Enquiry, InformationRequest]:
    """Decide ``contact`` as an Amber MASH enquiry and ask ``agency`` about its child."""
    services.contact_recommend(
        contact=contact,
        user=hub_worker,
        outcome=Outcome.MASH_ENQUIRY,
        rag=Rag.AMBER,
        rationale="Partner checks needed before deciding.",
    )
    services.contact_decide(
        contact=contact, manager=manager, outcome=Outcome.MASH_ENQUIRY, rag=Rag.AMBER
    )
    enquiry = Enquiry.objects.get(contact=contact)
    request = request_create(
        enquiry=enquiry,
        agency=agency,
        question="Any call-outs to the home?",
        people=list(contact.subjects.all()),
        requested_by=hub_worker,
    )
    return enquiry, request


# --- Reading the dashboard's HTML --------------------------------------------------------------


class _DashboardParser(HTMLParser):
    """Collects each KPI table's body rows (cell texts) by data-kpi-table, each trend table's by
    data-trend-table, and each headline figure by (KPI, key)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.headlines: dict[str, dict[str, str]] = {}
        self._kpi: str | None = None
        self._table: str | None = None
        self._in_body = False
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._headline: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "section" and values.get("data-kpi"):
            self._kpi = values["data-kpi"]
        elif tag == "table":
            self._table = values.get("data-kpi-table") or (
                f"trend.{values['data-trend-table']}" if values.get("data-trend-table") else None
            )
            if self._table:
                self.tables[self._table] = []
        elif tag == "tbody" and self._table:
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "dd" and values.get("data-headline") and self._kpi:
            self._headline = values["data-headline"]
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "dd" and self._headline is not None and self._cell is not None:
            self.headlines.setdefault(self._kpi, {})[self._headline] = "".join(self._cell).strip()
            self._headline = self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "tbody":
            self._in_body = False
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def read_dashboard(html: str) -> tuple[dict[str, list[list[str]]], dict[str, dict[str, str]]]:
    """(tables by "K1.source" or "trend.K1", headlines by KPI id then key) from the page."""
    parser = _DashboardParser()
    parser.feed(html)
    return parser.tables, parser.headlines


def shown(value, unit) -> str:
    """An API value as the page shows it (reporting.kpis.types.Figure.shown)."""
    from reporting.kpis import Figure

    if value == "<5":
        return "<5"
    return Figure(value, 0, unit).shown()
