"""A person's chronology: every event about them, in date order, across the hub's records.

Built only from the other apps' visibility selectors, so it shows exactly what the user could
open anyway: hub staff (with an active membership) see it; anyone else sees no chronology at
all (`person_for_chronology` raises, and the pages and API answer 404).

One query per source table, never one per event: the person's own and merged records (one
recursive query), then contacts, decisions, enquiries, RAG changes, information requests,
returns, significant case notes, documents, domestic abuse notifications (with the daily
meeting's outcomes) and Operation Encompass notices, each in one query (a table whose kinds are
filtered out is not read; the last two are read in `chronology.domestic_abuse`). The records a
person is linked through (the contacts they are a subject of or named on, the enquiries they
are checked in, the requests that name them) are subqueries of each query, not lists.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.urls import reverse

from agencies.roles import HUB_ROLES
from contacts.codes import Channel, Concern, Outcome, Rag, Source
from contacts.models import (
    ConcernRole,
    Contact,
    ContactPerson,
    ContactSubject,
    DecisionEntry,
    Person,
)
from contacts.selectors import contacts_visible_to, people_visible_to
from documents.models import ScanState
from documents.selectors import documents_visible_to
from enquiries.models import Enquiry, EnquiryContact, EnquiryContactHow, RagChange
from enquiries.selectors import (
    enquiries_visible_to,
    information_requests_visible_to,
    returns_visible_to,
)
from mash.access import is_member
from notes.selectors import notes_visible_to

from .domestic_abuse import DA_KINDS, da_notifications, encompass_notices
from .events import Event
from .events import in_period as _in_period
from .events import label as _label
from .events import name_of as _name
from .events import sentence as _sentence
from .filters import KIND_ORDER, EventKind, Filters

DECISION_KINDS = {
    "recommendation": EventKind.RECOMMENDATION,
    "decision": EventKind.DECISION,
    "correction": EventKind.CORRECTION,
}


def is_chronology_reader(user) -> bool:
    """Hub staff with an active membership: the only people who see a chronology."""
    return is_member(user) and user.role in HUB_ROLES


def person_for_chronology(user, pk) -> Person:
    """The person, if `user` may see their chronology; Person.DoesNotExist otherwise."""
    if not is_chronology_reader(user):
        raise Person.DoesNotExist
    return people_visible_to(user).get(pk=pk)


def _merged_people_sql() -> str:
    """The person's id and, recursively, every id merged into one of those (UNION, not UNION
    ALL: a cycle, which the merge service never makes, would still end)."""
    table = Person._meta.db_table
    merged_into = Person._meta.get_field("merged_into").column
    return (
        "WITH RECURSIVE merged(id) AS (SELECT CAST(%s AS BIGINT) UNION"
        f" SELECT p.id FROM {table} p JOIN merged m ON p.{merged_into} = m.id"
        ") SELECT id FROM merged"
    )


def people_of_chronology(user, person: Person) -> list[Person]:
    """The person and every record merged into them (directly, or into one merged into them),
    that `user` can see: one query. The person comes first."""
    people = list(
        people_visible_to(user)
        .filter(pk__in=RawSQL(_merged_people_sql(), [person.pk]))
        .only("pk", "given_name", "family_name", "merged_into", "merged_at")
        .order_by("pk")
    )
    return sorted(people, key=lambda found: found.pk != person.pk)


def _reference(model, pk: int) -> str:
    return model(pk=pk).reference


def _contact_url(pk: int, anchor: str = "") -> str:
    return reverse("contacts:contact_detail", kwargs={"pk": pk}) + anchor


def _enquiry_url(pk: int, anchor: str = "", section: str = "detail") -> str:
    """The enquiry's page, or one of its sections ("people", "requests", "notes", "history",
    "decision"), at `anchor`."""
    return reverse(f"enquiries_hub:{section}", kwargs={"pk": pk}) + anchor


def _rag(value: str) -> str:
    return _label(Rag, value) if value else ""


# --- One reader per source table ----------------------------------------------------------


def _contacts_about(user, ids) -> QuerySet:
    """The contacts `user` can see that have one of `ids` as a subject or name them otherwise
    (a parent, a partner, an alleged perpetrator: contacts.ContactPerson)."""
    subject_of = ContactSubject.objects.filter(person_id__in=ids).values("contact_id")
    named_in = ContactPerson.objects.filter(person_id__in=ids).values("contact_id")
    return contacts_visible_to(user).filter(Q(pk__in=subject_of) | Q(pk__in=named_in))


def _contacts(user, ids, filters) -> Iterator[tuple]:
    contacts = (
        _contacts_about(user, ids)
        .filter(_in_period("received_at", filters))
        .annotate(
            is_subject=Exists(
                ContactSubject.objects.filter(contact=OuterRef("pk"), person_id__in=ids)
            ),
            named_role=Subquery(
                ContactPerson.objects.filter(contact=OuterRef("pk"), person_id__in=ids)
                .order_by("pk")
                .values("role")[:1]
            ),
        )
        .select_related("referring_agency")
    )
    for contact in contacts:
        concerns = ", ".join(_label(Concern, concern) for concern in contact.concerns or [])
        source = _label(Source, contact.source)
        if contact.referring_agency_id:
            source = f"{source} ({contact.referring_agency.name})"
        if contact.is_subject:
            about = "A subject of the contact."
        else:
            about = f"Named on the contact: {_label(ConcernRole, contact.named_role).lower()}."
        detail = _sentence(
            about,
            f"Source: {source}, by {_label(Channel, contact.channel).lower()}.",
            f"Concerns: {concerns}." if concerns else "No concern recorded.",
        )
        yield (
            (contact.received_at, KIND_ORDER[EventKind.CONTACT_RECEIVED], contact.pk),
            Event(
                when=contact.received_at,
                kind=EventKind.CONTACT_RECEIVED,
                title=f"Contact {contact.reference} received",
                detail=detail,
                link=_contact_url(contact.pk),
                record=contact.reference,
            ),
        )


def _decisions(user, contacts, filters, wanted) -> Iterator[tuple]:
    kinds = [kind for kind, event_kind in DECISION_KINDS.items() if event_kind in wanted]
    entries = (
        DecisionEntry.objects.filter(contact__in=contacts, kind__in=kinds)
        .filter(_in_period("made_at", filters))
        .select_related("made_by")
    )
    for entry in entries:
        kind = DECISION_KINDS[entry.kind]
        outcome = _label(Outcome, entry.outcome)
        rag = f" ({_rag(entry.rag)})" if entry.rag else ""
        reference = _reference(Contact, entry.contact_id)
        yield (
            (entry.made_at, KIND_ORDER[kind], entry.pk),
            Event(
                when=entry.made_at,
                kind=kind,
                title=f"{EventKind(kind).label} on {reference}: {outcome}{rag}",
                detail=entry.rationale,
                link=_contact_url(entry.contact_id),
                record=reference,
                by=_name(entry.made_by),
            ),
        )


def _enquiries(user, ids, filters, wanted) -> Iterator[tuple]:
    opened = EventKind.ENQUIRY_OPENED in wanted
    closed = EventKind.ENQUIRY_CLOSED in wanted
    # Opened in the period, or closed in it. (An empty Q means "any": OR-ing it with another
    # would narrow to the other, so an unbounded "opened" takes every enquiry instead.)
    conditions = []
    if opened:
        conditions.append(_in_period("opened_at", filters))
    if closed:
        conditions.append(Q(closed_at__isnull=False) & _in_period("closed_at", filters))
    when = Q()
    if all(conditions):
        for condition in conditions:
            when |= condition
    enquiries = (
        enquiries_visible_to(user)
        .filter(person_links__person_id__in=ids)
        .filter(when)
        .select_related("worker", "decided_by")
        .distinct()
    )
    starts, ends = filters.starts_at, filters.ends_at

    def inside(moment) -> bool:
        return (starts is None or moment >= starts) and (ends is None or moment < ends)

    for enquiry in enquiries:
        if opened and inside(enquiry.opened_at):
            yield (
                (enquiry.opened_at, KIND_ORDER[EventKind.ENQUIRY_OPENED], enquiry.pk),
                Event(
                    when=enquiry.opened_at,
                    kind=EventKind.ENQUIRY_OPENED,
                    title=f"Enquiry {enquiry.reference} opened ({_rag(enquiry.initial_rag)})",
                    detail=_sentence(
                        f"From contact {_reference(Contact, enquiry.contact_id)}.",
                        f"Social worker: {_name(enquiry.worker)}." if enquiry.worker else "",
                    ),
                    link=_enquiry_url(enquiry.pk),
                    record=enquiry.reference,
                ),
            )
        if closed and enquiry.closed_at is not None and inside(enquiry.closed_at):
            rag = f" ({_rag(enquiry.final_rag)})" if enquiry.final_rag else ""
            yield (
                (enquiry.closed_at, KIND_ORDER[EventKind.ENQUIRY_CLOSED], enquiry.pk),
                Event(
                    when=enquiry.closed_at,
                    kind=EventKind.ENQUIRY_CLOSED,
                    title=(
                        f"Enquiry {enquiry.reference} closed: "
                        f"{_label(Outcome, enquiry.outcome)}{rag}"
                    ),
                    detail=enquiry.outcome_reason,
                    link=_enquiry_url(enquiry.pk),
                    record=enquiry.reference,
                    by=_name(enquiry.decided_by),
                ),
            )


def _rag_changes(user, enquiries, filters) -> Iterator[tuple]:
    changes = (
        RagChange.objects.filter(enquiry__in=enquiries)
        .filter(_in_period("changed_at", filters))
        .select_related("changed_by")
    )
    for change in changes:
        reference = _reference(Enquiry, change.enquiry_id)
        yield (
            (change.changed_at, KIND_ORDER[EventKind.RAG_CHANGED], change.pk),
            Event(
                when=change.changed_at,
                kind=EventKind.RAG_CHANGED,
                title=(
                    f"RAG rating of {reference} changed from {_rag(change.from_rag)} "
                    f"to {_rag(change.to_rag)}"
                ),
                detail=change.reason,
                link=_enquiry_url(change.enquiry_id, section="history"),
                record=reference,
                by=_name(change.changed_by),
            ),
        )


def _contacts_added(user, enquiries, filters) -> Iterator[tuple]:
    """Later contacts an enquiry took in (one enquiry per family), one query."""
    links = (
        EnquiryContact.objects.filter(enquiry__in=enquiries, how=EnquiryContactHow.ADDED)
        .filter(_in_period("added_at", filters))
        .select_related("added_by")
    )
    for link in links:
        reference = _reference(Enquiry, link.enquiry_id)
        contact = _reference(Contact, link.contact_id)
        yield (
            (link.added_at, KIND_ORDER[EventKind.CONTACT_ADDED], link.pk),
            Event(
                when=link.added_at,
                kind=EventKind.CONTACT_ADDED,
                title=f"Contact {contact} added to enquiry {reference}",
                detail="A subject was already checked by this open enquiry.",
                link=_enquiry_url(link.enquiry_id),
                record=reference,
                by=_name(link.added_by) if link.added_by else "",
            ),
        )


def _requests_about(user, ids) -> QuerySet:
    """The information requests that name one of `ids` among their people to check."""
    return information_requests_visible_to(user).filter(people__in=ids)


def _requests(user, ids, filters) -> Iterator[tuple]:
    requests = (
        _requests_about(user, ids)
        .filter(_in_period("requested_at", filters))
        .select_related("agency", "requested_by")
        .distinct()
    )
    for request in requests:
        reference = _reference(Enquiry, request.enquiry_id)
        withdrawn = f"Withdrawn {request.withdrawn_at:%d/%m/%Y}." if request.withdrawn_at else ""
        yield (
            (request.requested_at, KIND_ORDER[EventKind.REQUEST_SENT], request.pk),
            Event(
                when=request.requested_at,
                kind=EventKind.REQUEST_SENT,
                title=f"Information request {request.reference} sent to {request.agency.name}",
                detail=_sentence(request.question, withdrawn),
                link=_enquiry_url(request.enquiry_id, section="requests"),
                record=reference,
                by=_name(request.requested_by),
            ),
        )


def _returns(user, ids, filters) -> Iterator[tuple]:
    """Returns and addenda: that they came, whether information is held and the handling
    marking; never their content (the enquiry page and the summary show that, under each
    agency's marking)."""
    returns = (
        returns_visible_to(user)
        .filter(request__in=_requests_about(user, ids).values("pk"))
        .filter(_in_period("submitted_at", filters))
        .select_related("request__agency", "submitted_by")
    )
    for answer in returns:
        request = answer.request
        what = "Addendum" if answer.is_addendum else "Return"
        held = "Information held." if answer.information_held else "No information held."
        yield (
            (answer.submitted_at, KIND_ORDER[EventKind.RETURN_RECEIVED], answer.pk),
            Event(
                when=answer.submitted_at,
                kind=EventKind.RETURN_RECEIVED,
                title=f"{what} from {request.agency.name} to {request.reference}",
                detail=_sentence(held, f"Handling: {answer.get_handling_display()}."),
                link=_enquiry_url(request.enquiry_id, "#returns-title", section="requests"),
                record=_reference(Enquiry, request.enquiry_id),
                by=_name(answer.submitted_by),
            ),
        )


def _notes(user, contacts, enquiries, filters) -> Iterator[tuple]:
    notes = (
        notes_visible_to(user)
        .filter(significant=True)
        .filter(Q(contact__in=contacts) | Q(enquiry__in=enquiries))
        .filter(_in_period("created_at", filters))
        .select_related("author")
    )
    for note in notes:
        if note.contact_id:
            link, record = _contact_url(note.contact_id, "#case-notes"), note.contact_id
            reference = _reference(Contact, record)
        else:
            link = _enquiry_url(note.enquiry_id, "#case-notes", section="notes")
            record = note.enquiry_id
            reference = _reference(Enquiry, record)
        yield (
            (note.created_at, KIND_ORDER[EventKind.NOTE], note.pk),
            Event(
                when=note.created_at,
                kind=EventKind.NOTE,
                title=f"Significant case note on {reference}: {note.get_kind_display()}",
                detail=note.text,
                link=link,
                record=reference,
                by=_name(note.author),
            ),
        )


UNNAMED_DOCUMENT = {
    ScanState.PENDING: "not yet scanned",
    ScanState.INFECTED: "quarantined: virus found",
    ScanState.ERROR: "could not be scanned",
}


def _documents(user, contacts, enquiries, requests, filters) -> Iterator[tuple]:
    """Documents on the person's contacts (and their MARFs), enquiries and the returns to the
    requests about them, as far as the user may see them. Only a clean one is named: the name
    of a file not yet found clean is the uploader's, unchecked by anyone, and not shown."""
    documents = (
        documents_visible_to(user)
        .filter(
            Q(contact__in=contacts)
            | Q(enquiry__in=enquiries)
            | Q(marf__contact__in=contacts)
            | Q(information_return__request__in=requests)
        )
        .filter(_in_period("uploaded_at", filters))
        .select_related("uploaded_by", "marf", "information_return__request")
    )
    for document in documents:
        if document.contact_id or document.marf_id:
            contact_id = document.contact_id or document.marf.contact_id
            link = _contact_url(contact_id, "#documents")
            reference = _reference(Contact, contact_id)
        else:
            if document.enquiry_id:  # the enquiry's own files: Notes and documents
                enquiry_id = document.enquiry_id
                link = _enquiry_url(enquiry_id, "#documents", section="notes")
            else:  # a file sent with a return: Requests and returns
                enquiry_id = document.information_return.request.enquiry_id
                link = _enquiry_url(enquiry_id, "#return-documents", section="requests")
            reference = _reference(Enquiry, enquiry_id)
        if document.is_downloadable:
            title = f"Document added to {reference}: {document.original_name}"
        else:
            state = UNNAMED_DOCUMENT.get(document.scan_state, "not available")
            title = f"Document added to {reference} ({state})"
        yield (
            (document.uploaded_at, KIND_ORDER[EventKind.DOCUMENT], document.pk),
            Event(
                when=document.uploaded_at,
                kind=EventKind.DOCUMENT,
                title=title,
                detail="",
                link=link,
                record=reference,
                by=_name(document.uploaded_by),
            ),
        )


# --- The chronology ------------------------------------------------------------------------


def chronology_for(
    user, person: Person, *, since=None, until=None, kinds=None, people=None
) -> list[Event]:
    """Every event about `person` (and the records merged into them) that `user` may see,
    oldest first, between the local dates `since` and `until` (both included), of `kinds`
    (every kind when None or empty). Anyone but hub staff gets an empty list; callers answer
    404 before this through `person_for_chronology`.

    `people` is `people_of_chronology(user, person)` when the caller has it already."""
    if not is_chronology_reader(user):
        return []
    filters = Filters(since=since, until=until, kinds=tuple(kinds or ()))
    wanted = filters.wanted
    if people is None:
        people = people_of_chronology(user, person)
    ids = [found.pk for found in people]
    if not ids:
        return []
    contacts = _contacts_about(user, ids).values("pk")
    enquiries = enquiries_visible_to(user).filter(person_links__person_id__in=ids).values("pk")

    found: list[tuple] = []
    if EventKind.CONTACT_RECEIVED in wanted:
        found.extend(_contacts(user, ids, filters))
    if wanted & set(DECISION_KINDS.values()):
        found.extend(_decisions(user, contacts, filters, wanted))
    if wanted & {EventKind.ENQUIRY_OPENED, EventKind.ENQUIRY_CLOSED}:
        found.extend(_enquiries(user, ids, filters, wanted))
    if EventKind.CONTACT_ADDED in wanted:
        found.extend(_contacts_added(user, enquiries, filters))
    if EventKind.RAG_CHANGED in wanted:
        found.extend(_rag_changes(user, enquiries, filters))
    if EventKind.REQUEST_SENT in wanted:
        found.extend(_requests(user, ids, filters))
    if EventKind.RETURN_RECEIVED in wanted:
        found.extend(_returns(user, ids, filters))
    if EventKind.NOTE in wanted:
        found.extend(_notes(user, contacts, enquiries, filters))
    if EventKind.DOCUMENT in wanted:
        requests = _requests_about(user, ids).values("pk")
        found.extend(_documents(user, contacts, enquiries, requests, filters))
    if wanted & DA_KINDS:
        found.extend(da_notifications(user, ids, filters, wanted))
    if EventKind.ENCOMPASS_NOTICE in wanted:
        found.extend(encompass_notices(user, ids, filters))
    found.sort(key=lambda pair: pair[0])
    return [event for _key, event in found]
