"""Limits agree everywhere: every form, every serializer and every model takes the amount of text
mash.limits declares for the field, so a page never stores what the API refuses (the hub's
contact form used to store a 100,000-character consent detail the API refused above 5,000).

The walk finds every Form and Serializer class defined in the project's modules, and checks each
text input against the declaration of the model field it fills (a model form's or serializer's
own field), or of its name (a plain form's `narrative` fills Contact.narrative). A text input of
a form with no declaration fails: declare it in mash.limits.
"""

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from contacts.marf import CONCERN, SECTIONS
from contacts.models import Contact, Marf, Person
from mash import limits
from tests.forms import submission_token


def _project_packages() -> list[str]:
    """Every top-level package of this repository that is an installed app, and `mash`: a new
    app is walked without anyone remembering to list it here."""
    root = Path(settings.BASE_DIR).resolve()
    names = {"mash"}
    for config in apps.get_app_configs():
        top = config.name.split(".")[0]
        if (root / top).is_dir() and (root / top / "__init__.py").exists():
            names.add(top)
    return sorted(names)


PACKAGES = _project_packages()
SKIP_MODULES = ("mash.settings", "mash.wsgi", "mash.asgi")

# Text inputs with no declaration, and why.
UNDECLARED_FORM_FIELDS = {
    "password": "hashed, never stored as typed (Django's password validators apply)",
    "password1": "hashed, never stored as typed",
    "password2": "hashed, never stored as typed",
    "token": "the security code: its pattern (six digits) bounds it",
    "from": "a reporting period's date, parsed by reporting.periods, never stored",
    "to": "a reporting period's date, parsed by reporting.periods, never stored",
    "period": "a named reporting period, checked against the list, never stored",
}
RESPONSE_ONLY_FIELDS = {
    "reporting.api.KpiSerializer.name": "a response: the KPI's name, not an agency's",
}
# Query parameters of the API that are not text a person types.
OPAQUE_PARAMETERS = {
    "cursor": "pagination's own opaque cursor, decoded and checked by DRF",
    "kpis": "a list of KPI ids, each checked against the list (400 naming the field)",
    "breakdowns": "a list of breakdown names, each checked against the list",
    "period": "a named period, checked against the list",
    "from": "a date, parsed (400 naming the field)",
    "to": "a date, parsed (400 naming the field)",
}


def project_modules() -> Iterator[object]:
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        yield package
        for info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            name = info.name
            if name.startswith(SKIP_MODULES) or ".migrations" in name or ".tests" in name:
                continue
            yield importlib.import_module(name)


def project_classes(base: type) -> list[type]:
    found = {}
    for module in project_modules():
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, base) and cls.__module__ == module.__name__:
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return [found[key] for key in sorted(found)]


FORMS = project_classes(forms.BaseForm)
SERIALIZERS = [
    cls
    for cls in project_classes(serializers.BaseSerializer)
    if not issubclass(cls, serializers.ListSerializer)
]


