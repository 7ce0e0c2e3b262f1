"""How much text each field takes: one declaration per field, used by the models, the pages'
forms and the API's serializers, so that a page never stores what the API would refuse (or the
other way round). tests/test_limits.py walks every form and serializer and checks they agree.

A `Limit` is what is stored (`max_length`) and, for identifiers that are tidied before they are
stored (spaces and hyphens taken out of an NHS number, a postcode re-spaced), what may be typed
(`typed`). Where the pages and the API used to disagree, the declaration took the larger figure,
so nothing an agency system sent before is refused now; only fields that had no limit gained one.
"""

from dataclasses import dataclass

from django import forms
from django.core.validators import MaxLengthValidator
from django.db import models


@dataclass(frozen=True)
class Limit:
    max_length: int
    typed: int | None = None  # when more characters may be typed than are stored

    @property
    def input_length(self) -> int:
        """The most characters a form or serializer accepts."""
        return self.typed or self.max_length


# People
PERSON_NAME = Limit(100)
NHS_NUMBER = Limit(10, typed=20)  # "943 476 5919", "943-476-5919", with room for stray spaces
UPN = Limit(13, typed=20)
POSTCODE = Limit(8, typed=10)  # stored as "SW1A 1AA"
ADDRESS = Limit(500)
RELATIONSHIP = Limit(100)
SCHOOL = Limit(200)  # a school or setting's name or DfE URN, until schools are records
SEARCH_QUERY = Limit(200)  # the one search box (not stored)

# Schools (GIAS's columns) and school holidays
SCHOOL_URN = Limit(6)
SCHOOL_NAME = Limit(200)
ESTABLISHMENT_TYPE = Limit(150)
LOCAL_AUTHORITY = Limit(100)
SCHOOL_POSTCODE = Limit(8, typed=10)
HOLIDAY_NAME = Limit(100)

# Contacts: who referred, what about, and the hub's reasoning
EXTERNAL_REFERENCE = Limit(100)
REFERRER_NAME = Limit(200)
REFERRER_ROLE = Limit(200)
ORGANISATION = Limit(200)
PHONE = Limit(40)
EMAIL = Limit(254)  # RFC 5321's longest forward path, and Django's EmailField
NARRATIVE = Limit(20_000)
CONSENT_DETAIL = Limit(5_000)
RATIONALE = Limit(20_000)  # recommendations, decisions, corrections, RAG changes and their reasons
CASE_NOTE = Limit(20_000)  # the hub's case notes on a contact or an enquiry

# The MARF's accounts, kept as answered and joined (headed) into the contact's narrative
MARF_WHAT_HAPPENED = Limit(10_000)
MARF_CHILD_SAID = Limit(5_000)
MARF_DONE_SO_FAR = Limit(4_000)
MARF_HOUSEHOLD_MEMBERS = Limit(4_000)
MARF_OTHER_FAMILY = Limit(2_000)

# Enquiries: requests to agencies and what they return
QUESTION = Limit(20_000)
WITHDRAWN_REASON = Limit(2_000)
RETURN_SUMMARY = Limit(20_000)
RISK_INDICATORS = Limit(20_000)
SYSTEMS_CHECKED = Limit(2_000)

# Agencies and staff
AGENCY_NAME = Limit(150)
AGENCY_CODE = Limit(40)
USERNAME = Limit(150)
USER_NAME = Limit(150)  # a member of staff's first or last name (Django's auth)
JOB_TITLE = Limit(150)

# Reasons kept only in the audit trail (reassigning, merging, deactivating)
AUDIT_REASON = Limit(2_000)
CLOSURE_REASON = Limit(200)

