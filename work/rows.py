"""One row of work as every list of this app shows it (My work, allocation, Decisions, API).

A row carries only what its reader may see: hub staff get the subjects' names and ages, an
agency gets what its request page shows in a list (how many people to check, never who).
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.urls import reverse

from contacts.codes import Rag
from contacts.models import Contact
from contacts.selectors_open_work import SubjectSummary, age_label, concern_labels, person_age
from contacts.selectors_open_work import subject_summaries as contact_subject_summaries
from enquiries.models import Enquiry, InformationRequest


class Kind:
    CONTACT = "contact"
    ENQUIRY = "enquiry"
    REQUEST = "request"


KIND_LABELS = {Kind.CONTACT: "Contact", Kind.ENQUIRY: "Enquiry", Kind.REQUEST: "Request"}


@dataclass
class WorkRow:
    kind: str
    pk: int
    reference: str
    url: str
    due: datetime
    version: int | None = None
    rag: str = ""
    who: list[SubjectSummary] = field(default_factory=list)
    concerns: list[str] = field(default_factory=list)
    people_count: int | None = None
    state: str = ""
    is_breached: bool = False
    is_repeat: bool = False
    has_open_work: bool = False
    assignee_name: str = ""
    recommendation: str = ""
    recommended_rag: str = ""
    recommended_by: str = ""

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def rag_label(self) -> str:
        return Rag(self.rag).label if self.rag in Rag.values else ""

    @property
    def recommended_rag_label(self) -> str:
        return Rag(self.recommended_rag).label if self.recommended_rag in Rag.values else ""

    @property
    def key(self) -> str:
        """Unique across kinds, for element ids and form values."""
        return f"{self.kind}-{self.pk}"


def _name(user) -> str:
    return user.display_name if user is not None else ""


def contact_row(contact: Contact, today: date) -> WorkRow:
    """A contact for hub staff: its subjects (prefetched `subjects`), concerns and flags."""
    return WorkRow(
        kind=Kind.CONTACT,
        pk=contact.pk,
        reference=contact.reference,
        url=reverse("contacts:contact_detail", args=[contact.pk]),
        due=contact.decision_due_at,
        version=contact.version,
        rag=contact.recommended_rag,
        who=contact_subject_summaries(contact, today),
        concerns=concern_labels(contact),
        state=contact.state_label,
        is_breached=bool(getattr(contact, "is_breached", False)),
        is_repeat=contact.is_repeat,
        has_open_work=bool(getattr(contact, "has_open_work", False)),
        assignee_name=_name(contact.assignee) if contact.assignee_id else "",
        recommendation=contact.get_recommended_outcome_display()
        if contact.recommended_outcome
        else "",
        recommended_rag=contact.recommended_rag,
        recommended_by=_name(contact.recommended_by) if contact.recommended_by_id else "",
    )


def enquiry_subjects(enquiry: Enquiry, today: date) -> list[SubjectSummary]:
    """The enquiry's subjects from its prefetched `subject_links` (EnquiryPerson rows)."""
    return [
        SubjectSummary(
            person_id=link.person.pk,
            name=link.person.full_name,
            age=person_age(link.person, today),
            is_unborn=link.person.is_unborn,
            age_label=age_label(link.person, today),
        )
        for link in getattr(enquiry, "subject_links", [])
    ]


def enquiry_row(enquiry: Enquiry, today: date) -> WorkRow:
    """An enquiry for hub staff: its subjects, current RAG and any recommendation."""
    return WorkRow(
        kind=Kind.ENQUIRY,
        pk=enquiry.pk,
        reference=enquiry.reference,
        url=reverse("enquiries_hub:detail", args=[enquiry.pk]),
        due=enquiry.deadline,
        version=enquiry.version,
        rag=enquiry.rag,
        who=enquiry_subjects(enquiry, today),
        state=enquiry.get_state_display(),
        is_breached=bool(getattr(enquiry, "is_breached", False)),
        assignee_name=_name(enquiry.worker) if enquiry.worker_id else "",
        recommendation=enquiry.get_recommended_outcome_display()
        if enquiry.recommended_outcome
        else "",
        recommended_rag=enquiry.recommended_rag,
        recommended_by=_name(enquiry.recommended_by) if enquiry.recommended_by_id else "",
    )


def request_row(info_request: InformationRequest) -> WorkRow:
    """A request as its agency's list shows it: reference, RAG, due time, how many people to
    check and who has it. Nothing of the enquiry beyond its RAG."""
    return WorkRow(
        kind=Kind.REQUEST,
        pk=info_request.pk,
        reference=info_request.reference,
        url=reverse("enquiries_agency:request_detail", args=[info_request.pk]),
        due=info_request.due_at,
        rag=info_request.enquiry.rag,
        people_count=getattr(info_request, "people_count", None),
        state=info_request.get_state_display(),
        is_breached=bool(getattr(info_request, "is_breached", False)),
        assignee_name=_name(info_request.assignee) if info_request.assignee_id else "",
    )
