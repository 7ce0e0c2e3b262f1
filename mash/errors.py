"""Errors the services raise that pages and API turn into clear answers."""


class ConflictError(Exception):
    """Someone else changed the record first: the user sees the current state and tries again."""

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        #: The fields the conflict is about, for the API's error body.
        self.errors = errors or {}

    def for_prefix(self, prefix: str) -> "ConflictError":
        """The same conflict with its fields named inside a list item, e.g. ``items[3].``."""
        return ConflictError(
            self.message, {f"{prefix}{field}": messages for field, messages in self.errors.items()}
        )
