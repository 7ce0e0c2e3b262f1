"""A school key adult's view is their own school's notices, nothing else (DOMAIN.md, "Roles";
issue 13, "Isolation"). Walks the URL resolver, so a page or API added later is covered too:
every page and API address answers a key adult 404 (GET and POST; or 405 where the address takes
only the other method, refused before any record is read, for everyone alike), but the few that
are every signed-in user's own (their home, signing in and out, their notifications), below."""

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from agencies.roles import AGENCY_ROLES, HUB_ROLES, REPORTING_ROLES, Role
from contacts.models import Contact, Person
from contacts.selectors import contacts_visible_to, people_visible_to
from enquiries.selectors import enquiries_visible_to, information_requests_visible_to
from notes import services as note_services
from schools.selectors import schools_visible_to
from tests.schools_factories import SchoolFactory, key_adult_of
from tests.test_agency_pages import ask, open_enquiry, send_return

pytestmark = pytest.mark.django_db

#: Addresses a key adult may reach, and why: each is the signed-in user's own, or public.
OWN_OR_PUBLIC = {
    "home": "their home page: their school's notices",
    "healthz": "public health check (no details without the administrator role)",
    "login": "signing in",
    "logout": "signing out",
    "two_factor": "their own second factor",
    "keep_alive": "keeping their own session alive",
    "notifications": "their own notifications (none for a key adult yet)",
    "mark_all_read": "their own notifications",
    "preferences": "their own notification preferences",
    "notification-list": "their own notifications, through the API",
    "encompass-notice-list": "their own school's Encompass notices, through the API",
    "api-schema": "the API's public description",
    "api-docs": "the API's public description",
}
#: Django's admin site answers non-staff with its sign-in page (key adults are never staff).
ADMIN_PREFIX = "admin/"


def _routes() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []

    def walk(patterns, prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            else:
                assert isinstance(pattern, URLPattern)
                found.append((route, pattern.name or ""))

    walk(get_resolver().url_patterns, "")
    return found


PARAM = re.compile(r"\(\?P<(?P<rname>\w+)>[^)]*\)|<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


@pytest.fixture
def records(hub_worker, manager, agency_a, researcher_a):
    """One of each record a key adult must never reach, with real ids."""
    enquiry = open_enquiry(hub_worker, manager)
    request = ask(enquiry, agency_a, hub_worker)
    send_return(request, researcher_a)
    contact = enquiry.contact
    person = Person.objects.get(given_name="Kayden", family_name="Marlowe")
    note = note_services.note_add(
        enquiry=enquiry, user=hub_worker, kind="phone_call", text="Called the school."
    )
    return {
        "person": person,
        "contact": contact,
        "enquiry": enquiry,
        "request": request,
        "note": note,
        "user": hub_worker,
        "agency": agency_a,
        "school": SchoolFactory(),
    }


#: The literal address segment before an id, and the record it names.
SEGMENT_RECORD = {
    "people": "person",
    "contacts": "contact",
    "enquiries": "enquiry",
    "requests": "request",
    "information-requests": "request",
    "returns": "request",
    "notes": "note",
    "users": "user",
    "agencies": "agency",
    "schools": "school",
    "marfs": "contact",
    "sent": "contact",
}
NAMED_RECORD = {
    "request_pk": "request",
    "request_id": "request",
    "contact_id": "contact",
    "enquiry_id": "enquiry",
    "person_id": "person",
}
OTHER_VALUES = {
    "kind": "contact_decision",
    "rag": "red",
    "step": "child",
    "kpi_id": "K1",
    "breakdown": "source",
    "fmt": "csv",
    "url": "",
}


def _address(route: str, records: dict) -> str:
    def value(match: re.Match) -> str:
        name = match["rname"] or match["name"]
        if match["conv"] == "uuid" or name == "job_id":
            return str(uuid.uuid4())
        if name in NAMED_RECORD:
            return str(records[NAMED_RECORD[name]].pk)
        if name in OTHER_VALUES:
            return OTHER_VALUES[name]
        before = route[: match.start()].rstrip("/").replace("^", "").split("/")[-1]
        record = records.get(SEGMENT_RECORD.get(before, "contact"))
        return str(record.pk)

    path = PARAM.sub(value, route)
    return "/" + path.replace("^", "").replace("$", "").replace("\\.", ".")


def _addresses(records: dict) -> list[tuple[str, str]]:
    urls = []
    for route, name in _routes():
        if route.startswith(ADMIN_PREFIX) and route != ADMIN_PREFIX:
            continue
        if "(?P<format>" in route:
            continue
        urls.append((_address(route, records), name))
    return urls


def test_the_new_role_is_in_no_role_set():
    for roles in (HUB_ROLES, AGENCY_ROLES, REPORTING_ROLES):
        assert Role.SCHOOL_KEY_ADULT not in roles


def test_a_key_adult_sees_no_record_through_any_selector(records):
    dsl = key_adult_of(SchoolFactory())
    assert not people_visible_to(dsl).exists()
    assert not contacts_visible_to(dsl).exists()
    assert not enquiries_visible_to(dsl).exists()
    assert not information_requests_visible_to(dsl).exists()
    assert not schools_visible_to(dsl).exists()


def test_the_walk_reaches_real_records(client_for, manager, researcher_a, records):
    """The addresses are built with real ids: the hub and the agency reach them."""
    hub = client_for(manager)
    for path in (
        f"/people/{records['person'].pk}/",
        f"/contacts/{records['contact'].pk}/",
        f"/enquiries/{records['enquiry'].pk}/",
        f"/people/{records['person'].pk}/chronology/",
    ):
        assert hub.get(path).status_code == 200, path
    assert client_for(researcher_a).get(f"/requests/{records['request'].pk}/").status_code == 200
    addresses = dict(_addresses(records))
    assert f"/contacts/{records['contact'].pk}/" in addresses
    assert f"/api/v1/enquiries/{records['enquiry'].pk}/information-requests/" in addresses


def test_a_key_adult_gets_404_on_every_page_and_api_but_their_own(client_for, api_for, records):
    dsl = key_adult_of(SchoolFactory(name="Northfield Primary"))
    browser, api = client_for(dsl), api_for(dsl)
    leaks = []
    for url, name in _addresses(records):
        if name in OWN_OR_PUBLIC:
            continue
        client = api if url.startswith("/api/") else browser
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if url == "/admin/":
                ok = response.status_code == 302 and "/login/" in response["Location"]
            else:
                # 405: the address takes only the other method, refused before any record is
                # looked at, for everyone alike.
                ok = response.status_code in (404, 405)
            if not ok:
                leaks.append((method.upper(), url, name, response.status_code))
    assert leaks == [], "\n".join(map(str, leaks))
    assert Contact.objects.count() == 1  # nothing was made by the posts


def test_a_key_adult_finds_no_names_on_the_pages_they_can_reach(client_for, records):
    dsl = key_adult_of(SchoolFactory(name="Northfield Primary"))
    browser = client_for(dsl)
    person = records["person"]
    for url in ("/", "/notifications/"):
        page = browser.get(url).content.decode()
        assert person.family_name not in page, url
    home = browser.get("/").content.decode()
    assert "Your school" in home and "Northfield Primary" in home
