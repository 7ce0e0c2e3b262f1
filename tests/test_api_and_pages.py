"""The API's shape and errors, health, and the service's own error pages."""

import pytest
from django.test import Client

from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_schema_and_docs_are_served(client_for, hub_worker):
    client = client_for(hub_worker)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    body = schema.content.decode()
    assert "/api/v1/people/" in body
    assert "/api/v1/agencies/" in body
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()


def test_agencies_list_through_the_api(api_for, hub_worker, agency_a, agency_b):
    response = api_for(hub_worker).get("/api/v1/agencies/")
    assert response.status_code == 200
    codes = {row["code"] for row in response.json()["results"]}
    assert {"police", "health", "csc"} <= codes


def test_people_list_is_keyset_paginated(api_for, hub_worker):
    PersonFactory.create_batch(3)
    response = api_for(hub_worker).get("/api/v1/people/?page_size=2")
    body = response.json()
    assert len(body["results"]) == 2
    assert "cursor=" in body["next"]
    rest = api_for(hub_worker).get(body["next"]).json()
    assert len(rest["results"]) == 1
    seen = {row["id"] for row in body["results"]} | {row["id"] for row in rest["results"]}
    assert len(seen) == 3


def test_a_malformed_cursor_is_a_clear_404_not_a_500(api_for, hub_worker):
    response = api_for(hub_worker).get("/api/v1/people/?cursor=%00garbage")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_api_writes_are_not_allowed_on_read_only_resources(api_for, hub_worker):
    response = api_for(hub_worker).post("/api/v1/agencies/", {"name": "x"}, format="json")
    assert response.status_code == 405
    assert set(response.json()) == {"detail", "errors"}


def test_unknown_api_path_answers_json_404(api_for, hub_worker):
    response = api_for(hub_worker).get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Page not found", "errors": {}}


def test_validation_errors_map_fields_to_messages():
    from rest_framework import exceptions

    from mash.api.errors import exception_handler

    error = exceptions.ValidationError(
        {"subjects": [{"nhs_number": ["Enter a valid NHS number."]}], "source": ["Required."]}
    )
    response = exception_handler(error, {})
    assert response.status_code == 400
    assert response.data == {
        "detail": "Invalid input.",
        "errors": {
            "subjects[0].nhs_number": ["Enter a valid NHS number."],
            "source": ["Required."],
        },
    }


def test_django_validation_errors_from_services_become_400_with_fields():
    from django.core.exceptions import ValidationError

    from mash.api.errors import exception_handler

    response = exception_handler(ValidationError({"reason": ["Say why."]}), {})
    assert response.status_code == 400
    assert response.data["errors"] == {"reason": ["Say why."]}


def test_healthz_tells_anyone_only_the_status_and_the_failing_checks(client, db):
    # No worker runs in this test and no deadline scan has ever finished: both fail.
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "failing": ["workers", "deadline_scan"]}


def test_healthz_details_are_for_administrators_and_monitoring_tokens(
    client, client_for, administrator, hub_worker, manager, settings
):
    for user in (hub_worker, manager):
        assert "checks" not in client_for(user).get("/healthz").json()
    body = client_for(administrator).get("/healthz").json()
    assert body["checks"]["database"] == {"ok": True, "vendor": "postgresql"}
    assert body["checks"]["broker"]["ok"] is True
    assert body["checks"]["broker"]["transport"] == "redis"
    assert body["checks"]["workers"] == {"ok": False, "live": 0, "names": []}
    assert body["checks"]["deadline_scan"] == {
        "ok": False,
        "last_scan": None,
        "late": True,
        "breaches_last_hour": 0,
    }
    assert body["checks"]["outbox"] == {
        "ok": True,
        "queued": 0,
        "failed": 0,
        "oldest_unsent_at": None,
    }
    settings.MASH_HEALTHZ_TOKEN = "monitor-secret-123"
    assert "checks" in client.get("/healthz", HTTP_AUTHORIZATION="Bearer monitor-secret-123").json()
    assert "checks" not in client.get("/healthz", HTTP_AUTHORIZATION="Bearer wrong").json()
    from rest_framework.authtoken.models import Token

    admin_token = Token.objects.create(user=administrator)
    worker_token = Token.objects.create(user=hub_worker)
    assert "checks" in client.get("/healthz", HTTP_AUTHORIZATION=f"Token {admin_token.key}").json()
    assert (
        "checks"
        not in client.get("/healthz", HTTP_AUTHORIZATION=f"Token {worker_token.key}").json()
    )


def test_healthz_says_which_part_is_down(client, settings, db):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert {"broker", "workers"} <= set(body["failing"])
    assert "database" not in body["failing"]


def test_unknown_page_gets_the_services_404(client_for, hub_worker):
    response = client_for(hub_worker).get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b"govuk-template" in response.content


def test_csrf_failure_gets_the_services_page(hub_worker):
    client = Client(enforce_csrf_checks=True)
    client.force_login(hub_worker, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post("/account/sign-out/")
    assert response.status_code == 403
    assert b"Your form has expired" in response.content
    assert b"CSRF verification failed" not in response.content


def test_a_server_error_gets_the_services_500_page_without_a_trace(client, monkeypatch, db):
    import mash.health

    def boom():
        raise RuntimeError("secret internals")

    monkeypatch.setattr(mash.health, "run_checks", boom)
    client.raise_request_exception = False
    response = client.get("/healthz")
    assert response.status_code == 500
    assert b"secret internals" not in response.content
    assert b"Traceback" not in response.content
    assert b"Sorry, there is a problem with the service" in response.content


def test_pages_send_a_content_security_policy_without_inline_scripts(client):
    response = client.get("/account/sign-in/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert b"<script>" not in response.content
