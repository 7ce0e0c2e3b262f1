"""The OpenAPI schema's shared parts: every POST documents the ``Idempotency-Key`` header
(mash.idempotency.api) and the 422 it answers when a key is reused for another request."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from .serializers import ErrorSerializer

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "A key of your own (a new UUID for each new request, 255 printable ASCII characters at "
        "most). A retry with the same key and the same body, however many times and even at "
        "the same moment, is answered with the first answer (header `Idempotent-Replayed: "
        "true`) and makes nothing more. The same key with another body is a 422. Keys are "
        "remembered for 24 hours; only successful answers are remembered."
    ),
)


class MashAutoSchema(AutoSchema):
    def get_override_parameters(self) -> list:
        parameters = list(super().get_override_parameters())
        if self.method == "POST":
            parameters.append(IDEMPOTENCY_KEY)
        return parameters

    def _get_response_bodies(self, direction: str = "response") -> dict:
        responses = super()._get_response_bodies(direction)
        if self.method == "POST" and direction == "response":
            for code in ("400", "422"):
                if code not in responses:
                    responses[code] = self._get_response_for_code(
                        ErrorSerializer, code, direction=direction
                    )
        return responses
