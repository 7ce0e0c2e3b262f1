"""Once per submission, under real concurrency on PostgreSQL: posts made at the same moment by
threads, each on its own database connection, as web workers would make them.

To be sure the posts really overlap (not merely run one after the other), each test holds an
EXCLUSIVE lock on the table the first post writes to, waits until every post is inside the
database waiting (one on that table, the rest on it), and only then lets them go.
"""

import re
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from copy import deepcopy

import pytest
from django.db import connections
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from contacts.models import Contact, Person
from enquiries.models import InformationRequest, InformationReturn, RequestState
from tests.forms import submission_token
from tests.test_agency_pages import RETURN_FORM, ask, open_enquiry
from tests.test_contacts_api import BATCH, CONTACTS, item
from tests.test_marf import fill_marf

pytestmark = pytest.mark.django_db(transaction=True)

TOKEN = re.compile(r'name="submission_token" value="([^"]+)"')


def token_of(html: str) -> str:
    match = TOKEN.search(html)
    assert match, "the form carries no submission token"
    return match[1]


def _waiting_backends(cursor) -> int:
    cursor.execute("SELECT pg_stat_clear_snapshot()")  # else fixed for the transaction
    cursor.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
    )
    return cursor.fetchone()[0]


@contextmanager
def table_held(table: str, *, until_waiting: int):
    """Hold an EXCLUSIVE lock on `table` (reads pass, writes wait) on a connection of its own;
    on leaving the block, wait until `until_waiting` other sessions are waiting on a lock, then
    release it. The block starts the posts."""
    holder = connections.create_connection("default")
    try:
        holder.set_autocommit(False)
        with holder.cursor() as cursor:
            cursor.execute(f'LOCK TABLE "{table}" IN EXCLUSIVE MODE')
            yield
            deadline = time.monotonic() + 20
            while _waiting_backends(cursor) < until_waiting:
                assert time.monotonic() < deadline, "the posts never overlapped in the database"
                time.sleep(0.05)
        holder.rollback()
    finally:
        holder.close()


class Parallel:
    """Run callables in threads that start together; `results()` waits for them."""

    def __init__(self, *actions: Callable[[], object]) -> None:
        self._results: list[object] = [None] * len(actions)
        self._errors: list[BaseException] = []
        barrier = threading.Barrier(len(actions))

        def run(index: int, action: Callable[[], object]) -> None:
            try:
                barrier.wait(timeout=20)
                self._results[index] = action()
            except BaseException as error:  # noqa: BLE001 - reported by results()
                self._errors.append(error)
            finally:
                connections.close_all()

        self._threads = [
            threading.Thread(target=run, args=(index, action), daemon=True)
            for index, action in enumerate(actions)
        ]
        for thread in self._threads:
            thread.start()

    def results(self) -> list:
        for thread in self._threads:
            thread.join(timeout=60)
            assert not thread.is_alive(), "a post never finished (deadlock?)"
        assert not self._errors, self._errors
        return self._results


def same_session(client: Client, count: int) -> list[Client]:
    """`count` clients sharing `client`'s session cookie: one browser posting several times."""
    clients = []
    for _ in range(count):
        other = Client()
        other.cookies = deepcopy(client.cookies)
        clients.append(other)
    return clients


def api_clients(user, count: int) -> list[APIClient]:
    token, _ = Token.objects.get_or_create(user=user)
    clients = []
    for _ in range(count):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        clients.append(client)
    return clients


# --- Forms -----------------------------------------------------------------------------------


def test_the_marfs_last_page_posted_three_times_at_once_makes_one_contact(client_for, referrer):
    browser = client_for(referrer)
    fill_marf(browser)
    token = token_of(browser.get("/marf/check/").content.decode())
    posts = [
        (lambda c=c: c.post("/marf/check/", {"submission_token": token}))
        for c in same_session(browser, 3)
    ]
    with table_held("contacts_contact", until_waiting=3):
        running = Parallel(*posts)
    responses = running.results()

    contact = Contact.objects.get()
    assert Person.objects.count() == 2  # the child, and the mother the household page names
    assert [r.status_code for r in responses] == [302, 302, 302]
    assert {r["Location"] for r in responses} == {f"/marf/sent/{contact.pk}/"}
    # Whichever post the browser shows last, the referrer sees the confirmation and no draft.
    page = browser.get(f"/marf/sent/{contact.pk}/")
    assert contact.reference in page.content.decode()
    again = browser.post("/marf/check/", submission_token(referrer, "marf"))  # a new page
    assert again["Location"] == "/marf/"  # nothing left to send


