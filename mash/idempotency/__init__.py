"""Once per submission: Idempotency-Key on API POSTs, one-time tokens on the create forms, and
the fingerprints that tell a replayed external reference from a different item reusing it.

See docs/adr/0004-idempotency.md.
"""