def label(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def declared_for_name(name: str) -> set[limits.Limit]:
    """Every limit an input called `name` may carry."""
    found = {limit for key, limit in limits.MODEL_FIELDS.items() if key.rsplit(".", 1)[1] == name}
    found.update(limits.INPUT_NAMES.get(name, ()))
    return found


def model_limit(model: type[models.Model], name: str) -> int | None:
    """What a model field of `model` takes: its declaration, which the model must agree with."""
    try:
        field = model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - not a model field
        return None
    key = f"{model._meta.app_label}.{model.__name__}.{name}"
    declared = limits.MODEL_FIELDS.get(key)
    if declared is not None:
        return declared.max_length
    return getattr(field, "max_length", None)


def form_fields(cls: type[forms.BaseForm]) -> dict[str, forms.Field]:
    try:
        return cls().fields  # fields set up in __init__ (e.g. sign-in's username)
    except TypeError:  # needs arguments: its declared fields
        return cls.base_fields


@pytest.mark.django_db
@pytest.mark.parametrize("form_class", FORMS, ids=label)
def test_every_form_text_field_takes_its_declared_limit(form_class):
    model = getattr(getattr(form_class, "_meta", None), "model", None)
    for name, field in form_fields(form_class).items():
        if not isinstance(field, forms.CharField) or name in UNDECLARED_FORM_FIELDS:
            continue
        where = f"{label(form_class)}.{name}"
        assert field.max_length is not None, f"{where} takes text of any length"
        if model is not None and model_limit(model, name) is not None:
            assert field.max_length == model_limit(model, name), where
            continue
        allowed = {limit.input_length for limit in declared_for_name(name)}
        assert allowed, f"{where}: declare its limit in mash.limits"
        assert field.max_length in allowed, (where, field.max_length, allowed)


@pytest.mark.parametrize("serializer_class", SERIALIZERS, ids=label)
def test_every_serializer_text_input_takes_its_declared_limit(serializer_class):
    serializer = serializer_class()
    model = getattr(getattr(serializer_class, "Meta", None), "model", None)
    for name, field in serializer.fields.items():
        if field.read_only or not isinstance(field, serializers.CharField):
            continue
        where = f"{label(serializer_class)}.{name}"
        if where in RESPONSE_ONLY_FIELDS:
            continue
        source = field.source if field.source not in ("*", None) else name
        if model is not None and "." not in source and model_limit(model, source) is not None:
            assert field.max_length == model_limit(model, source), where
            continue
        allowed = {limit.input_length for limit in declared_for_name(name)}
        if allowed:
            assert field.max_length in allowed, (where, field.max_length, allowed)


def test_the_walk_finds_the_forms_and_serializers_that_take_text():
    names = {label(cls) for cls in FORMS + SERIALIZERS}
    assert {
        "contacts.forms_record.ContactDetailsForm",
        "contacts.forms_marf.ConsentForm",
        "enquiries.forms_agency.ReturnForm",
        "deadlines.forms_settings.ClosureDayForm",
        "agencies.forms.UserCreateForm",
        "contacts.api.intake.ContactIntakeSerializer",
        "contacts.api.intake.PersonIntakeSerializer",
        "enquiries.api.serializers.InformationReturnInputSerializer",
        "contacts.api.serializers.RecommendSerializer",
    } <= names


@pytest.mark.parametrize("key", sorted(limits.MODEL_FIELDS))
def test_every_declared_model_field_agrees_with_its_declaration(key):
    app_label, model_name, name = key.split(".")
    field = apps.get_model(app_label, model_name)._meta.get_field(name)
    declared = limits.MODEL_FIELDS[key]
    assert field.max_length == declared.max_length
    # A form built from the model takes no more, and model validation refuses more.
    assert field.formfield().max_length == declared.max_length
    assert any(
        isinstance(v, MaxLengthValidator) and v.limit_value == declared.max_length
        for v in field.validators
    )


def test_every_text_field_people_write_in_the_case_models_is_declared():
    undeclared = []
    for app_label in ("contacts", "enquiries", "agencies"):
        for model in apps.get_app_config(app_label).get_models():
            for field in model._meta.get_fields():
                if not isinstance(field, (models.CharField, models.TextField)):
                    continue
                if field.choices or not field.editable or field.name == "password":
                    continue
                key = f"{app_label}.{model.__name__}.{field.name}"
                if key not in limits.MODEL_FIELDS and key != "agencies.SignedInSession.session_key":
                    undeclared.append(key)
    assert undeclared == []


# --- The API's own description: every text a caller sends has a maxLength ------------------


def _strings(schema: dict, components: dict, path: str) -> Iterator[tuple[str, dict]]:
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    for part in schema.get("allOf", []) + schema.get("oneOf", []):
        yield from _strings(part, components, path)
    if schema.get("type") == "object":
        for name, child in schema.get("properties", {}).items():
            if not child.get("readOnly"):
                yield from _strings(child, components, f"{path}.{name}")
    elif schema.get("type") == "array":
        yield from _strings(schema.get("items", {}), components, f"{path}[]")
    elif (
        schema.get("type") == "string"
        and "enum" not in schema
        and schema.get("format") not in ("date", "date-time", "binary")
    ):
        yield path, schema


@pytest.mark.django_db
def test_every_text_the_api_takes_has_a_limit_in_its_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    unbounded = []
    for url, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query" or parameter["name"] in OPAQUE_PARAMETERS:
                    continue
                for where, string in _strings(parameter["schema"], components, ""):
                    if "maxLength" not in string:
                        unbounded.append(f"{method} {url} ?{parameter['name']}{where}")
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                for where, string in _strings(body["schema"], components, "body"):
                    if "maxLength" not in string:
                        unbounded.append(f"{method} {url} {where}")
    assert unbounded == []


# --- The MARF ---------------------------------------------------------------------------------


def test_the_marfs_accounts_with_their_headings_fit_in_the_narrative():
    accounts = [q for q in CONCERN.questions if q.kind == "textarea"]
    headed = sum(limits.by_name(q.name).input_length + len(q.label) + 4 for q in accounts)
    assert headed <= limits.NARRATIVE.max_length


def test_every_marf_question_that_fills_a_field_takes_its_limit():
    from contacts.forms_marf import question_max_length

    for section in SECTIONS:
        for question in section.questions:
            if question.kind in ("text", "tel", "email", "textarea"):
                limit = limits.by_name(question.name)
                assert limit is not None, f"{question.name}: declare its limit in mash.limits"
                assert question_max_length(question) == limit.input_length


# --- What a user notices ----------------------------------------------------------------------


def record_data(**overrides) -> dict:
    data = {
        "channel": "phone",
        "source": "3A",
        "referring_agency": "",
        "referrer_name": "Dr Patel",
        "concerns": ["neglect"],
        "narrative": "Mother presented in crisis; baby not brought to appointments.",
        "consent": "not_given",
        "consent_detail": "Shared to protect the child.",
        "subject-TOTAL_FORMS": "3",
        "subject-INITIAL_FORMS": "0",
        "subject-MIN_NUM_FORMS": "1",
        "subject-MAX_NUM_FORMS": "3",
        "subject-0-given_name": "Maisie",
        "subject-0-family_name": "Wilson",
        "subject-0-date_of_birth": "2019-06-08",
    }
    data.update(overrides)
    return data


def api_item(**overrides) -> dict:
    item = {
        "source": "6",
        "channel": "police_notification",
        "subjects": [{"given_name": "Maisie", "family_name": "Wilson"}],
        "concerns": ["neglect"],
        "narrative": "Police attended a domestic incident; the child was present.",
        "consent": "not_given",
        "consent_detail": "Shared to protect the child.",
    }
    item.update(overrides)
    return item


def error_summary(response) -> str:
    page = response.content.decode()
    start = page.index('class="govuk-error-summary"')
    return page[start : page.index("</ul>", start)]


@pytest.mark.django_db
def test_the_hub_contact_form_refuses_a_100000_character_consent_detail(client_for, hub_worker):
    response = client_for(hub_worker).post(
        "/contacts/new/",
        record_data(consent_detail="x" * 100_000) | submission_token(hub_worker, "record_contact"),
    )
    assert response.status_code == 400
    summary = error_summary(response)
    assert "Lawful basis or reason must be 5,000 characters or fewer" in summary
    assert 'href="#id_consent_detail"' in summary
    assert not Contact.objects.exists() and not Person.objects.exists()


@pytest.mark.django_db
def test_the_hub_contact_form_refuses_an_over_long_narrative_and_subject_name(
    client_for, hub_worker
):
    response = client_for(hub_worker).post(
        "/contacts/new/",
        record_data(narrative="x" * 20_001, **{"subject-0-family_name": "W" * 101})
        | submission_token(hub_worker, "record_contact"),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "What the referrer told us must be 20,000 characters or fewer" in page
    assert "Family name must be 100 characters or fewer" in page
    assert not Contact.objects.exists() and not Person.objects.exists()


@pytest.mark.django_db
def test_the_form_and_the_api_take_and_refuse_the_same_consent_detail(
    client_for, api_for, hub_worker
):
    at_limit = "x" * limits.CONSENT_DETAIL.max_length
    token = submission_token(hub_worker, "record_contact")
    page = client_for(hub_worker).post(
        "/contacts/new/", record_data(consent_detail=at_limit) | token
    )
    assert page.status_code == 302
    api = api_for(hub_worker)
    sent = api.post("/api/v1/contacts/", api_item(consent_detail=at_limit), format="json")
    assert sent.status_code == 201
    assert [c.consent_detail for c in Contact.objects.all()] == [at_limit, at_limit]

    over = at_limit + "x"
    refused = api.post("/api/v1/contacts/", api_item(consent_detail=over), format="json")
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["consent_detail"]
    token = submission_token(hub_worker, "record_contact")
    page = client_for(hub_worker).post("/contacts/new/", record_data(consent_detail=over) | token)
    assert page.status_code == 400
    assert Contact.objects.count() == 2


@pytest.mark.django_db
def test_the_api_refuses_an_over_long_subject_field_naming_it(api_for, hub_worker):
    subject = {"given_name": "Maisie", "family_name": "Wilson", "address": "1 High St " * 51}
    response = api_for(hub_worker).post(
        "/api/v1/contacts/", api_item(subjects=[subject]), format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["subjects[0].address"]
    assert not Contact.objects.exists() and not Person.objects.exists()


@pytest.mark.django_db
def test_the_marf_refuses_an_over_long_answer_naming_the_field_and_keeps_nothing(
    client_for, referrer
):
    from tests.test_marf import ABOUT, CONCERN, HOUSEHOLD, marf_draft, people_post, person

    client = client_for(referrer)
    for page, data in (
        ("about-you", ABOUT),
        ("people", people_post(person(0))),
        ("concern", CONCERN),
        ("household", HOUSEHOLD),
    ):
        assert client.post(f"/marf/{page}/", data).status_code == 302
    over = {"consent": "not_given", "consent_detail": "x" * 5_001}
    response = client.post("/marf/consent/", over)
    assert response.status_code == 400
    summary = error_summary(response)
    assert "Lawful basis or reason must be 5,000 characters or fewer" in summary
    assert "consent" not in marf_draft(referrer)

    long_account = {**CONCERN, "what_happened": "x" * 10_001}
    response = client.post("/marf/concern/", long_account)
    assert response.status_code == 400
    assert "What happened must be 10,000 characters or fewer" in error_summary(response)
    assert marf_draft(referrer)["concern"]["what_happened"] == CONCERN["what_happened"]
    assert not Contact.objects.exists() and not Marf.objects.exists()
