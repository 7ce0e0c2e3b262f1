"""Work not lost: a user's unsent MARF and return, saved as they go (DOMAIN.md, issue 12)."""