def test_two_parallel_return_submissions_make_one_return_and_no_addendum(
    client_for, hub_worker, manager, agency_a, researcher_a
):
    info_request = ask(open_enquiry(hub_worker, manager), agency_a, hub_worker)
    browser = client_for(researcher_a)
    page = browser.get(f"/requests/{info_request.pk}/").content.decode()
    form = dict(RETURN_FORM, submission_token=token_of(page))
    url = f"/requests/{info_request.pk}/return/"
    posts = [(lambda c=c: c.post(url, form)) for c in same_session(browser, 2)]
    with table_held("enquiries_informationreturn", until_waiting=2):
        running = Parallel(*posts)
    responses = running.results()

    sent = InformationReturn.objects.get()
    assert sent.is_addendum is False
    assert [r.status_code for r in responses] == [302, 302]
    assert {r["Location"] for r in responses} == {f"/requests/{info_request.pk}/"}
    info_request.refresh_from_db()
    assert info_request.state == RequestState.RETURNED


def test_a_double_clicked_information_request_is_one_request(
    client_for, hub_worker, manager, agency_a
):
    enquiry = open_enquiry(hub_worker, manager)
    browser = client_for(hub_worker)
    page = browser.get(f"/enquiries/{enquiry.pk}/requests/").content.decode()
    form = {
        "agency": agency_a.pk,
        "question": "Any call-outs to the address?",
        "people": [enquiry.person_links.filter(is_subject=True).first().person_id],
        "submission_token": token_of(page),
    }
    url = f"/enquiries/{enquiry.pk}/requests/"
    posts = [(lambda c=c: c.post(url, form)) for c in same_session(browser, 2)]
    with table_held("enquiries_informationrequest", until_waiting=2):
        running = Parallel(*posts)
    responses = running.results()

    assert InformationRequest.objects.count() == 1
    assert [r.status_code for r in responses] == [302, 302], [
        r.content.decode()[:2000] for r in responses
    ]
    assert {r["Location"] for r in responses} == {f"/enquiries/{enquiry.pk}/requests/"}


# --- API ---------------------------------------------------------------------------------


def test_two_identical_batches_in_reverse_order_at_once_store_each_contact_once(supervisor_a):
    items = [
        item(
            external_reference=f"PPN-{n}",
            subjects=[
                {
                    "given_name": f"Child{chr(65 + n)}",
                    "family_name": "Okafor",
                    "postcode": "LS1 4AP",
                }
            ],
        )
        for n in range(6)
    ]
    forwards, backwards = api_clients(supervisor_a, 2)
    posts = [
        lambda: forwards.post(BATCH, {"items": items}, format="json"),
        lambda: backwards.post(BATCH, {"items": items[::-1]}, format="json"),
    ]
    with table_held("contacts_contact", until_waiting=2):
        running = Parallel(*posts)
    first, second = running.results()

    assert sorted([first.status_code, second.status_code]) == [200, 201], (
        first.content,
        second.content,
    )
    assert Contact.objects.count() == 6
    assert Person.objects.count() == 6
    by_reference = dict(Contact.objects.values_list("external_reference", "pk"))
    for response, sent in ((first, items), (second, items[::-1])):
        ids = [row["id"] for row in response.json()["results"]]
        assert ids == [by_reference[one["external_reference"]] for one in sent]


def test_parallel_posts_with_one_idempotency_key_make_one_contact_and_get_one_answer(hub_worker):
    body = item(external_reference="")  # without the key, every post would be a new contact
    clients = api_clients(hub_worker, 3)
    posts = [
        (lambda c=c: c.post(CONTACTS, body, format="json", HTTP_IDEMPOTENCY_KEY="retry-7f3a"))
        for c in clients
    ]
    with table_held("contacts_contact", until_waiting=3):
        running = Parallel(*posts)
    responses = running.results()

    contact = Contact.objects.get()
    assert [r.status_code for r in responses] == [201, 201, 201]
    assert all(r.json() == responses[0].json() for r in responses)
    assert responses[0].json()["id"] == contact.pk
    assert sorted(r.headers.get("Idempotent-Replayed", "") for r in responses) == [
        "",
        "true",
        "true",
    ]
