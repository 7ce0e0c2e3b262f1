"""Pages that read at a glance (issue 12), measured in real Chromium: each section of an enquiry
with 5 requests and 10 history entries, and the triage queue, stay under 2,500 px tall at 1280 px
wide, and no page is wider than a 390 px phone screen (the returns table scrolls in its own
labelled region). Every page is checked with axe-core by the helpers."""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from agencies.models import Agency, AgencyKind
from contacts import services as contact_services
from contacts.codes import Outcome, Rag
from enquiries import services
from enquiries.models import Enquiry
from enquiries.services import ReturnInput
from tests.factories import PASSWORD, UserFactory, contact_input, person_input

from .helpers import goto, sign_in

pytestmark = pytest.mark.browser

MAX_HEIGHT = 2500
PHONE = 390
SECTIONS = ("", "people/", "requests/", "notes-and-documents/", "history/", "decision/")
LONG = (
    "Two domestic call-outs to the family home in March and April; the mother's partner was "
    "arrested once and released without charge; officers noted the children were present."
)


def busy_enquiry(hub_worker, manager) -> Enquiry:
    """An enquiry with 5 requests (3 returned with long answers, 2 outstanding) and a RAG change:
    10 history entries in all."""
    contact = contact_services.contact_create(
        data=contact_input(
            subjects=[
                person_input(
                    given_name="Tobias",
                    family_name="Wrenfield",
                    date_of_birth=date(2014, 9, 3),
                    postcode="LS6 2QT",
                )
            ]
        )
    )
    contact_services.contact_recommend(
        contact=contact,
        user=hub_worker,
        outcome=Outcome.MASH_ENQUIRY,
        rag=Rag.AMBER,
        rationale="Partner checks needed before deciding.",
    )
    contact_services.contact_decide(
        contact=contact, manager=manager, outcome=Outcome.MASH_ENQUIRY, rag=Rag.AMBER
    )
    enquiry = Enquiry.objects.get(contact=contact)
    kinds = list(AgencyKind)
    for n in range(5):
        agency = Agency.objects.create(
            name=f"Partner agency {n + 1}", code=f"PA{n}", kind=kinds[n % len(kinds)]
        )
        request = services.request_create(
            enquiry=enquiry,
            agency=agency,
            question=f"Question {n + 1}: what do your records hold about Tobias and his home?",
            people=list(enquiry.people.all()),
            requested_by=hub_worker,
        )
        if n < 3:
            researcher = UserFactory(agency=agency, role="agency_researcher")
            services.return_submit(
                request=request,
                data=ReturnInput(
                    information_held=True,
                    summary=LONG,
                    risk_indicators="Violence in the home; children present.",
                    systems_checked="PNC, Niche, local intelligence, child protection index",
                ),
                submitted_by=researcher,
            )
    services.enquiry_change_rag(
        enquiry=enquiry, to_rag=Rag.RED, reason="Police hold recent call-outs.", changed_by=manager
    )
    return enquiry


def height(page: Page) -> int:
    return page.evaluate("() => document.documentElement.scrollHeight")


def width(page: Page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def test_the_enquiry_sections_read_at_a_glance_at_1280_and_fit_a_phone(
    page: Page, base_url, hub_worker, manager
):
    enquiry = busy_enquiry(hub_worker, manager)
    sign_in(page, base_url, hub_worker.username, PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 900})
    history = f"/enquiries/{enquiry.pk}/history/"
    goto(page, history)
    expect(page.locator(".moj-timeline__item")).to_have_count(10)
    for section in SECTIONS:
        goto(page, f"/enquiries/{enquiry.pk}/{section}")
        current = page.locator(".moj-sub-navigation__link[aria-current=page]")
        expect(current).to_have_count(1)
        assert height(page) < MAX_HEIGHT, (section, height(page))
    goto(page, f"/enquiries/{enquiry.pk}/requests/")
    expect(page.get_by_test_id("return-row")).to_have_count(3)
    expect(page.get_by_test_id("outstanding-row")).to_have_count(2)

    page.set_viewport_size({"width": PHONE, "height": 800})
    for section in SECTIONS:
        goto(page, f"/enquiries/{enquiry.pk}/{section}")
        assert width(page) <= PHONE, (section, width(page))
    # The returns table scrolls inside its own labelled, focusable region instead.
    goto(page, f"/enquiries/{enquiry.pk}/requests/")
    pane = page.get_by_role("region", name="Returns side by side")
    expect(pane).to_be_visible()
    assert pane.evaluate("el => el.scrollWidth > el.clientWidth")


def test_the_triage_queue_reads_at_a_glance_at_1280_and_fits_a_phone(
    page: Page, base_url, hub_worker
):
    now = timezone.now()
    for n in range(10):
        contact_services.contact_create(
            data=contact_input(
                subjects=[person_input(given_name=f"Child{n}", family_name="Harrow")],
                received_at=now - timedelta(hours=n * 7),
            )
        )
    sign_in(page, base_url, hub_worker.username, PASSWORD)
    page.set_viewport_size({"width": 1280, "height": 900})
    goto(page, "/contacts/")
    expect(page.get_by_test_id("queue-row")).to_have_count(10)
    assert height(page) < MAX_HEIGHT, height(page)
    page.set_viewport_size({"width": PHONE, "height": 800})
    goto(page, "/contacts/")
    assert width(page) <= PHONE, width(page)
