"""A police domestic abuse notification to the schools' key adults, end to end in real Chromium
(issue 13's first "Must show").

Police send a high risk notification about two children (Amira, present; Yusuf, not present)
through the real API of the live server, with their system's token. The next morning the chair
(a hub manager) runs the daily triage meeting with police and education attending, agrees a MASH
enquiry (Red) with a MARAC referral, and confirms: the contact is decided and an enquiry is open.
Each child's school's key adult then sees their own pupil's Operation Encompass notice and no
other, opens it (the child, when, that police attended, whether present: nothing about the
adults, the risk level or the police reference), and acknowledges it. A key adult opening the
other school's notice gets 404. Every page reached is checked with axe-core.

Time: the notification is sent at 21:30 the evening before (time_machine moves the whole process,
the live server's thread included, for that request only); the meeting and the schools' part run
at the real time of the test run, in a browser whose clock is never moved.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
import time_machine
from django.utils import dateformat, timezone
from playwright.sync_api import Page, expect

from agencies.roles import Role
from contacts.models import Contact, Person
from domestic_abuse.models import DaNotification, TriageMeeting
from encompass.models import EncompassNotice
from enquiries.models import Enquiry
from schools.models import Phase
from tests.factories import PASSWORD, PersonFactory, UserFactory
from tests.schools_factories import SchoolFactory, education_agency, key_adult_of

from .helpers import axe_check, goto, sign_in, sign_out, submit

pytestmark = pytest.mark.browser

LONDON = ZoneInfo("Europe/London")
SCREENS = Path("/tmp/screens/da")
OCCURRENCE = "OCC-E2E-0001"
YUSUF_NHS = "9434765919"
#: What a school must never be shown: the adults' names, the risk level, the police reference.
NOT_FOR_SCHOOLS = ["Sara", "Begum", "Daniel", "Reed", "DASH", "High", "high risk", OCCURRENCE]


def evening_before() -> datetime:
    """21:30 (London) yesterday: when the police system sends the notification."""
    yesterday = timezone.localdate() - timedelta(days=1)
    return datetime.combine(yesterday, time(21, 30), tzinfo=LONDON)


def notification_payload(incident_at: datetime) -> dict:
    return {
        "occurrence_reference": OCCURRENCE,
        "incident_at": incident_at.isoformat(),
        "dash_risk": "high",
        "victim": {
            "given_name": "Sara",
            "family_name": "Begum",
            "date_of_birth": "1990-02-01",
            "address": "12 Mill Lane, Leeds",
            "postcode": "LS1 4AP",
            "relationship": {"type": "parent", "to_child": 0},
        },
        "perpetrator": {
            "given_name": "Daniel",
            "family_name": "Reed",
            "date_of_birth": "1988-07-09",
            "in_household": False,
        },
        "children": [
            {  # new to the hub: her school comes with the notification
                "given_name": "Amira",
                "family_name": "Khan",
                "date_of_birth": "2017-05-04",
                "address": "12 Mill Lane, Leeds",
                "postcode": "LS1 4AP",
                "school_urn": "100001",
                "present": True,
            },
            {  # known to the hub (matched by NHS number), his school already recorded
                "given_name": "Yusuf",
                "family_name": "Khan",
                "date_of_birth": "2012-11-12",
                "nhs_number": YUSUF_NHS,
                "postcode": "LS1 4AP",
                "present": False,
            },
        ],
        "narrative": "Police attended a verbal and physical argument at the home.",
    }


def police_send(base_url: str, token: str, incident_at: datetime) -> dict:
    """The police system's request, over HTTP to the live server, as their system would send it."""
    response = requests.post(
        f"{base_url}/api/v1/da-notifications/",
        json=notification_payload(incident_at),
        headers={"Authorization": f"Token {token}", "Accept": "application/json"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return response.json()


def screenshots(page: Page, name: str) -> None:
    """The page as it is, at 1280 and 390 px wide (no navigation: the document axe checked)."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 720})


def test_police_notification_to_meeting_to_both_schools_key_adults(
    page: Page, base_url: str, manager, agency_a
) -> None:
    from rest_framework.authtoken.models import Token

    northfield = SchoolFactory(urn="100001", name="Northfield Primary", phase=Phase.PRIMARY)
    southfield = SchoolFactory(urn="100002", name="Southfield Academy", phase=Phase.SECONDARY)
    education = education_agency()
    dsl_north = key_adult_of(northfield, username="dsl.northfield", agency=education)
    dsl_south = key_adult_of(southfield, username="dsl.southfield", agency=education)
    PersonFactory(
        given_name="Yusuf",
        family_name="Khan",
        nhs_number=YUSUF_NHS,
        current_school=southfield,
        postcode="LS1 4AP",
    )
    police_system = UserFactory(
        username="police.system", agency=agency_a, role=Role.AGENCY_RESEARCHER
    )
    token = Token.objects.create(user=police_system).key

    # --- The police system sends the notification, the evening before ---------------------------
    sent_at = evening_before()
    incident_at = sent_at - timedelta(minutes=45)
    with time_machine.travel(sent_at, tick=True):
        receipt = police_send(base_url, token, incident_at)
    notification = DaNotification.objects.select_related("contact").get(
        occurrence_reference=OCCURRENCE
    )
    assert receipt["id"] == notification.pk
    assert notification.dash_risk == "high" and notification.police_agency == agency_a
    assert not notification.contact.is_decided
    assert abs(notification.contact.received_at - sent_at) < timedelta(minutes=5)
    assert {(c.person.given_name, c.present) for c in notification.children.all()} == {
        ("Amira", True),
        ("Yusuf", False),
    }
    assert Person.objects.get(given_name="Amira").current_school == northfield
    assert Person.objects.filter(given_name="Yusuf").count() == 1  # matched, not duplicated
    notices = {n.child.given_name: n for n in EncompassNotice.objects.select_related("child")}
    assert {name: n.school for name, n in notices.items()} == {
        "Amira": northfield,
        "Yusuf": southfield,
    }
    reference = notification.contact.reference

    # --- The next morning: the chair runs the daily triage meeting --------------------------------
    sign_in(page, base_url, manager.username, PASSWORD)
    goto(page, "/da-meetings/")
    expect(page.get_by_test_id("waiting")).to_contain_text("1 notification waiting")
    submit(page, page.get_by_role("button", name="Start today's meeting"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Daily triage meeting")
    expect(page.get_by_test_id("progress")).to_have_text("0 of 1 agreed")
    section = page.locator(f"#da-{notification.pk}")
    expect(section).to_contain_text(reference)
    expect(section).to_contain_text("Amira Khan: present (witnessed)")
    expect(section).to_contain_text("Yusuf Khan: not present (normally lives there)")

    for agency, name in ((agency_a, "DS Patel"), (education, "Ann Lee")):
        form = page.get_by_test_id("attendee-form")
        form.get_by_label("Agency").select_option(str(agency.pk))
        form.get_by_label("Name").fill(name)
        submit(page, form.get_by_role("button", name="Add attendee"))
        expect(page.get_by_test_id("attendees")).to_contain_text(name)
    attendees = page.get_by_test_id("attendees")
    expect(attendees).to_contain_text(agency_a.name)
    expect(attendees).to_contain_text(education.name)

    section = page.locator(f"#da-{notification.pk}")
    section.get_by_label("MASH enquiry", exact=True).check()
    section.get_by_label("Red", exact=True).check()
    section.get_by_label("Refer to MARAC (high risk)").check()
    section.get_by_label("Rationale").fill(
        "Serious assault with Amira present; Yusuf lives there. Refer to MARAC."
    )
    submit(page, section.get_by_role("button", name="Save"))
    expect(page.get_by_test_id("progress")).to_have_text("1 of 1 agreed")
    expect(page.locator(f"#da-{notification.pk}").get_by_test_id("saved")).to_be_visible()
    screenshots(page, "meeting-agreed")

    submit(page, page.get_by_role("button", name="Confirm meeting"))
    expect(page.get_by_role("main")).to_contain_text("The meeting is confirmed")
    expect(page.get_by_test_id("meeting-state")).to_have_text("Confirmed")
    agreed = page.get_by_test_id("agreed")
    expect(agreed).to_contain_text("MASH enquiry (Red)")
    expect(agreed).to_contain_text("MARAC referral")
    expect(agreed).to_contain_text("Yes")
    screenshots(page, "meeting-confirmed")

    # The contact is decided and its enquiry open, in the pages and in the database.
    submit(page, page.get_by_role("link", name=f"Open contact {reference}"))
    expect(page.get_by_test_id("contact-state")).to_contain_text("Decided")
    submit(page, page.get_by_test_id("enquiry-link"))
    expect(page.get_by_test_id("enquiry-state")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(reference)

    meeting = TriageMeeting.objects.get()
    assert meeting.is_confirmed and meeting.date == timezone.localdate()
    assert set(meeting.attendees.values_list("agency_id", "name")) == {
        (agency_a.pk, "DS Patel"),
        (education.pk, "Ann Lee"),
    }
    contact = Contact.objects.get(pk=notification.contact_id)
    assert contact.is_decided and contact.outcome == "MASH_ENQUIRY"
    enquiry = Enquiry.objects.get(contact=contact)
    assert not enquiry.is_closed and enquiry.rag == "RED"
    assert DaNotification.objects.get(pk=notification.pk).marac_referral is True
    sign_out(page)

    # --- Each school's key adult: their own pupil's notice only, and acknowledge -----------------
    when = dateformat.format(timezone.localtime(incident_at), "l j F Y, H:i")
    pupils = (
        (dsl_north, notices["Amira"], "Amira Khan", "Yusuf Khan", "Yes, the pupil was present"),
        (dsl_south, notices["Yusuf"], "Yusuf Khan", "Amira Khan", "No, the pupil was not present"),
    )
    for key_adult, notice, pupil, other_pupil, present in pupils:
        sign_in(page, base_url, key_adult.username, PASSWORD)
        expect(page.get_by_role("heading", level=1)).to_have_text("Your school's notices")
        rows = page.get_by_test_id("notice-row")
        expect(rows).to_have_count(1)
        expect(rows).to_contain_text(pupil)
        expect(page.get_by_role("main")).not_to_contain_text(other_pupil)
        expect(rows).to_contain_text("To acknowledge")

        submit(page, rows.get_by_role("link", name=pupil))
        assert page.url.endswith(f"/encompass/notices/{notice.pk}/")
        expect(page.get_by_test_id("child")).to_have_text(pupil)
        expect(page.get_by_test_id("incident-at")).to_have_text(when)
        expect(page.get_by_test_id("police-attended")).to_contain_text("police attended")
        expect(page.get_by_test_id("present")).to_have_text(present)
        main = page.get_by_role("main").inner_text()
        for text in [*NOT_FOR_SCHOOLS, other_pupil, reference]:
            assert text not in main, f"{key_adult.username}'s notice shows {text!r}"
        if key_adult is dsl_north:
            screenshots(page, "notice")

        submit(page, page.get_by_role("button", name="Acknowledge"))
        expect(page.get_by_role("main")).to_contain_text("You acknowledged this notice.")
        expect(page.get_by_test_id("acknowledged")).to_contain_text(
            f"Acknowledged by {key_adult.display_name}"
        )
        expect(page.get_by_test_id("acknowledge")).to_have_count(0)
        notice.refresh_from_db()
        assert notice.acknowledged_at is not None and notice.acknowledged_by == key_adult
        assert notice.opened_at is not None
        if key_adult is dsl_north:
            screenshots(page, "notice-acknowledged")

        # Back home, the one notice is acknowledged.
        submit(page, page.get_by_role("link", name="Back to your school's notices"))
        expect(page.get_by_test_id("notice-row")).to_have_count(1)
        expect(page.get_by_test_id("notice-row")).to_contain_text("Acknowledged")

        if key_adult is dsl_north:
            # The other school's notice, by its address: not found, and nothing recorded.
            response = goto(page, f"/encompass/notices/{notices['Yusuf'].pk}/")
            assert response is not None and response.status == 404
            expect(page.get_by_role("main")).not_to_contain_text("Yusuf")
            assert EncompassNotice.objects.get(pk=notices["Yusuf"].pk).opened_at is None
            goto(page, "/")
        sign_out(page)

    assert EncompassNotice.objects.filter(acknowledged_at__isnull=False).count() == 2
    axe_check(page)
