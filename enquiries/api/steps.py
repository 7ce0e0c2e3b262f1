"""How every enquiry and request step answers a refusal by a service.

- ValidationError → 400 naming the fields (the API's exception handler).
- ConflictError (someone else changed the record first, the enquiry is closed, the request is
  no longer open) → 409 with the record's current state, so the caller can reload and decide.
- PermissionError → 403 where the caller can see the record but their role may not take the
  step (a hub worker deciding, a researcher assigning); 404 otherwise, as for a record outside
  one's view.
"""

from collections.abc import Callable
from typing import TypeVar

from rest_framework import exceptions, status
from rest_framework.response import Response

from mash.errors import ConflictError

T = TypeVar("T")


class StepConflict(Exception):
    """A service's ConflictError, carried to the view with the record's current state."""

    def __init__(self, conflict: ConflictError) -> None:
        super().__init__(conflict.message)
        self.conflict = conflict

    def response(self, current: dict) -> Response:
        body = {"detail": self.conflict.message, "errors": {}, "current": current}
        return Response(body, status=status.HTTP_409_CONFLICT)


def run_step(step: Callable[[], T], *, refuse_openly: bool) -> T:
    """Run a service call, translating its refusals into the API's answers.

    A ConflictError comes out as StepConflict (the view answers 409 with the current state);
    a PermissionError as 403 when `refuse_openly`, else 404.
    """
    try:
        return step()
    except ConflictError as conflict:
        raise StepConflict(conflict) from conflict
    except PermissionError as refused:
        if refuse_openly:
            raise exceptions.PermissionDenied(str(refused)) from refused
        raise exceptions.NotFound() from refused
