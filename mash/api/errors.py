"""One error body for the whole API: {"detail": "...", "errors": {field: [messages]}}."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from mash.errors import ConflictError


def _as_field_messages(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for field, value in detail.items():
            if isinstance(value, dict):
                for sub, messages in _as_field_messages(value).items():
                    out[f"{field}.{sub}"] = messages
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                for index, item in enumerate(value):
                    for sub, messages in _as_field_messages(item).items():
                        out[f"{field}[{index}].{sub}"] = messages
            else:
                items = value if isinstance(value, list) else [value]
                out[field] = [str(item) for item in items]
        return out
    if isinstance(detail, list):
        return {"non_field_errors": [str(item) for item in detail]}
    return {"non_field_errors": [str(detail)]}


def exception_handler(exc, context):
    if isinstance(exc, ConflictError):
        # Someone else changed the record first: 409, and the caller reloads and tries again.
        body = {"detail": exc.message, "errors": exc.errors}
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError(exc.messages)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = {"detail": "Invalid input.", "errors": _as_field_messages(exc.detail)}
        return Response(body, status=status.HTTP_400_BAD_REQUEST, headers=response.headers)
    detail = response.data.get("detail") if isinstance(response.data, dict) else None
    response.data = {"detail": str(detail or "Error."), "errors": {}}
    return response
