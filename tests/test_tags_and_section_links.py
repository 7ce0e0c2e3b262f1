"""Tags that read at a glance and links that land where the thing is (issue 12, item 3).

A Red enquiry that is overdue shows two tags that can never be confused: the RAG's red "Red" and
the breach's pink "Overdue" (or "Breached"), on the triage queue, the enquiry's overview, the
breach list and My work. Links into an enquiry go to the section that holds the thing: notes
and documents to Notes and documents, returns to Requests and returns, a recommendation to
Decision."""

# ruff: noqa: F811 (the fixtures are imported from the breach screens' tests)
import re

import time_machine

from deadlines.models import NotificationKind
from documents import services as document_services
from documents.models import Document
from enquiries import services as enquiry_services
from enquiries.models import Enquiry, EnquiryPerson, InformationRequest, InformationReturn
from tests.test_breach_screens import at, breaches  # noqa: F401
from tests.test_enquiries_api import open_enquiry

NOW = at(2026, 3, 10, 14, 30)  # the Red enquiry of `breaches` was due at 13:00
TAG = re.compile(r'<strong class="(govuk-tag[^"]*)"[^>]*>(.*?)</strong>', re.S)


def tags(content: str) -> list[tuple[set[str], str]]:
    """Every GOV.UK tag on the page: its classes and its words."""
    return [
        (set(classes.split()), " ".join(re.sub(r"<[^>]+>", " ", words).split()))
        for classes, words in TAG.findall(content)
    ]


def page_at(client, url: str) -> str:
    with time_machine.travel(NOW, tick=False):
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def rag_and_breach_tags(content: str) -> tuple[list, list]:
    found = tags(content)
    rag = [(classes, words) for classes, words in found if words == "Red"]
    late = [(classes, words) for classes, words in found if re.match(r"(Overdue|Breached)", words)]
    return rag, late


def assert_never_alike(rag: list, late: list) -> None:
    for classes, _words in rag:
        assert "govuk-tag--red" in classes
    for classes, words in late:
        assert "govuk-tag--pink" in classes and "govuk-tag--red" not in classes, words
        assert words != "Red"
    rag_classes = set().union(*(classes for classes, _ in rag)) if rag else set()
    late_classes = set().union(*(classes for classes, _ in late)) if late else set()
    assert not (rag_classes - {"govuk-tag"}) & late_classes


def test_a_red_enquiry_that_is_overdue_shows_red_and_overdue_as_different_tags(
    client_for, hub_worker, manager, breaches
):
    enquiry = breaches["enquiry"]
    Enquiry.objects.filter(pk=enquiry.pk).update(worker=hub_worker)
    worker, boss = client_for(hub_worker), client_for(manager)

    overview = page_at(worker, f"/enquiries/{enquiry.pk}/")
    rag, late = rag_and_breach_tags(overview)
    assert rag and late  # both on the page
    assert_never_alike(rag, late)

    breach_list = page_at(boss, "/breaches/")
    rag, late = rag_and_breach_tags(breach_list)
    assert rag and len(late) == 5  # the enquiry's RAG beside it; every breach overdue
    assert_never_alike(rag, late)

    my_work = page_at(worker, "/my-work/")
    rag, late = rag_and_breach_tags(my_work)
    assert rag and late
    assert_never_alike(rag, late)

    # The triage queue holds contacts (no RAG yet): their overdue tags are pink, no tag is red.
    queue = page_at(worker, "/contacts/")
    _rag, late = rag_and_breach_tags(queue)
    assert late
    assert_never_alike([], late)
    assert "govuk-tag--red" not in queue


def test_open_work_overdue_is_the_breach_pink_never_the_rag_red(client_for, hub_worker, breaches):
    enquiry = breaches["enquiry"]
    child = EnquiryPerson.objects.filter(enquiry=enquiry).first().person
    page = page_at(client_for(hub_worker), f"/people/{child.pk}/")
    _rag, late = rag_and_breach_tags(page)
    assert late and "govuk-tag--red" not in page.split('data-testid="open-work"', 1)[1][:4000]
    assert_never_alike([], late)


# --- Links into the enquiry's sections ---------------------------------------------------------


def test_a_note_on_an_enquiry_goes_to_its_notes_and_documents_section(db, hub_worker, manager):
    from notes.views import record_url

    enquiry = open_enquiry(hub_worker, manager)
    assert record_url(enquiry) == f"/enquiries/{enquiry.pk}/notes-and-documents/#case-notes"


def test_a_documents_record_link_goes_to_the_section_that_lists_it(db, hub_worker, manager):
    enquiry = open_enquiry(hub_worker, manager)
    own = Document(enquiry=enquiry)
    assert (
        document_services.record_link(own, hub_worker)
        == f"/enquiries/{enquiry.pk}/notes-and-documents/#documents"
    )
    request = InformationRequest(pk=10**6, enquiry=enquiry)
    returned = Document(information_return=InformationReturn(pk=10**6, request=request))
    assert (
        document_services.record_link(returned, hub_worker)
        == f"/enquiries/{enquiry.pk}/requests/#return-documents"
    )


def test_notifications_open_the_section_of_the_enquiry(
    db, hub_worker, manager, agency_a, researcher_a
):
    from tests.test_enquiries_api import answer, ask

    enquiry = open_enquiry(hub_worker, manager)
    Enquiry.objects.filter(pk=enquiry.pk).update(worker=hub_worker)
    enquiry.refresh_from_db()
    answer(ask(enquiry, agency_a, hub_worker), researcher_a)
    told = hub_worker.notifications.filter(kind=NotificationKind.RETURN_RECEIVED)
    assert {row.link for row in told} == {f"/enquiries/{enquiry.pk}/requests/#returns-title"}

    enquiry_services.enquiry_recommend(
        enquiry=enquiry, user=hub_worker, outcome="NFA", final_rag="GREEN", rationale="Done"
    )
    told = manager.notifications.filter(
        kind=NotificationKind.AWAITING_DECISION, title__startswith=enquiry.reference
    )
    assert {row.link for row in told} == {f"/enquiries/{enquiry.pk}/decision/"}


def test_the_decisions_queue_opens_an_enquirys_decision_section(client_for, hub_worker, manager):
    enquiry = open_enquiry(hub_worker, manager)
    enquiry_services.enquiry_recommend(
        enquiry=enquiry, user=hub_worker, outcome="NFA", final_rag="GREEN", rationale="Done"
    )
    page = client_for(manager).get("/decisions/").content.decode()
    assert f'href="/enquiries/{enquiry.pk}/decision/">{enquiry.reference}</a>' in page
