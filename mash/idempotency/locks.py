"""Transaction-scoped locks on names (e.g. an external reference), always taken in one order.

Two transactions that lock the same names in different orders can deadlock; taking every name's
lock up front, sorted by its lock key, cannot. PostgreSQL advisory locks are released at commit or
rollback. SQLite (`make run`) lets one writer in at a time, so there is nothing to take there.
"""

import hashlib
import json
from collections.abc import Iterable

from django.db import connection

from .models import ReplayFingerprint


def lock_key(namespace: str, name: str) -> int:
    """A signed 64-bit lock key for a name. Two names sharing a key only wait for each other."""
    digest = hashlib.sha256(f"{namespace}\x00{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def lock_names(namespace: str, names: Iterable[str]) -> list[int]:
    """Take the transaction's advisory lock on every name, in ascending key order, waiting for
    any other transaction that holds one of them. Call inside `transaction.atomic()`."""
    keys = sorted({lock_key(namespace, name) for name in names})
    if keys and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # One statement; the ORDER BY makes the locks be taken in key order.
            cursor.execute(
                "SELECT count(pg_advisory_xact_lock(k)) FROM (SELECT unnest(%s::bigint[]) AS k "
                "ORDER BY k) AS sorted_keys",
                [keys],
            )
    return keys


def content_digest(content: object) -> str:
    """A stable SHA-256 of JSON-able content (keys sorted; dates and other values as text)."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def fingerprint_store(*, scope: str, reference: str, digest: str) -> None:
    """Remember what was first sent under `reference` (call in the transaction that stores it)."""
    ReplayFingerprint.objects.get_or_create(
        scope=scope, reference=reference, defaults={"digest": digest}
    )


def fingerprint_matches(*, scope: str, reference: str, digest: str) -> bool | None:
    """Whether `digest` is what was first sent under `reference`; None when nothing was recorded
    (items stored before fingerprints were kept are answered as before: a replay)."""
    stored = (
        ReplayFingerprint.objects.filter(scope=scope, reference=reference)
        .values_list("digest", flat=True)
        .first()
    )
    return None if stored is None else stored == digest
