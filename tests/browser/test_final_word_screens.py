"""The referrer's list and MARF once the enquiry closed: the final outcome in plain words, axe
clean, and the list fits a 390 px phone with nothing to scroll sideways (screenshots in
/tmp/screens/ at 1280 and 390 px)."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from contacts import services as contact_services
from contacts.codes import Channel
from enquiries import services
from enquiries.models import EnquiryContact
from enquiries.services.enquiries import FINAL_OUTCOME_FOR_REFERRER
from tests.factories import PASSWORD, contact_input, person_input

from .helpers import goto, sign_in

pytestmark = pytest.mark.django_db(transaction=True)
SCREENS = Path("/tmp/screens")


def closed_marf(referrer, hub_worker, manager, name: str, nhs: str):
    contact = contact_services.contact_create(
        data=contact_input(
            channel=Channel.MARF,
            subjects=[person_input(given_name=name, nhs_number=nhs)],
            referrer_email="",
        ),
        referrer_user=referrer,
        marf_answers={"people": [{"given_name": name, "family_name": "Smith-Montgomery"}]},
    )
    contact_services.contact_recommend(
        contact=contact, user=hub_worker, outcome="MASH_ENQUIRY", rag="AMBER", rationale="x"
    )
    contact_services.contact_decide(
        contact=contact, manager=manager, outcome="MASH_ENQUIRY", rag="AMBER"
    )
    enquiry = EnquiryContact.objects.get(contact=contact).enquiry
    services.enquiry_recommend(
        enquiry=enquiry, user=hub_worker, outcome="REFERRAL", final_rag="AMBER", rationale="y"
    )
    services.enquiry_decide(enquiry=enquiry, manager=manager, outcome="REFERRAL", final_rag="AMBER")
    return contact


def test_the_referrers_list_shows_the_final_outcome_and_fits_a_phone(
    page: Page, base_url: str, referrer, hub_worker, manager
):
    closed = closed_marf(referrer, hub_worker, manager, "Amelia-Rose", "9434765919")
    contact_services.contact_create(
        data=contact_input(channel=Channel.MARF, subjects=[person_input(given_name="Noah")]),
        referrer_user=referrer,
        marf_answers={"people": [{"given_name": "Noah", "family_name": "Smith"}]},
    )
    SCREENS.mkdir(parents=True, exist_ok=True)
    sign_in(page, base_url, referrer.username, PASSWORD)
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        goto(page, f"{base_url}/marfs/")
        row = page.get_by_test_id("marf-row").filter(has_text=closed.reference)
        expect(row.get_by_test_id("marf-status")).to_have_text("Closed")
        expect(row.get_by_test_id("marf-final-outcome")).to_have_text(
            FINAL_OUTCOME_FOR_REFERRER["REFERRAL"]
        )
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"the list scrolls sideways by {overflow}px at {width}px"
        page.screenshot(path=str(SCREENS / f"marf-list-{width}.png"), full_page=True)
        goto(page, f"{base_url}/marfs/{closed.pk}/")
        expect(page.get_by_test_id("marf-final-outcome")).to_contain_text(
            FINAL_OUTCOME_FOR_REFERRER["REFERRAL"]
        )
        page.screenshot(path=str(SCREENS / f"marf-detail-{width}.png"), full_page=True)
