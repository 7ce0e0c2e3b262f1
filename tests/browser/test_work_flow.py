"""Work and allocation in real Chromium (issue 12): a manager bulk-allocates two contacts and an
enquiry nobody holds (first forgetting whom to, so the error summary names the field), the
worker finds them on My work, and the manager's Decisions queue puts a Red enquiry awaiting
decision first. Every page visited is checked with axe-core by the helpers."""

import pytest
from playwright.sync_api import Page, expect

from contacts import services as contact_services
from enquiries.models import Enquiry
from tests.factories import PASSWORD
from tests.test_work import make_contact, open_enquiry, recommend_enquiry, unique_family

from .helpers import goto, sign_in, sign_out, submit

pytestmark = pytest.mark.browser


def test_allocate_then_my_work_then_decisions(
    page: Page, base_url: str, hub_worker, manager
) -> None:
    first = make_contact(name="Ada", family=unique_family())
    second = make_contact(name="Bo", family=unique_family())
    orphan = open_enquiry(hub_worker, manager, name="Orla")
    Enquiry.objects.filter(pk=orphan.pk).update(worker=None)
    red = open_enquiry(hub_worker, manager, rag="RED", name="Scarlett")
    recommend_enquiry(red, hub_worker, outcome="REFERRAL")
    waiting = make_contact(name="Cy", family=unique_family())
    contact_services.contact_recommend(
        contact=waiting, user=hub_worker, outcome="NFA", rationale="-"
    )

    sign_in(page, base_url, manager.username, PASSWORD)
    goto(page, "/allocation/")
    form = page.get_by_test_id("allocate-form")
    for record in (first, second, orphan):
        form.get_by_label(f"Select {record.reference}").check()
    submit(page, form.get_by_role("button", name="Allocate", exact=True))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Choose who to allocate the work to.")
    expect(summary).to_be_focused()
    form = page.get_by_test_id("allocate-form")
    expect(form.get_by_label(f"Select {first.reference}")).to_be_checked()
    form.get_by_label("Allocate to").select_option(value=str(hub_worker.pk))
    submit(page, form.get_by_role("button", name="Allocate", exact=True))
    expect(page.get_by_role("main")).to_contain_text(
        f"{first.reference}, {second.reference}, {orphan.reference} are now with"
    )
    sign_out(page)

    sign_in(page, base_url, hub_worker.username, PASSWORD)
    goto(page, "/my-work/")
    expect(page.get_by_test_id("my-contacts")).to_contain_text(first.reference)
    expect(page.get_by_test_id("my-contacts")).to_contain_text(second.reference)
    expect(page.get_by_test_id("my-enquiries")).to_contain_text(orphan.reference)
    sign_out(page)

    sign_in(page, base_url, manager.username, PASSWORD)
    goto(page, "/decisions/")
    top = page.get_by_test_id("decision-row").first
    expect(top).to_contain_text(red.reference)
    expect(top).to_contain_text("Enquiry")
    expect(top).to_contain_text("left")
