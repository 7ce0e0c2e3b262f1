from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from mash.audit.admin import ReadOnlyAdminMixin
from mash.audit.events import record_event

from .models import EmailState, OutboxEmail


@admin.register(OutboxEmail)
class OutboxEmailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What is waiting, sent and given up. Emails are never edited; a given-up email can be put
    back in the queue once the cause (a bad address, a mail server refusing) is fixed."""

    list_display = [
        "created_at",
        "purpose",
        "recipient",
        "state",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    ]
    list_filter = ["state", "purpose"]
    search_fields = ["recipient", "message_id", "related_id", "correlation_id"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in OutboxEmail._meta.fields]
    actions = ["send_again"]

    @admin.action(description="Send the selected given-up emails again")
    def send_again(self, request: HttpRequest, queryset: QuerySet[OutboxEmail]) -> None:
        ids = list(queryset.filter(state=EmailState.FAILED).values_list("pk", flat=True))
        OutboxEmail.objects.filter(pk__in=ids, state=EmailState.FAILED).update(
            state=EmailState.QUEUED, attempts=0, next_attempt_at=timezone.now()
        )
        for email in OutboxEmail.objects.filter(pk__in=ids):
            record_event("outbox.requeued", target=email, actor=request.user)
        self.message_user(request, f"{len(ids)} emails queued again.", messages.SUCCESS)
