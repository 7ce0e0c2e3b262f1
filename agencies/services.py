"""Every write to agencies and users."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from mash.audit.events import record_event

from .models import Agency, AgencyKind, User
from .roles import HUB_ROLES, Role

HUB_AGENCY_KINDS = {AgencyKind.CHILDRENS_SOCIAL_CARE, AgencyKind.ADULTS_SOCIAL_CARE}


def check_access_change(*, user: User, changed_by, fields: set[str]) -> None:
    """Nobody changes their own role, agency or active state: another administrator must."""
    own = changed_by is not None and changed_by.pk == user.pk
    if own and fields & {"role", "agency", "is_active"}:
        message = "You cannot change your own role, agency or access: ask another administrator."
        raise ValidationError({"role": message})


def check_role_fits_agency(*, role: str, agency: Agency | None) -> None:
    if role and agency is None:
        raise ValidationError({"agency": "Choose the agency this person works for."})
    if agency is not None and not agency.is_active:
        raise ValidationError({"agency": "This agency is inactive; choose an active agency."})
    if role in HUB_ROLES and agency is not None and agency.kind not in HUB_AGENCY_KINDS:
        raise ValidationError(
            {"role": "Hub roles are for staff of Children's or Adults' Social Care."}
        )


@transaction.atomic
def agency_create(*, name: str, code: str, kind: str, membership: str) -> Agency:
    agency = Agency(name=name, code=code, kind=kind, membership=membership)
    agency.full_clean(exclude=["group"])
    agency.save()
    record_event("agency.created", target=agency)
    return agency


@transaction.atomic
def agency_update(*, agency: Agency, **fields) -> Agency:
    for name, value in fields.items():
        setattr(agency, name, value)
    agency.full_clean(exclude=["group"])
    agency.save()
    record_event("agency.updated", target=agency, data={"fields": sorted(fields)})
    return agency


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    agency: Agency | None,
    role: str,
    job_title: str = "",
) -> User:
    """Create a member of staff with one agency and one role."""
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role."})
    check_role_fits_agency(role=role, agency=agency)
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        agency=agency,
        role=role,
        job_title=job_title,
    )
    if password:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from error
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    record_event(
        "user.created", target=user, data={"role": role, "agency": getattr(agency, "code", None)}
    )
    return user


@transaction.atomic
def user_update(*, user: User, changed_by=None, **fields) -> User:
    """Change a user's details, role or agency; deactivating ends every session they hold."""
    check_access_change(user=user, changed_by=changed_by, fields=set(fields))
    for name, value in fields.items():
        setattr(user, name, value)
    check_role_fits_agency(role=user.role, agency=user.agency)
    user.full_clean(exclude=["password"])
    user.save()
    record_event("user.updated", target=user, data={"fields": sorted(fields)})
    return user


@transaction.atomic
def user_deactivate(*, user: User, reason: str) -> User:
    """Stop a user signing in and end their sessions now. Users are never deleted."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why this account is being deactivated."})
    user.is_active = False
    user.save()
    record_event("user.deactivated", target=user, data={"reason": reason})
    return user
