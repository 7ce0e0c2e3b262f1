"""Errors the services raise that pages and API turn into clear answers."""


class ConflictError(Exception):
    """Someone else changed the record first: the user sees the current state and tries again."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
