"""The hub's "Record a contact" form in real Chromium (issue 12): a contact about one person is
recorded exactly as the browser submits the page, the empty person rows with their selects'
first options ("Not recorded or unborn" for gender) and ticked "Lives at the same address"
boxes. It once answered 400 because those rows demanded names."""

import pytest
from playwright.sync_api import Page, expect

from contacts.models import Contact
from tests.factories import PASSWORD

from .helpers import goto, sign_in, submit

pytestmark = pytest.mark.browser


def test_a_one_person_contact_is_recorded_as_chromium_submits_it(page: Page, base_url, hub_worker):
    sign_in(page, base_url, hub_worker.username, PASSWORD)
    goto(page, "/contacts/new/")
    form = page.locator("main form")
    form.get_by_role("radio", name="Phone", exact=True).check()
    form.get_by_label("Referral source").select_option("3A")
    form.get_by_role("checkbox", name="Neglect", exact=True).check()
    form.get_by_label("What the referrer told us").fill("Baby not brought to appointments.")
    form.get_by_role("radio", name="Given", exact=True).check()
    form.locator("#id_subject-0-given_name").fill("Maisie")
    form.locator("#id_subject-0-family_name").fill("Wilson")
    form.locator("#id_subject-0-date_of_birth_0").fill("8")
    form.locator("#id_subject-0-date_of_birth_1").fill("6")
    form.locator("#id_subject-0-date_of_birth_2").fill("2019")
    # The rows left empty still send their selects' first options, as any browser does.
    expect(form.locator("#id_subject-1-gender")).to_have_value("0")
    expect(form.locator("#id_subject-2-gender")).to_have_value("0")

    posted = []
    page.on("request", lambda r: posted.append(r) if r.method == "POST" else None)
    response = submit(page, page.get_by_role("button", name="Record contact", exact=True))

    contact = Contact.objects.get()
    assert len(posted) == 1
    redirect = posted[0].response()
    assert redirect is not None and redirect.status == 302
    assert redirect.header_value("location") == f"/contacts/{contact.pk}/"
    assert response is not None and response.status == 200
    assert page.url.endswith(f"/contacts/{contact.pk}/")
    subjects = list(contact.subjects.all())
    assert [(p.full_name, str(p.date_of_birth)) for p in subjects] == [
        ("Maisie Wilson", "2019-06-08")
    ]
    expect(page.get_by_test_id("subject")).to_have_count(1)
