"""Contacts: where each came from, who it is about, and its triage, decision and feedback, as the
front-door services would have recorded them by ``now``."""

from __future__ import annotations

import random
from datetime import datetime

from contacts.codes import Consent, Outcome, Source
from contacts.models import Contact, ContactSubject, DecisionEntry, DecisionKind
from contacts.timescales import contact_decision_due_at
from mash.clocks import Clock, Timescale, default_calendar

from . import data
from .cast import Cast
from .enquiries import Enquiries
from .families import Families, Family
from .rows import Rows, after, link, pick

REFERENCE_PREFIX = "demo-year/"
#: Share of decisions made after the working day they were due in.
LATE_DECISIONS = 0.09


class FrontDoor:
    def __init__(
        self, *, rng: random.Random, cast: Cast, now: datetime, rows: Rows, run: str
    ) -> None:
        self.rng, self.cast, self.now, self.rows, self.run = rng, cast, now, rows, run
        self.calendar = default_calendar()
        self.families = Families(rng, rows, pool_size=1000)
        self.enquiries = Enquiries(rng=rng, cast=cast, now=now, rows=rows)

    def _channel(self, source: str) -> str:
        if source == Source.POLICE:
            return pick(self.rng, data.CHANNELS_POLICE)
        if source in data.INDIVIDUALS or source in data.NO_REFERRER:
            return pick(self.rng, data.CHANNELS_PUBLIC)
        return pick(self.rng, data.CHANNELS_PROFESSIONAL)

    def contact(self, number: int, received: datetime) -> Contact:
        """One contact received at ``received`` (contacts must come in the order received)."""
        rng = self.rng
        source = pick(rng, data.SOURCES)
        kind = data.SOURCE_AGENCY_KIND.get(source)
        agency = self.cast.referring.get(kind) if kind else None
        family, chosen, prior = self.families.subjects_for(received)
        has_referrer = source not in data.NO_REFERRER
        emails = has_referrer and (source not in data.INDIVIDUALS or rng.random() < 0.4)
        police = source == Source.POLICE
        consent = Consent.NOT_GIVEN if police else pick(rng, data.CONSENT)
        contact = Contact(
            source=source,
            referring_agency=agency,
            channel=self._channel(source),
            external_reference=f"{REFERENCE_PREFIX}{self.run}/{number}",
            referrer_name=(
                f"{rng.choice(data.GIVEN_ADULT_FEMALE)} {rng.choice(data.FAMILY_NAMES)}"
                if has_referrer
                else ""
            ),
            referrer_organisation=agency.name if agency else "",
            referrer_email=f"referrer{number % 997}@example.org" if emails else "",
            concerns=rng.sample(data.CONCERNS, rng.choice((1, 1, 2))),
            narrative=rng.choice(data.NARRATIVES),
            consent=consent,
            consent_detail=data.CONSENT_DETAIL[consent, police],
            received_at=received,
            decision_due_at=contact_decision_due_at(received),
            is_repeat=prior > 0,
            prior_contacts_12m=prior,
        )
        self.rows.contacts.append(contact)
        for index in chosen:
            subject = ContactSubject(contact=contact)
            link(subject, family.members[index])
            self.rows.subjects.append(subject)
        self._triage(contact, family, chosen)
        return contact

    def _times(self, received: datetime, due: datetime) -> tuple[datetime, datetime, datetime]:
        """When it was picked up (in working time), recommended on and decided: mostly within
        the working day, about one in eleven after it."""
        rng = self.rng
        working = self.calendar.add(received, Timescale(0, Clock.WORKING_HOURS))
        started = after(rng, max(working, received), 1.0)
        recommended = after(rng, started, 1.5)
        decided = after(rng, recommended, 1.0)
        if rng.random() < LATE_DECISIONS:
            decided = after(rng, max(due, recommended), 5.0)
        elif decided > due > recommended:
            decided = recommended + (due - recommended) * rng.random()
        return started, recommended, decided

    def _triage(self, contact: Contact, family: Family, chosen: list[int]) -> None:
        rng, cast, now = self.rng, self.cast, self.now
        started, recommended_at, decided_at = self._times(
            contact.received_at, contact.decision_due_at
        )
        if started >= now:
            return
        contact.decision_started_at, contact.assignee = started, cast.worker
        if recommended_at >= now:
            return
        outcome = recommended = pick(rng, data.OUTCOMES)
        if rng.random() > data.AGREEMENT:
            recommended = pick(rng, [(o, w) for o, w in data.OUTCOMES if o != outcome])
        contact.recommended_outcome = recommended
        contact.recommendation_rationale = data.RECOMMENDATION_RATIONALE[recommended]
        if recommended == Outcome.REFERRAL:
            contact.threshold_rationale = data.THRESHOLD_RATIONALE
        if recommended == Outcome.MASH_ENQUIRY:
            contact.recommended_rag = pick(rng, data.RAGS)
        contact.recommended_at, contact.recommended_by = recommended_at, cast.worker
        self.rows.entries.append(
            DecisionEntry(
                contact=contact,
                kind=DecisionKind.RECOMMENDATION,
                outcome=recommended,
                rag=contact.recommended_rag,
                rationale=contact.recommendation_rationale,
                threshold_rationale=contact.threshold_rationale,
                made_by=cast.worker,
                made_at=recommended_at,
            )
        )
        if decided_at >= now:
            return
        contact.outcome, contact.decided_at, contact.decided_by = outcome, decided_at, cast.manager
        if outcome != recommended:
            contact.outcome_reason = data.OVERRIDE_REASON
        if outcome == Outcome.MASH_ENQUIRY:
            keep = contact.recommended_rag and rng.random() < 0.9
            contact.initial_rag = contact.recommended_rag if keep else pick(rng, data.RAGS)
        self.rows.entries.append(
            DecisionEntry(
                contact=contact,
                kind=DecisionKind.DECISION,
                outcome=outcome,
                rag=contact.initial_rag,
                rationale=contact.outcome_reason,
                made_by=cast.manager,
                made_at=decided_at,
            )
        )
        if contact.referrer_email and rng.random() < 0.96:
            sent = after(rng, decided_at, 0.2)
            contact.feedback_sent_at = sent if sent < now else None
        if outcome == Outcome.MASH_ENQUIRY:
            # The subjects, then everyone else in their household (as enquiry_open does).
            people = [family.members[i] for i in chosen]
            people += [m for i, m in enumerate(family.members) if i not in chosen]
            self.enquiries.open(contact, people, subjects=len(chosen))
