"""Input found by crawling and fuzzing that used to be a 500: each is now a clear 4xx.

- a format suffix on an API route (`/api/v1/people/search.json/`), which reached the action as
  an argument it does not take;
- a JSON body nested 1,000 deep (RecursionError in the decoder), on any JSON endpoint;
- the admin's TOTP device config and QR code pages for a device that does not exist;
- a NUL byte in a text field or a query string (PostgreSQL refuses NUL in text).
"""

import json
import re

import pytest
from django.urls import URLPattern, URLResolver
from django_otp.plugins.otp_totp.models import TOTPDevice

from contacts.models import Contact, Person
from mash.api import urls as api_urls
from mash.api.parsers import MAX_DEPTH
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/"
CONTACTS = "/api/v1/contacts/"


def valid_item(**overrides) -> dict:
    values = {
        "source": "6",
        "channel": "police_notification",
        "subjects": [{"given_name": "Amira", "family_name": "Hussain"}],
        "concerns": ["domestic_abuse"],
        "narrative": "Police attended a domestic incident; the child was present.",
        "consent": "given",
    }
    values.update(overrides)
    return values


def nested(depth: int) -> str:
    """A JSON body whose `subjects` is a list nested `depth` levels deep."""
    return json.dumps(valid_item(subjects="@")).replace('"@"', "[" * depth + "]" * depth)


def api_paths() -> list[str]:
    """Every route of the API's router, with its ids filled in (`people/search/`,
    `contacts/1/decide/`, `enquiries/1/information-requests/1/`, ...)."""
    paths = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
            if isinstance(pattern, URLResolver):  # an app's own API urls, included
                walk(pattern.url_patterns, route)
                continue
            assert isinstance(pattern, URLPattern)
            route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
            paths.append(re.sub(r"<(?:\w+:)?\w+>", "1", route))

    walk(api_urls.urlpatterns, "")
    return sorted(set(paths))


def test_the_router_routes_are_found():
    paths = api_paths()
    assert "people/search/" in paths
    assert "contacts/1/decide/" in paths
    assert "reporting/kpis/" in paths


# --- Format suffixes ------------------------------------------------------------------------


def test_person_search_with_a_json_suffix_is_a_404_not_a_500(api_for, hub_worker):
    api = api_for(hub_worker)
    response = api.get(f"{API}people/search.json/?q=smith")
    assert response.status_code == 404
    assert response.json() == {"detail": "Page not found", "errors": {}}
    # The search itself still answers.
    assert api.get(f"{API}people/search/?q=smith").status_code == 200


@pytest.mark.parametrize("path", api_paths())
def test_no_api_route_fails_with_a_json_suffix(api_for, hub_worker, path):
    api = api_for(hub_worker)
    suffixed = f"{API}{path.rstrip('/')}.json/"
    for method in (api.get, api.post):
        response = method(suffixed, {}, format="json")
        assert 400 <= response.status_code < 500, (method, suffixed, response.status_code)
        assert set(response.json()) == {"detail", "errors"}


# --- Deeply nested JSON ---------------------------------------------------------------------


@pytest.mark.parametrize("depth", [1_000, 5_000])
def test_a_body_nested_a_thousand_deep_is_a_400_in_the_error_shape(api_for, hub_worker, depth):
    response = api_for(hub_worker).post(CONTACTS, nested(depth), content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert "nested" in body["detail"]
    assert not Contact.objects.exists() and not Person.objects.exists()


def test_a_body_just_over_the_depth_limit_is_refused_and_one_within_it_is_validated(
    api_for, hub_worker
):
    api = api_for(hub_worker)
    too_deep = api.post(CONTACTS, nested(MAX_DEPTH), content_type="application/json")
    assert too_deep.status_code == 400
    assert "nested" in too_deep.json()["detail"]
    # Within the limit, the serializer says what is wrong with the field.
    shallow = api.post(CONTACTS, nested(3), content_type="application/json")
    assert shallow.status_code == 400
    assert [key for key in shallow.json()["errors"] if key.startswith("subjects")]
    assert not Contact.objects.exists()


@pytest.mark.parametrize("path", api_paths())
def test_no_api_route_fails_on_a_deeply_nested_body(api_for, manager, path):
    response = api_for(manager).post(f"{API}{path}", nested(1_000), content_type="application/json")
    assert 400 <= response.status_code < 500, (path, response.status_code)
    assert set(response.json()) == {"detail", "errors"}


# --- NUL bytes ------------------------------------------------------------------------------


def test_a_nul_byte_in_a_text_field_is_a_400_naming_the_field(api_for, hub_worker):
    response = api_for(hub_worker).post(
        CONTACTS, valid_item(narrative="Seen at school\x00 today."), format="json"
    )
    assert response.status_code == 400
    assert "narrative" in response.json()["errors"]
    assert not Contact.objects.exists()


def test_a_nul_byte_in_a_subject_name_is_a_400_naming_the_field(api_for, hub_worker):
    item = valid_item(subjects=[{"given_name": "Am\x00ira", "family_name": "Hussain"}])
    response = api_for(hub_worker).post(CONTACTS, item, format="json")
    assert response.status_code == 400
    assert "subjects[0].given_name" in response.json()["errors"]
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    "query, field",
    [
        ("people/search/?q=smi%00th", "q"),
        ("contacts/?source=%00", "source"),
        ("contacts/?concern=neglect%00", "concern"),
        ("reporting/kpis/?from=2026-01-01%00&to=2026-02-01", "from"),
        ("reporting/kpis/?period=last_quarter%00", "period"),
    ],
)
def test_a_nul_byte_in_a_query_parameter_is_a_400_naming_it(api_for, manager, query, field):
    response = api_for(manager).get(f"{API}{query}")
    assert response.status_code == 400
    assert field in response.json()["errors"]


@pytest.mark.parametrize("path", api_paths())
def test_no_api_route_fails_on_nul_bytes_in_its_query_string(api_for, manager, path):
    query = "q=%00&cursor=abc%00&source=%00&state=%00&mine=%00&from=%00&to=%00&kpis=K1%00"
    response = api_for(manager).get(f"{API}{path}?{query}")
    assert response.status_code < 500, (path, response.status_code)


# --- The admin's TOTP device pages ----------------------------------------------------------


@pytest.fixture
def root_client(client):
    root = UserFactory(username="root", role="administrator", is_superuser=True, is_staff=True)
    client.force_login(root, backend="django.contrib.auth.backends.ModelBackend")
    return client, root


@pytest.mark.parametrize("page", ["config", "qrcode"])
def test_the_totp_device_pages_of_a_missing_device_are_a_404(root_client, page):
    client, _root = root_client
    response = client.get(f"/admin/otp_totp/totpdevice/999999/{page}/")
    assert response.status_code == 404


def test_the_totp_device_config_page_of_an_existing_device_still_shows(root_client):
    client, root = root_client
    device = TOTPDevice.objects.create(user=root, name="Phone", confirmed=True)
    response = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/")
    assert response.status_code == 200
    assert f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/" in response.content.decode()