#: Every limited model field, as "app_label.Model.field".
MODEL_FIELDS: dict[str, Limit] = {
    "contacts.Person.given_name": PERSON_NAME,
    "contacts.Person.family_name": PERSON_NAME,
    "contacts.Person.nhs_number": NHS_NUMBER,
    "contacts.Person.upn": UPN,
    "contacts.Person.address": ADDRESS,
    "contacts.Person.postcode": POSTCODE,
    "contacts.Person.school": SCHOOL,
    "contacts.PersonAddress.address": ADDRESS,
    "contacts.PersonAddress.postcode": POSTCODE,
    "contacts.PersonCorrection.reason": AUDIT_REASON,
    "contacts.PersonCorrection.old_value": ADDRESS,
    "contacts.PersonCorrection.new_value": ADDRESS,
    "contacts.ContactSubject.address": ADDRESS,
    "contacts.ContactSubject.postcode": POSTCODE,
    "contacts.ContactPerson.address": ADDRESS,
    "contacts.ContactPerson.postcode": POSTCODE,
    "contacts.PersonAlias.given_name": PERSON_NAME,
    "contacts.PersonAlias.family_name": PERSON_NAME,
    "contacts.Household.address": ADDRESS,
    "contacts.Household.postcode": POSTCODE,
    "contacts.HouseholdMember.relationship": RELATIONSHIP,
    "contacts.Contact.external_reference": EXTERNAL_REFERENCE,
    "contacts.Contact.referrer_name": REFERRER_NAME,
    "contacts.Contact.referrer_role": REFERRER_ROLE,
    "contacts.Contact.referrer_organisation": ORGANISATION,
    "contacts.Contact.referrer_phone": PHONE,
    "contacts.Contact.referrer_email": EMAIL,
    "contacts.Contact.narrative": NARRATIVE,
    "contacts.Contact.consent_detail": CONSENT_DETAIL,
    "contacts.Contact.recommendation_rationale": RATIONALE,
    "contacts.Contact.threshold_rationale": RATIONALE,
    "contacts.Contact.outcome_reason": RATIONALE,
    "contacts.DecisionEntry.rationale": RATIONALE,
    "contacts.DecisionEntry.threshold_rationale": RATIONALE,
    "enquiries.Enquiry.recommendation_rationale": RATIONALE,
    "enquiries.Enquiry.outcome_reason": RATIONALE,
    "enquiries.Enquiry.separate_reason": RATIONALE,
    "enquiries.EnquiryContact.reason": RATIONALE,
    "enquiries.EnquiryPerson.relationship": RELATIONSHIP,
    "enquiries.RagChange.reason": RATIONALE,
    "enquiries.InformationRequest.question": QUESTION,
    "enquiries.InformationRequest.withdrawn_reason": WITHDRAWN_REASON,
    "enquiries.InformationReturn.summary": RETURN_SUMMARY,
    "enquiries.InformationReturn.risk_indicators": RISK_INDICATORS,
    "enquiries.InformationReturn.systems_checked": SYSTEMS_CHECKED,
    "notes.CaseNote.text": CASE_NOTE,
    "schools.School.urn": SCHOOL_URN,
    "schools.School.name": SCHOOL_NAME,
    "schools.School.establishment_type": ESTABLISHMENT_TYPE,
    "schools.School.postcode": SCHOOL_POSTCODE,
    "schools.School.local_authority": LOCAL_AUTHORITY,
    "schools.SchoolHoliday.name": HOLIDAY_NAME,
    "agencies.Agency.name": AGENCY_NAME,
    "agencies.Agency.code": AGENCY_CODE,
    "agencies.User.username": USERNAME,
    "agencies.User.first_name": USER_NAME,
    "agencies.User.last_name": USER_NAME,
    "agencies.User.email": EMAIL,
    "agencies.User.job_title": JOB_TITLE,
    "agencies.User.phone": PHONE,
    "deadlines.ClosureDay.reason": CLOSURE_REASON,
    "domestic_abuse.DaNotification.occurrence_reference": EXTERNAL_REFERENCE,
    "domestic_abuse.DaNotification.agreed_rationale": RATIONALE,
    "domestic_abuse.MeetingAttendee.name": REFERRER_NAME,
}

#: Inputs named otherwise than the model field they fill, or stored nowhere but the audit trail
#: or a MARF's answers: the limit each name may carry (a form's `reason` is one of several).
INPUT_NAMES: dict[str, tuple[Limit, ...]] = {
    "rationale": (RATIONALE,),
    "reason": (RATIONALE, WITHDRAWN_REASON, AUDIT_REASON, CLOSURE_REASON),
    "separate_enquiry_reason": (RATIONALE,),
    "referring_agency": (AGENCY_CODE,),
    "agency": (AGENCY_CODE,),
    "q": (SEARCH_QUERY,),
    "what_happened": (MARF_WHAT_HAPPENED,),
    "child_said": (MARF_CHILD_SAID,),
    "done_so_far": (MARF_DONE_SO_FAR,),
    "household_members": (MARF_HOUSEHOLD_MEMBERS,),
    "other_family": (MARF_OTHER_FAMILY,),
}


def by_name(name: str) -> Limit | None:
    """The one limit an input called `name` carries (a model field of that name, or an entry of
    INPUT_NAMES), or None when there is none or the name carries several."""
    found = {limit for key, limit in MODEL_FIELDS.items() if key.rsplit(".", 1)[1] == name}
    found.update(INPUT_NAMES.get(name, ()))
    return found.pop() if len(found) == 1 else None


def limited_text(limit: Limit, *args, **kwargs) -> models.TextField:
    """A model TextField of at most `limit.max_length` characters: model forms built from it take
    no more, and model validation (`full_clean`) refuses more. PostgreSQL's text type has no
    length, and no CHECK constraint is added (rows stored before the limits would fail it)."""
    validators = [*kwargs.pop("validators", []), MaxLengthValidator(limit.max_length)]
    return models.TextField(*args, max_length=limit.max_length, validators=validators, **kwargs)


def too_long_message(label: str, max_length: int) -> str:
    """GOV.UK's message for text over its limit, naming the field by its label."""
    return f"{label} must be {max_length:,} characters or fewer"


def text_field(
    limit: Limit, *, label: str, field_class: type[forms.CharField] = forms.CharField, **kwargs
) -> forms.CharField:
    """A form field taking at most `limit.input_length` characters, with GOV.UK's message
    naming the field when there are more (its label, without "(optional)")."""
    messages = dict(kwargs.pop("error_messages", None) or {})
    messages.setdefault("max_length", too_long_message(label.split(" (")[0], limit.input_length))
    return field_class(
        label=label, max_length=limit.input_length, error_messages=messages, **kwargs
    )
