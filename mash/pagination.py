"""Keyset pagination for pages: constant cost at any depth, stable while rows are added."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core import signing
from django.db.models import Q, QuerySet

_SALT = "mash.keyset"


@dataclass
class KeysetPage:
    rows: list
    next_token: str | None
    has_previous: bool


def _encode(values: list[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return signing.dumps(plain, salt=_SALT, compress=True)


def _decode(token: str, size: int) -> list[Any] | None:
    try:
        values = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(values, list) or len(values) != size:
        return None
    return values


def keyset_page(
    queryset: QuerySet, *, fields: tuple[str, str], after: str | None, size: int = 50
) -> KeysetPage:
    """The page after `after` (a token from the previous page) of `queryset`, ordered by the two
    ascending `fields` (a value and a unique tiebreaker, e.g. due time and id). A bad or
    tampered token gives the first page."""
    first, second = fields
    queryset = queryset.order_by(first, second)
    values = _decode(after, 2) if after else None
    if values is not None:
        value, tiebreak = values
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                value = None
        if value is not None:
            queryset = queryset.filter(
                Q(**{f"{first}__gt": value}) | Q(**{first: value, f"{second}__gt": tiebreak})
            )
    rows = list(queryset[: size + 1])
    next_token = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_token = _encode([getattr(last, first), getattr(last, second)])
    return KeysetPage(rows=rows, next_token=next_token, has_previous=values is not None)
