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


def check_role_fits_agency(
    *, role: str, agency: Agency | None, school=None, school_chosen: bool = True
) -> None:
    if role == Role.SCHOOL_KEY_ADULT:
        check_key_adult_school(agency=agency, school=school, school_chosen=school_chosen)
    elif school is not None:
        raise ValidationError({"school": "Only a school key adult (DSL) is linked to a school."})
    if role and agency is None:
        raise ValidationError({"agency": "Choose the agency this person works for."})
    if agency is not None and not agency.is_active:
        raise ValidationError({"agency": "This agency is inactive; choose an active agency."})
    if role in HUB_ROLES and agency is not None and agency.kind not in HUB_AGENCY_KINDS:
        raise ValidationError(
            {"role": "Hub roles are for staff of Children's or Adults' Social Care."}
        )


def check_key_adult_school(*, agency: Agency | None, school, school_chosen: bool = True) -> None:
    """A key adult has one school, open when chosen, and belongs to an education agency (the
    agency makes them a member; their school, not the agency, decides what they see)."""
    if school is None:
        raise ValidationError({"school": "Choose the school this key adult works for."})
    if school_chosen and not school.is_open:
        raise ValidationError({"school": f"{school} is closed: choose an open school."})
    if agency is not None and agency.kind != AgencyKind.EDUCATION:
        raise ValidationError(
            {"agency": "A school key adult belongs to an education agency: choose one."}
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
    school=None,
) -> User:
    """Create a member of staff with one agency and one role (and, for a school key adult, one
    school)."""
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role."})
    check_role_fits_agency(role=role, agency=agency, school=school)
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        agency=agency,
        role=role,
        job_title=job_title,
        school=school,
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
    data = {"role": role, "agency": getattr(agency, "code", None)}
    if school is not None:
        data["school"] = school.urn
    record_event("user.created", target=user, data=data)
    return user


@transaction.atomic
def user_update(*, user: User, changed_by=None, **fields) -> User:
    """Change a user's details, role or agency; deactivating ends every session they hold."""
    check_access_change(user=user, changed_by=changed_by, fields=set(fields))
    leaving = "role" in fields and fields["role"] != Role.SCHOOL_KEY_ADULT
    if leaving and "school" not in fields and user.school_id is not None:
        fields["school"] = None  # no longer a key adult: no longer linked to the school
    for name, value in fields.items():
        setattr(user, name, value)
    check_role_fits_agency(
        role=user.role, agency=user.agency, school=user.school, school_chosen="school" in fields
    )
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
