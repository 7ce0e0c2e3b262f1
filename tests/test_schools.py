"""Schools (issue 13, item 3): the GIAS import (page and command), the administrators' school
pages, key adult accounts, the schools API, and a person's current school."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import User
from agencies.roles import Role
from contacts import services as contact_services
from contacts.models import Person, PersonCorrection
from mash.audit.models import AuditEvent
from schools.gias import phase_from_gias
from schools.models import Phase, School, SchoolStatus
from tests.factories import PersonFactory
from tests.schools_factories import (
    SchoolFactory,
    education_agency,
    gias_csv,
    gias_row,
    key_adult_of,
)

pytestmark = pytest.mark.django_db

IMPORT = "/staff/schools/import/"
OUTSIDERS = ["hub_worker", "manager", "researcher_a", "referrer", "board_member"]


def upload(client, content: bytes, name: str = "edubasealldata.csv"):
    return client.post(IMPORT, {"file": SimpleUploadedFile(name, content, "text/csv")})


def three_schools() -> bytes:
    return gias_csv(
        gias_row("100001", "Northfield Primary School"),
        gias_row(
            "100002",
            "Hillside Academy",
            kind="Academy converter",
            phase="All-through",
            low="4",
            high="18",
        ),
        gias_row(
            "100003",
            "Oak Tree Special School",
            kind="Community special school",
            phase="Not applicable",
            low="2",
            high="19",
        ),
    )


# --- GIAS phases ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phase", "kind", "high", "expected"),
    [
        ("Nursery", "Local authority nursery school", None, Phase.EARLY_YEARS),
        ("Primary", "Community school", None, Phase.PRIMARY),
        ("Middle deemed primary", "Foundation school", None, Phase.PRIMARY),
        ("Secondary", "Academy converter", None, Phase.SECONDARY),
        ("Middle deemed secondary", "Voluntary aided school", None, Phase.SECONDARY),
        ("All-through", "Free schools", None, Phase.SECONDARY),
        ("16 plus", "Sixth form centres", None, Phase.SECONDARY),
        ("Not applicable", "Community special school", None, Phase.SPECIAL),
        ("Primary", "Academy special converter", None, Phase.SPECIAL),
        ("Not applicable", "Pupil referral unit", None, Phase.ALTERNATIVE_PROVISION),
        ("Secondary", "Academy alternative provision converter", None, Phase.ALTERNATIVE_PROVISION),
        ("Not applicable", "Other independent school", 11, Phase.PRIMARY),
        ("Not applicable", "Other independent school", 18, Phase.SECONDARY),
        ("Not applicable", "Other independent school", None, None),
        ("Reception", "Community school", None, None),
    ],
)
def test_gias_phases_map_to_the_five_phases(phase, kind, high, expected):
    assert phase_from_gias(phase, kind, None, high) == expected


# --- Import through the page ------------------------------------------------------------------


def test_administrator_imports_schools_and_sees_the_counts(client_for, administrator):
    browser = client_for(administrator)
    response = upload(browser, three_schools())
    assert response.status_code == 200
    page = response.content.decode()
    assert "3 schools imported" in page
    assert "3 added, 0 updated, 0 unchanged" in page
    schools = {s.urn: s for s in School.objects.all()}
    assert schools["100001"].phase == Phase.PRIMARY
    assert schools["100002"].phase == Phase.SECONDARY  # all-through
    assert schools["100003"].phase == Phase.SPECIAL
    assert schools["100001"].local_authority == "Leeds"
    assert AuditEvent.objects.filter(name="schools.imported").get().data["created"] == 3

    changed = gias_csv(
        gias_row("100001", "Northfield Primary School", status="Closed"),
        gias_row(
            "100002",
            "Hillside Academy",
            kind="Academy converter",
            phase="All-through",
            low="4",
            high="18",
        ),
        gias_row(
            "100004", "Meadow Nursery", kind="Local authority nursery school", phase="Nursery"
        ),
    )
    page = upload(browser, changed).content.decode()
    assert "1 added, 1 updated, 1 unchanged" in page
    assert School.objects.get(urn="100001").status == SchoolStatus.CLOSED
    assert School.objects.get(urn="100004").phase == Phase.EARLY_YEARS
    assert School.objects.count() == 4  # 100003 is not in the file and is left as it was


def test_a_missing_column_is_named_and_nothing_is_stored(client_for, administrator):
    header = "URN,EstablishmentName,TypeOfEstablishment (name),EstablishmentStatus (name),Postcode"
    response = upload(client_for(administrator), gias_csv("100001,A,B,Open,LS1 4AP", header=header))
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "The file has no “PhaseOfEducation (name)” column." in page
    assert "The file has no “LA (name)” column." in page
    assert 'href="#id_file"' in page
    assert not School.objects.exists()


def test_bad_rows_are_listed_by_row_number_and_nothing_is_stored(client_for, administrator):
    content = gias_csv(
        gias_row("100001", "Good School"),
        gias_row("12AB", "Bad URN School"),
        gias_row("100003", "Unknown Status", status="Sleeping"),
        gias_row("100001", "Duplicate"),
        gias_row(
            "100005", "No Phase", kind="Other independent school", phase="Not applicable", high=""
        ),
    )
    response = upload(client_for(administrator), content)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Row 3, URN: “12AB” is not a 6-digit URN." in page
    assert (
        "Row 4, EstablishmentStatus (name): “Sleeping” is not a GIAS establishment status." in page
    )
    assert "Row 5, URN: URN 100001 is also on row 2." in page
    assert "Row 6, PhaseOfEducation (name)" in page
    assert not School.objects.exists()  # the good row too: all or nothing


def test_a_file_in_windows_1252_is_read(client_for, administrator):
    content = gias_csv(gias_row("100001", "École Saint-Père")).decode().encode("cp1252")
    response = upload(client_for(administrator), content)
    assert response.status_code == 200
    assert School.objects.get().name == "École Saint-Père"


def test_no_file_or_an_empty_file_is_refused_naming_the_field(client_for, administrator):
    browser = client_for(administrator)
    assert "Choose the GIAS file to import" in browser.post(IMPORT, {}).content.decode()
    response = upload(browser, b"")
    assert response.status_code == 400
    assert "The GIAS file is empty" in response.content.decode()


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_only_administrators_reach_the_school_pages(request, client_for, persona):
    school = SchoolFactory()
    browser = client_for(request.getfixturevalue(persona))
    for path in (
        "/staff/schools/",
        "/staff/schools/new/",
        IMPORT,
        "/staff/schools/holidays/",
        f"/staff/schools/{school.pk}/",
    ):
        assert browser.get(path).status_code == 404, path
    assert upload(browser, three_schools()).status_code == 404
    assert School.objects.count() == 1


# --- The command -----------------------------------------------------------------------------


def test_the_command_imports_and_reports_the_counts(tmp_path, capsys):
    path = tmp_path / "gias.csv"
    path.write_bytes(three_schools())
    call_command("import_schools", str(path))
    assert "Imported 3 schools: 3 added, 0 updated, 0 unchanged." in capsys.readouterr().out
    call_command("import_schools", str(path))
    assert "0 added, 0 updated, 3 unchanged" in capsys.readouterr().out


def test_the_command_names_a_missing_column_and_stores_nothing(tmp_path):
    path = tmp_path / "gias.csv"
    path.write_bytes(gias_csv("100001,Leeds", header="URN,LA (name)"))
    with pytest.raises(CommandError, match="no “EstablishmentName” column"):
        call_command("import_schools", str(path))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_schools", str(tmp_path / "missing.csv"))
    assert not School.objects.exists()


# --- The school pages ------------------------------------------------------------------------


def test_administrator_searches_schools_by_name_and_urn(client_for, administrator):
    SchoolFactory(urn="100001", name="Northfield Primary School")
    SchoolFactory(urn="200002", name="Southfield High School")
    SchoolFactory(urn="100003", name="Old Closed School", status=SchoolStatus.CLOSED)
    browser = client_for(administrator)
    page = browser.get("/staff/schools/", {"q": "northfield"}).content.decode()
    assert "Northfield Primary School" in page and "Southfield" not in page
    page = browser.get("/staff/schools/", {"q": "1000"}).content.decode()
    assert "Northfield" in page and "Old Closed School" in page and "Southfield" not in page
    page = browser.get("/staff/schools/", {"status": "closed"}).content.decode()
    assert "Old Closed School" in page and "Northfield" not in page


def _list_queries(browser) -> int:
    with CaptureQueriesContext(connection) as context:
        response = browser.get("/staff/schools/")
    assert response.status_code == 200
    return len(context.captured_queries)


def test_the_school_list_costs_the_same_queries_for_5_and_50_schools(client_for, administrator):
    browser = client_for(administrator)
    for index in range(5):
        key_adult_of(SchoolFactory(), username=f"dsl{index}")
    five = _list_queries(browser)
    for _ in range(45):
        SchoolFactory()
    assert _list_queries(browser) == five


def test_administrator_edits_a_school_but_not_its_urn(client_for, administrator):
    school = SchoolFactory(urn="100001", name="Northfield Primary")
    response = client_for(administrator).post(
        f"/staff/schools/{school.pk}/",
        {
            "urn": "999999",
            "name": "Northfield Primary Academy",
            "phase": Phase.PRIMARY,
            "status": SchoolStatus.CLOSED,
            "establishment_type": "Academy converter",
            "postcode": "LS1 4AP",
            "local_authority": "Leeds",
        },
    )
    assert response.status_code == 302
    school.refresh_from_db()
    assert (school.urn, school.name, school.status) == (
        "100001",
        "Northfield Primary Academy",
        "closed",
    )
    assert AuditEvent.objects.filter(name="school.updated", object_pk=str(school.pk)).exists()


def test_adding_a_school_with_a_bad_or_taken_urn_names_the_field(client_for, administrator):
    SchoolFactory(urn="100001")
    browser = client_for(administrator)
    data = {"name": "New School", "phase": Phase.PRIMARY, "status": SchoolStatus.OPEN}
    for urn, message in (
        ("12345", "6-digit DfE unique reference number"),
        ("100001", "A school with URN 100001 already exists."),
    ):
        response = browser.post("/staff/schools/new/", {**data, "urn": urn})
        assert response.status_code == 400
        page = response.content.decode()
        assert message in page and 'href="#id_urn"' in page
    assert School.objects.count() == 1
    assert browser.post("/staff/schools/new/", {**data, "urn": "100002"}).status_code == 302
    assert School.objects.filter(urn="100002", name="New School").exists()


# --- Key adult accounts ----------------------------------------------------------------------


def _new_user(**overrides) -> dict:
    return {
        "username": "dsl.northfield",
        "first_name": "Dana",
        "last_name": "Lead",
        "email": "dsl@northfield.example.org",
        "role": Role.SCHOOL_KEY_ADULT,
        "password": "lantern orchard seventy",
        **overrides,
    }


def test_administrator_creates_a_key_adult_for_a_school(client_for, administrator):
    school = SchoolFactory(urn="100001", name="Northfield Primary")
    agency = education_agency()
    browser = client_for(administrator)
    page = browser.get("/staff/users/new/").content.decode()
    assert "School (school key adults only)" in page and "Northfield Primary" in page
    response = browser.post("/staff/users/new/", _new_user(agency=agency.pk, school=school.pk))
    assert response.status_code == 302
    user = User.objects.get(username="dsl.northfield")
    assert (user.role, user.school, user.agency) == (Role.SCHOOL_KEY_ADULT, school, agency)
    # Not in the agency's group: no grant to the education agency reaches a key adult.
    assert not user.groups.filter(pk=agency.group_id).exists()
    assert (
        AuditEvent.objects.get(name="user.created", object_pk=str(user.pk)).data["school"]
        == "100001"
    )
    assert "Dana Lead" in browser.get(f"/staff/schools/{school.pk}/").content.decode()


def test_key_adult_needs_an_open_school_and_an_education_agency(
    client_for, administrator, agency_a
):
    open_school = SchoolFactory()
    closed = SchoolFactory(status=SchoolStatus.CLOSED)
    education = education_agency()
    browser = client_for(administrator)
    cases = [
        (
            _new_user(agency=education.pk),
            "id_school",
            "Choose the school this key adult works for.",
        ),
        (_new_user(agency=education.pk, school=closed.pk), "id_school", "Select a valid choice"),
        (
            _new_user(agency=agency_a.pk, school=open_school.pk),
            "id_agency",
            "A school key adult belongs to an education agency",
        ),
        (
            _new_user(agency=education.pk, school=open_school.pk, role=Role.REFERRER),
            "id_school",
            "Only a school key adult (DSL) is linked to a school.",
        ),
    ]
    for data, anchor, message in cases:
        response = browser.post("/staff/users/new/", data)
        page = response.content.decode()
        assert message in page, message
        assert f'href="#{anchor}"' in page
    assert not User.objects.filter(username="dsl.northfield").exists()


def test_the_school_field_is_shown_only_for_key_adults_when_editing(
    client_for, administrator, hub_worker
):
    school = SchoolFactory(name="Northfield Primary")
    dsl = key_adult_of(school)
    browser = client_for(administrator)
    assert (
        "School (school key adults only)"
        not in browser.get(f"/staff/users/{hub_worker.pk}/").content.decode()
    )
    assert (
        "School (school key adults only)" in browser.get(f"/staff/users/{dsl.pk}/").content.decode()
    )


def test_a_key_adult_made_a_referrer_loses_the_school(client_for, administrator):
    school = SchoolFactory()
    dsl = key_adult_of(school)
    response = client_for(administrator).post(
        f"/staff/users/{dsl.pk}/",
        {
            "first_name": dsl.first_name,
            "last_name": dsl.last_name,
            "email": dsl.email,
            "agency": dsl.agency_id,
            "role": Role.REFERRER,
            "school": school.pk,
        },
    )
    assert response.status_code == 302
    dsl.refresh_from_db()
    assert (dsl.role, dsl.school) == (Role.REFERRER, None)
    assert dsl.groups.filter(pk=dsl.agency.group_id).exists()


def test_a_key_adult_home_is_their_schools_notices(client_for):
    school = SchoolFactory(name="Northfield Primary")
    page = client_for(key_adult_of(school)).get("/").content.decode()
    assert "Your school&#x27;s notices" in page or "Your school's notices" in page
    assert "There are no notices for Northfield Primary." in page
    assert "Triage queue" not in page and "Make a referral" not in page


# --- The API ---------------------------------------------------------------------------------


def test_hub_staff_list_and_search_schools_through_the_api(api_for, hub_worker):
    SchoolFactory(urn="100001", name="Northfield Primary School")
    SchoolFactory(urn="200002", name="Southfield High School", phase=Phase.SECONDARY)
    SchoolFactory(urn="100003", name="Old Northfield School", status=SchoolStatus.CLOSED)
    api = api_for(hub_worker)
    names = [row["name"] for row in api.get("/api/v1/schools/").json()["results"]]
    assert names == ["Northfield Primary School", "Southfield High School"]  # open, by name
    rows = api.get("/api/v1/schools/", {"search": "field high"}).json()["results"]
    assert [r["urn"] for r in rows] == ["200002"]  # every word, anywhere in the name
    assert api.get("/api/v1/schools/", {"search": "north high"}).json()["results"] == []
    rows = api.get("/api/v1/schools/", {"search": "northfield", "status": "all"}).json()["results"]
    assert [r["urn"] for r in rows] == ["100001", "100003"]
    rows = api.get("/api/v1/schools/", {"search": "2000"}).json()["results"]
    assert rows[0] == {
        "id": rows[0]["id"],
        "urn": "200002",
        "name": "Southfield High School",
        "phase": "secondary",
        "status": "open",
        "establishment_type": "Community school",
        "postcode": "LS1 4AP",
        "local_authority": "Leeds",
    }
    bad = api.get("/api/v1/schools/", {"status": "sleeping"})
    assert bad.status_code == 400
    assert "status" in bad.json()["errors"]


@pytest.mark.parametrize("persona", ["researcher_a", "referrer", "board_member"])
def test_others_get_404_from_the_schools_api(request, api_for, persona):
    school = SchoolFactory()
    api = api_for(request.getfixturevalue(persona))
    assert api.get("/api/v1/schools/").status_code == 404
    assert api.get(f"/api/v1/schools/{school.pk}/").status_code == 404


def test_a_key_adult_gets_404_from_the_schools_api_even_for_their_own(api_for):
    school = SchoolFactory()
    api = api_for(key_adult_of(school))
    assert api.get("/api/v1/schools/").status_code == 404
    assert api.get(f"/api/v1/schools/{school.pk}/").status_code == 404


def test_the_schools_api_costs_the_same_queries_for_5_and_50(api_for, administrator):
    api = api_for(administrator)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert api.get("/api/v1/schools/", {"page_size": 100}).status_code == 200
        return len(context.captured_queries)

    SchoolFactory.create_batch(5)
    five = queries()
    SchoolFactory.create_batch(45)
    assert queries() == five


# --- A person's current school ----------------------------------------------------------------


def _correction(person, **overrides) -> dict:
    values = {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": person.date_of_birth.isoformat(),
        "gender": person.gender,
        "ethnicity": person.ethnicity,
        "address": person.address,
        "postcode": person.postcode,
        "school": person.school,
        "nhs_number": person.nhs_number,
        "upn": person.upn,
        "reason": "School confirmed by phone.",
        **overrides,
    }
    return {f"correct-{name}": value for name, value in values.items()}


def test_hub_chooses_a_persons_school_by_urn_or_name(client_for, hub_worker):
    northfield = SchoolFactory(urn="100001", name="Northfield Primary")
    hillside = SchoolFactory(urn="100002", name="Hillside Academy")
    child = PersonFactory(school="Northfield")
    browser = client_for(hub_worker)
    page = browser.get(f"/people/{child.pk}/").content.decode()
    assert '<option value="Northfield Primary (URN 100001)">' in page  # suggestions, no script

    response = browser.post(f"/people/{child.pk}/correct/", _correction(child, school="100001"))
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.current_school == northfield
    assert child.school == "Northfield Primary (URN 100001)"
    correction = PersonCorrection.objects.get(person=child, field="school")
    assert (correction.old_value, correction.new_value) == ("Northfield", child.school)
    assert AuditEvent.objects.filter(name="person.corrected", object_pk=str(child.pk)).exists()

    response = browser.post(
        f"/people/{child.pk}/correct/", _correction(child, school="hillside academy")
    )
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.current_school == hillside

    # The box left as the record has it changes nothing about the school.
    response = browser.post(
        f"/people/{child.pk}/correct/",
        _correction(child, school="Hillside Academy (URN 100002)", given_name="Amira"),
    )
    assert response.status_code == 302
    child.refresh_from_db()
    assert (child.given_name, child.current_school) == ("Amira", hillside)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("999999", "No school has the URN 999999: check the number."),
        ("12345", "A URN is 6 digits: check the number."),
        ("100009", "Closed School (URN 100009) is closed"),
        ("Nowhere Academy", "No open school is called “Nowhere Academy”"),
    ],
)
def test_a_school_that_does_not_exist_is_refused_naming_the_field(
    client_for, hub_worker, typed, message
):
    SchoolFactory(urn="100009", name="Closed School", status=SchoolStatus.CLOSED)
    child = PersonFactory(school="")
    response = client_for(hub_worker).post(
        f"/people/{child.pk}/correct/", _correction(child, school=typed, given_name="Changed")
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'href="#id_correct-school"' in page
    child.refresh_from_db()
    assert (child.current_school, child.given_name) == (None, child.given_name)
    assert child.given_name != "Changed"
    assert not PersonCorrection.objects.exists()


def test_the_api_free_text_school_links_a_urn(hub_worker):
    school = SchoolFactory(urn="100001")
    child = PersonFactory(school="")
    contact_services.person_correct(
        person=child, changes={"school": "100001"}, reason="r", corrected_by=hub_worker
    )
    child.refresh_from_db()
    assert (child.school, child.current_school) == ("100001", school)
    contact_services.person_correct(
        person=child, changes={"school": "Somewhere"}, reason="r", corrected_by=hub_worker
    )
    child.refresh_from_db()
    assert (child.school, child.current_school) == ("Somewhere", None)


def test_the_migration_links_free_text_urns_of_imported_schools():
    migration = importlib.import_module("contacts.migrations.0006_person_current_school_from_urn")
    school = SchoolFactory(urn="100001")
    urn_only = PersonFactory(school="100001")
    spaced = PersonFactory(school=" URN 100001 ")
    unknown = PersonFactory(school="100002")
    named = PersonFactory(school="Northfield Primary 100001")
    migration.link_people_to_schools(django_apps, None)
    for person in (urn_only, spaced, unknown, named):
        person.refresh_from_db()
    assert urn_only.current_school == school and spaced.current_school == school
    assert unknown.current_school is None and named.current_school is None


def test_an_import_links_people_recorded_with_the_new_schools_urn(client_for, administrator):
    child = PersonFactory(school="100001")
    page = upload(client_for(administrator), three_schools()).content.decode()
    assert "1 pupil recorded with a new school" in page
    child.refresh_from_db()
    assert child.current_school.urn == "100001"


# --- Intake: the school sent with a person ----------------------------------------------------


def test_intake_records_the_school_sent_by_urn(api_for, hub_worker):
    from tests.test_contacts_api import CONTACTS, item, subject

    school = SchoolFactory(urn="100001")
    response = api_for(hub_worker).post(
        CONTACTS, item(subjects=[subject(school_urn="100001")]), format="json"
    )
    assert response.status_code == 201, response.content
    child = Person.objects.get(family_name="Hussain")
    assert (child.current_school, child.school) == (school, "100001")


def test_intake_refuses_a_school_urn_that_does_not_exist_and_stores_nothing(api_for, hub_worker):
    from contacts.models import Contact
    from tests.test_contacts_api import CONTACTS, item, subject

    api = api_for(hub_worker)
    for urn, message in (("999999", "No school has the URN 999999."), ("12", "6 digits")):
        response = api.post(CONTACTS, item(subjects=[subject(school_urn=urn)]), format="json")
        assert response.status_code == 400
        errors = response.json()["errors"]
        assert any("school_urn" in key and message in str(value) for key, value in errors.items())
    assert not Contact.objects.exists()
    assert not Person.objects.exists()


def test_a_person_matched_by_upn_keeps_their_school(api_for, hub_worker):
    from tests.test_contacts_api import CONTACTS, item, subject

    first, second = SchoolFactory(urn="100001"), SchoolFactory(urn="100002")
    child = PersonFactory(
        given_name="Amira", family_name="Hussain", upn="A123456789012", current_school=first
    )
    no_school = PersonFactory(given_name="Sami", family_name="Hussain", upn="C223456789012")
    api = api_for(hub_worker)
    response = api.post(
        CONTACTS,
        item(
            subjects=[
                subject(nhs_number="", upn="A123456789012", school_urn="100002"),
                subject(given_name="Sami", nhs_number="", upn="C223456789012", school_urn="100002"),
            ]
        ),
        format="json",
    )
    assert response.status_code == 201, response.content
    child.refresh_from_db()
    no_school.refresh_from_db()
    assert child.current_school == first  # matched by UPN: keeps the school recorded
    assert no_school.current_school == second  # had none: takes the one sent
