from django.contrib import admin

from mash.audit.admin import ReadOnlyAdminMixin

from .models import Breach, ClosureDay, DeadlineEvent, ScanRun, TimescaleSetting


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


# Timescales and closure days change only through the administrators' timescale pages, whose
# services recompute the open items' deadlines; the admin shows them.
@admin.register(TimescaleSetting)
class TimescaleSettingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["kind", "rag", "amount", "clock", "warning_percent", "updated_at", "updated_by"]


@admin.register(ClosureDay)
class ClosureDayAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["date", "reason", "created_at", "created_by"]
