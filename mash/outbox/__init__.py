"""The outbox: every email the product sends is a row written in the same transaction as the
change that causes it, and a relay task sends it (docs/adr/0006-outbox-and-faults.md)."""
