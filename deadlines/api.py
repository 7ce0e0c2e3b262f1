"""A user's own notifications through the API: the list (newest first, cursor-paginated,
filtered by unread or kind) and marking one read. Another user's notification answers 404."""

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from enquiries.api.fields import NamedChoiceField
from mash.api.pagination import DefaultCursorPagination
from mash.api.serializers import ErrorSerializer
from mash.api.views import VisibleViewSetMixin

from .models import Notification, NotificationKind
from .selectors import notifications_of, notifications_visible_to
from .services import notifications_mark_read


class NotificationSerializer(serializers.ModelSerializer):
    kind = NamedChoiceField(NotificationKind.choices, enum_name="NotificationKind", read_only=True)
    unread = serializers.SerializerMethodField(help_text="Not yet read.")

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "created_at", "read_at", "unread"]
        read_only_fields = fields

    def get_unread(self, notification: Notification) -> bool:
        return notification.read_at is None


class NotificationFilterSerializer(serializers.Serializer):
    """The list's filters, as query parameters."""

    unread = serializers.BooleanField(required=False, help_text="Only unread notifications.")
    kind = NamedChoiceField(
        NotificationKind.choices,
        enum_name="NotificationKind",
        required=False,
        help_text="Only notifications of this kind.",
    )


class NotificationCursorPagination(DefaultCursorPagination):
    """Newest first."""

    ordering = ("-created_at", "-id")


@extend_schema_view(
    list=extend_schema(
        summary="My notifications",
        parameters=[NotificationFilterSerializer],
        responses={200: NotificationSerializer(many=True), 400: ErrorSerializer},
    ),
    retrieve=extend_schema(
        summary="One of my notifications",
        description="One of my notifications (reading it does not mark it read). Another "
        "user's id, or one that does not exist, is a 404.",
        responses={200: NotificationSerializer, 404: ErrorSerializer},
    ),
)
class NotificationViewSet(VisibleViewSetMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The signed-in user's own notifications, newest first, cursor-paginated: requests and
    returns received, work allocated, recommendations awaiting decision, reminders, breaches and
    escalations. Nobody sees anyone else's: another user's notification answers 404."""

    serializer_class = NotificationSerializer
    visible_to = staticmethod(notifications_visible_to)
    pagination_class = NotificationCursorPagination
    lookup_value_regex = r"\d+"
    filters: dict | None = None

    def get_queryset(self) -> QuerySet[Notification]:
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        filters = self.filters or {}
        return notifications_of(
            self.request.user, kind=filters.get("kind", ""), unread=filters.get("unread", False)
        )

    def list(self, request: Request, *args, **kwargs) -> Response:
        """`unread=true` lists only the unread ones; `kind=` one kind."""
        form = NotificationFilterSerializer(data=request.query_params)
        form.is_valid(raise_exception=True)
        self.filters = dict(form.validated_data)
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Mark a notification read",
        request=None,
        responses={200: NotificationSerializer, 404: ErrorSerializer},
    )
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        """Mark one of my notifications read (already read: unchanged). Another user's id, or
        one that does not exist, is a 404 and nothing is marked."""
        notification = self.get_object()
        notifications_mark_read(user=request.user, ids=[notification.pk])
        notification.refresh_from_db()
        return Response(self.get_serializer(notification).data)
