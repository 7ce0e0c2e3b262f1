from django.contrib import admin

from mash.audit.admin import ReadOnlyAdminMixin

from .models import Breach, DeadlineEvent, ScanRun


@admin.register(ScanRun)
class ScanRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["started_at", "finished_at", "reminders", "escalations", "breaches", "emails"]
    date_hierarchy = "started_at"


@admin.register(Breach)
class BreachAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["kind", "deadline", "detected_at", "resolved_at", "agency"]
    list_filter = ["kind", "agency"]
    raw_id_fields = ["contact", "enquiry", "information_request", "event"]


@admin.register(DeadlineEvent)
class DeadlineEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["kind", "stage", "deadline", "claimed_at", "processed_at"]
    list_filter = ["kind", "stage"]
    raw_id_fields = ["contact", "enquiry", "information_request"]
