"""The chronology's filters, read the same way from the page's form and the API's query string.

``from`` and ``to`` are local dates (Europe/London), both included: ``to=2026-03-31`` keeps
every event up to the end of 31 March. ``kinds`` is a list of event kinds; none means all.
Each error names the query field it is about (``from``, ``to`` or ``kinds``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import models

from mash.clocks import LONDON

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


class EventKind(models.TextChoices):
    """Every kind of event a chronology shows, in the order they are listed for the filter (and
    the order of events at the same moment)."""

    CONTACT_RECEIVED = "contact_received", "Contact received"
    RECOMMENDATION = "recommendation", "Recommendation"
    DECISION = "decision", "Decision"
    CORRECTION = "correction", "Correction of a decision"
    ENQUIRY_OPENED = "enquiry_opened", "Enquiry opened"
    RAG_CHANGED = "rag_changed", "RAG rating changed"
    REQUEST_SENT = "request_sent", "Information request sent"
    RETURN_RECEIVED = "return_received", "Information returned"
    NOTE = "note", "Significant case note"
    DOCUMENT = "document", "Document added"
    ENQUIRY_CLOSED = "enquiry_closed", "Enquiry closed"
    CONTACT_ADDED = "contact_added", "Contact added to an open enquiry"
    DA_NOTIFICATION = "da_notification", "Domestic abuse incident"
    DA_MEETING_OUTCOME = "da_meeting_outcome", "Daily triage meeting outcome"
    ENCOMPASS_NOTICE = "encompass_notice", "Operation Encompass notice"


KIND_ORDER = {kind: index for index, kind in enumerate(EventKind.values)}

DATE_MESSAGES = {
    "from": "Enter the from date as a real date, like 2026-03-27",
    "to": "Enter the to date as a real date, like 2026-03-31",
}
ORDER_MESSAGE = "The to date must be the same as or after the from date"


def unknown_kind_message(value: str) -> str:
    shown = value if len(value) <= 40 else f"{value[:40]}..."
    return f"Unknown kind {shown!r}: choose from {', '.join(EventKind.values)}"


@dataclass(frozen=True)
class Filters:
    since: date | None = None
    until: date | None = None
    kinds: tuple[str, ...] = ()  # none: every kind

    @property
    def starts_at(self) -> datetime | None:
        """The first instant shown: local midnight at the start of ``since``."""
        if self.since is None:
            return None
        return datetime.combine(self.since, datetime.min.time(), tzinfo=LONDON)

    @property
    def ends_at(self) -> datetime | None:
        """The first instant not shown: local midnight after ``until`` (None: no end)."""
        if self.until is None:
            return None
        try:
            following = self.until + timedelta(days=1)
        except OverflowError:  # 9999-12-31: nothing is later
            return None
        return datetime.combine(following, datetime.min.time(), tzinfo=LONDON)

    @property
    def wanted(self) -> frozenset[str]:
        return frozenset(self.kinds or EventKind.values)

    def as_query(self) -> dict:
        """For the audit trail and the API's answer."""
        return {
            "from": self.since.isoformat() if self.since else None,
            "to": self.until.isoformat() if self.until else None,
            "kinds": list(self.kinds),
        }


def parse_date(value: str | None, field: str) -> date | None:
    """A ``YYYY-MM-DD`` value (blank: none), or a ValidationError naming ``field``."""
    value = (value or "").strip()
    if not value:
        return None
    if not _ISO_DATE.fullmatch(value):
        raise ValidationError({field: DATE_MESSAGES[field]})
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError({field: DATE_MESSAGES[field]}) from None


def split_kinds(values: list[str]) -> list[str]:
    """Kinds given repeated (``kinds=a&kinds=b``) or comma-separated (``kinds=a,b``)."""
    return list(
        dict.fromkeys(part.strip() for value in values for part in value.split(",") if part.strip())
    )


def parse_filters(raw_from: str | None, raw_to: str | None, raw_kinds: list[str]) -> Filters:
    """The filters, or a ValidationError with a message for each field that is wrong."""
    errors: dict[str, list[str]] = {}
    since = until = None
    try:
        since = parse_date(raw_from, "from")
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        until = parse_date(raw_to, "to")
    except ValidationError as error:
        errors.update(error.message_dict)
    if since and until and since > until:
        errors["to"] = [ORDER_MESSAGE]
    kinds = split_kinds(raw_kinds)
    unknown = [kind for kind in kinds if kind not in EventKind.values]
    if unknown:
        errors["kinds"] = [unknown_kind_message(unknown[0])]
    if errors:
        raise ValidationError(errors)
    return Filters(since=since, until=until, kinds=tuple(kinds))
