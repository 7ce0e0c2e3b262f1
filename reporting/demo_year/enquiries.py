"""MASH enquiries: opened from a MASH_ENQUIRY decision, some RAG changes, information requests
to 2-4 partner agencies (each granted to the agency's group), returns, and the decision."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from agencies.models import Agency, AgencyKind
from contacts.codes import Rag
from contacts.models import Contact
from enquiries.models import (
    Enquiry,
    EnquiryContact,
    EnquiryContactHow,
    EnquiryPerson,
    EnquiryState,
    HandlingMarking,
    InformationRequest,
    InformationRequestGroupObjectPermission,
    InformationReturn,
    RagChange,
    RequestState,
)
from enquiries.timescales import (
    enquiry_deadline,
    enquiry_timescale,
    moved_deadline,
    return_due_at,
    return_timescale,
)

from . import data
from .cast import Cast
from .rows import HOUR, Rows, after, link, pick

RAG_CHANGES = 0.15  # share of enquiries whose RAG changes on the way
WITHDRAWN = 0.02  # share of requests withdrawn
ON_TIME = 0.86  # share of requests answered by their due time (the rest late, or still open)
ADDENDA = 0.03  # share of returns followed by an addendum
STUCK = 0.03  # share of the last six weeks' requests still unanswered now, long overdue
STUCK_WINDOW = timedelta(weeks=6)


class Enquiries:
    def __init__(self, *, rng: random.Random, cast: Cast, now: datetime, rows: Rows) -> None:
        self.rng, self.cast, self.now, self.rows = rng, cast, now, rows
        self.opened = self.requested = self.returned = 0

    def open(self, contact: Contact, people: list, *, subjects: int) -> Enquiry:
        """The enquiry a MASH_ENQUIRY decision opened; ``people``: its subjects first."""
        rng, cast, now = self.rng, self.cast, self.now
        opened, rag = contact.decided_at, contact.initial_rag
        deadline = enquiry_deadline(opened, rag)
        enquiry = Enquiry(
            contact=contact,
            initial_rag=rag,
            rag=rag,
            opened_at=opened,
            deadline=deadline,
            worker=cast.worker,
        )
        self.rows.enquiries.append(enquiry)
        self.rows.enquiry_contacts.append(
            EnquiryContact(
                enquiry=enquiry,
                contact=contact,
                how=EnquiryContactHow.OPENED,
                added_at=opened,
                added_by=contact.decided_by,
            )
        )
        self.opened += 1
        for index, member in enumerate(people):
            is_subject = index < subjects
            row = EnquiryPerson(
                enquiry=enquiry,
                is_subject=is_subject,
                relationship="" if is_subject else "Household member",
            )
            link(row, member)
            self.rows.enquiry_people.append(row)
        change = None
        at = opened + (deadline - opened) * rng.uniform(0.1, 0.6)
        if rng.random() < RAG_CHANGES and at < now:
            to_rag = rng.choice([other for other in Rag.values if other != rag])
            moved = moved_deadline(
                current=deadline,
                started_at=opened,
                changed_at=at,
                from_rag=rag,
                to_rag=to_rag,
                timescale=enquiry_timescale(to_rag),
            )
            self.rows.rag_changes.append(
                RagChange(
                    enquiry=enquiry,
                    from_rag=rag,
                    to_rag=to_rag,
                    reason="Partner information changed our view of the risk.",
                    changed_by=cast.worker,
                    changed_at=at,
                    previous_deadline=deadline,
                    new_deadline=moved,
                )
            )
            change, enquiry.rag, enquiry.deadline = (at, to_rag), to_rag, moved
        asked = [agency for agency, share in cast.partners if rng.random() < share]
        for agency, _share in cast.partners:  # at least two agencies
            if len(asked) < 2 and agency not in asked:
                asked.append(agency)
        finished, states = opened, set()
        for agency in asked[:4]:
            state, when = self._request(enquiry, agency, people, change)
            states.add(state)
            if when is not None:
                finished = max(finished, when)
        if None in states:  # not every request made yet: the enquiry has only just opened
            enquiry.state = EnquiryState.AWAITING_RETURNS if len(states) > 1 else EnquiryState.OPEN
        elif RequestState.OPEN in states:
            enquiry.state = EnquiryState.AWAITING_RETURNS
        else:
            self._decide(enquiry, finished)
        return enquiry

    def _request(
        self,
        enquiry: Enquiry,
        agency: Agency,
        people: list,
        change: tuple[datetime, str] | None,
    ) -> tuple[str | None, datetime | None]:
        """Ask one agency: the request's state (None: not asked yet) and when it was answered
        or withdrawn. A request open when the RAG changed has its due time moved."""
        rng, now = self.rng, self.now
        requested = after(rng, enquiry.opened_at, 0.4)
        if requested >= now:
            return None, None
        rag = enquiry.initial_rag
        changed_before = change is not None and change[0] <= requested
        due = return_due_at(requested, change[1] if changed_before else rag)
        fate = rng.random()
        if fate < WITHDRAWN:
            withdrawn = after(rng, requested, 1.0)
            if withdrawn < now:
                self._store(enquiry, agency, people, requested, due, withdrawn_at=withdrawn)
                return RequestState.WITHDRAWN, withdrawn
        moved = due
        if change is not None and not changed_before:
            moved = moved_deadline(
                current=due,
                started_at=requested,
                changed_at=change[0],
                from_rag=rag,
                to_rag=change[1],
                timescale=return_timescale(change[1]),
            )
        if fate < ON_TIME:
            returned = requested + (moved - requested) * rng.uniform(0.15, 0.97)
        elif fate > 1 - STUCK and requested > now - STUCK_WINDOW:
            returned = now  # not answered yet
        else:
            returned = after(rng, moved, 4.0)
        if change is not None and not changed_before and returned <= change[0]:
            moved = due  # answered before the change: its due time never moved
        if returned >= now:
            self._store(enquiry, agency, people, requested, moved)
            return RequestState.OPEN, None
        request = self._store(enquiry, agency, people, requested, moved, returned_at=returned)
        self._returns(request, agency, returned)
        return RequestState.RETURNED, returned

    def _store(
        self,
        enquiry: Enquiry,
        agency: Agency,
        people: list,
        requested: datetime,
        due: datetime,
        *,
        returned_at: datetime | None = None,
        withdrawn_at: datetime | None = None,
    ) -> InformationRequest:
        cast = self.cast
        state = RequestState.OPEN
        if returned_at is not None:
            state = RequestState.RETURNED
        elif withdrawn_at is not None:
            state = RequestState.WITHDRAWN
        request = InformationRequest(
            enquiry=enquiry,
            agency=agency,
            question=data.QUESTION,
            state=state,
            requested_at=requested,
            due_at=due,
            requested_by=cast.worker,
            returned_at=returned_at,
            withdrawn_at=withdrawn_at,
            withdrawn_reason="Information no longer needed." if withdrawn_at else "",
            withdrawn_by=cast.worker if withdrawn_at else None,
        )
        self.rows.requests.append(request)
        self.requested += 1
        through = InformationRequest.people.through
        for member in people:
            row = through(informationrequest=request)
            link(row, member)
            self.rows.request_people.append(row)
        if state != RequestState.WITHDRAWN:  # withdrawing revokes the grant
            self.rows.grants.append(
                InformationRequestGroupObjectPermission(
                    permission=cast.view, group_id=agency.group_id, content_object=request
                )
            )
        return request

    def _returns(self, request: InformationRequest, agency: Agency, returned: datetime) -> None:
        rng = self.rng
        held = rng.random() < 0.7
        researcher = self.cast.researchers[agency.pk]
        systems = data.SYSTEMS_CHECKED.get(agency.kind, "Agency case records")
        police_only = agency.kind == AgencyKind.POLICE and rng.random() < 0.1
        self.rows.returns.append(
            InformationReturn(
                request=request,
                information_held=held,
                summary=data.RETURN_SUMMARY[held],
                risk_indicators=rng.choice(data.RISK_INDICATORS) if held else "",
                systems_checked=systems,
                handling=HandlingMarking.POLICE_ONLY if police_only else HandlingMarking.NONE,
                submitted_by=researcher,
                submitted_at=returned,
            )
        )
        self.returned += 1
        later = after(rng, returned, 24.0)
        if rng.random() < ADDENDA and later < self.now:
            self.rows.returns.append(
                InformationReturn(
                    request=request,
                    information_held=True,
                    is_addendum=True,
                    summary="Addendum: a further incident since our return.",
                    systems_checked=systems,
                    submitted_by=researcher,
                    submitted_at=later,
                )
            )

    def _decide(self, enquiry: Enquiry, finished: datetime) -> None:
        """Every request answered or withdrawn by ``finished``: the worker recommends, then the
        manager decides and the enquiry closes (if that is before ``now``)."""
        rng, cast, now = self.rng, self.cast, self.now
        recommended_at = after(rng, finished, 0.5)
        hours = (enquiry.deadline - enquiry.opened_at).total_seconds() / HOUR
        closed_at = after(rng, recommended_at, max(0.3, hours * 0.12))
        if recommended_at >= now:
            enquiry.state = EnquiryState.AWAITING_DECISION
            return
        outcome = recommended = pick(rng, data.ENQUIRY_OUTCOMES)
        if rng.random() > data.AGREEMENT:
            recommended = pick(rng, [(o, w) for o, w in data.ENQUIRY_OUTCOMES if o != outcome])
        final_rag = enquiry.rag
        if rng.random() < 0.15:
            final_rag = rng.choice([other for other in Rag.values if other != final_rag])
        enquiry.recommended_outcome, enquiry.recommended_rag = recommended, final_rag
        enquiry.recommendation_rationale = data.RECOMMENDATION_RATIONALE[recommended]
        enquiry.recommended_by, enquiry.recommended_at = cast.worker, recommended_at
        enquiry.state = EnquiryState.AWAITING_DECISION
        if closed_at >= now:
            return
        enquiry.state, enquiry.outcome, enquiry.final_rag = EnquiryState.CLOSED, outcome, final_rag
        enquiry.closed_at, enquiry.decided_by = closed_at, cast.manager
        if outcome != recommended:
            enquiry.outcome_reason = data.OVERRIDE_REASON
