"""Named domain events: the story of the case in the service's own words.

django-auditlog records every field change; an AuditEvent records what the change meant
(`contact.decided`, `enquiry.rag_changed`, `auth.signed_in`) with who, when, from where and which
record. Neither can be changed or deleted through the product (read-only admin, and on
PostgreSQL a trigger that refuses UPDATE and DELETE).
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class AuditEvent(models.Model):
    name = models.CharField(max_length=100, db_index=True)
    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(max_length=150, blank=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    correlation_id = models.CharField(max_length=64, blank=True, db_index=True)
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_pk = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_pk"])]

    def __str__(self) -> str:
        return f"{self.name} by {self.actor_label or 'system'} at {self.occurred_at:%Y-%m-%d %H:%M}"
