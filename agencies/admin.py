from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django_otp.plugins.otp_totp import admin as otp_totp_admin
from django_otp.plugins.otp_totp.models import TOTPDevice

from mash.audit.events import record_event

from .models import Agency, SignedInSession, User
from .services import check_access_change, check_role_fits_agency


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "membership", "is_active"]
    list_filter = ["kind", "membership", "is_active"]
    search_fields = ["name", "code"]
    readonly_fields = ["group", "created_at"]

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # deactivate instead: grants and audit entries refer to agencies

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        record_event(
            "agency.updated" if change else "agency.created",
            target=obj,
            data={"fields": sorted(form.changed_data), "via": "admin"},
        )


class _AccessRulesMixin:
    """The admin's user forms keep the same rules as the staff page (agencies.services)."""

    changed_by = None

    def clean(self):
        cleaned = super().clean()
        try:
            check_role_fits_agency(role=cleaned.get("role", ""), agency=cleaned.get("agency"))
            if self.instance.pk:
                check_access_change(
                    user=self.instance, changed_by=self.changed_by, fields=set(self.changed_data)
                )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return cleaned


class UserAdminChangeForm(_AccessRulesMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class UserAdminCreationForm(_AccessRulesMixin, UserCreationForm):
    agency = forms.ModelChoiceField(queryset=Agency.objects.filter(is_active=True))

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "agency", "role")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    list_display = ["username", "first_name", "last_name", "agency", "role", "is_active"]
    list_filter = ["role", "agency", "is_active"]
    search_fields = ["username", "first_name", "last_name", "email"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email", "job_title", "phone")}),
        ("Agency and role", {"fields": ("agency", "role", "is_active")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"fields": ("username", "password1", "password2", "agency", "role")}),)
    readonly_fields = ["last_login", "date_joined"]
    filter_horizontal = ()

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # deactivate instead: the audit trail keeps its actors

    def get_form(self, request: HttpRequest, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.changed_by = request.user
        return form

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        record_event(
            "user.updated" if change else "user.created",
            target=obj,
            data={"fields": sorted(form.changed_data), "via": "admin"},
        )


@admin.register(SignedInSession)
class SignedInSessionAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class TOTPDeviceAdmin(otp_totp_admin.TOTPDeviceAdmin):
    """django-otp's TOTP device admin, whose config and QR code pages answer 404 for a device
    that does not exist (upstream fetches it with `.get()`, so a missing id was a 500)."""

    def config_view(self, request: HttpRequest, pk: int):
        get_object_or_404(self.get_queryset(request), pk=pk)
        return super().config_view(request, pk)

    def qrcode_view(self, request: HttpRequest, pk: int):
        get_object_or_404(self.get_queryset(request), pk=pk)
        return super().qrcode_view(request, pk)


# Importing django-otp's admin module above registered its own class: replace it.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, TOTPDeviceAdmin)
