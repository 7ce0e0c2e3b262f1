"""Sign-in: lockout, idle expiry, deactivation, password rules, the TOTP second factor."""

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.services import user_deactivate
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SIGN_IN = "/account/sign-in/"


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra):
    return client.post(SIGN_IN, {"username": username, "password": password}, **extra)


def test_a_correct_sign_in_lands_on_home(client, hub_worker):
    response = sign_in(client, "hub.worker")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_a_wrong_password_shows_the_error_summary_not_a_trace(client, hub_worker):
    response = sign_in(client, "hub.worker", "not-the-password")
    assert response.status_code == 200
    assert b"There is a problem" in response.content
    assert b"Enter a correct username and password" in response.content
    assert b"Traceback" not in response.content


def test_empty_fields_name_each_field(client, db):
    response = client.post(SIGN_IN, {"username": "", "password": ""})
    assert b"Enter your username" in response.content
    assert b"Enter your password" in response.content


def test_five_failures_lock_the_username_from_that_address(client, hub_worker):
    for _ in range(5):
        sign_in(client, "hub.worker", "wrong-password-x", REMOTE_ADDR="10.0.0.1")
    locked = sign_in(client, "hub.worker", PASSWORD, REMOTE_ADDR="10.0.0.1")
    assert locked.status_code == 429
    assert b"Signing in is paused" in locked.content
    assert b"Traceback" not in locked.content


def test_a_lockout_is_per_address_and_per_username(client, hub_worker, manager):
    for _ in range(5):
        sign_in(client, "hub.worker", "wrong-password-x", REMOTE_ADDR="10.0.0.1")
    # the same user from their other device, and a colleague from the same address, still sign in
    assert sign_in(Client(), "hub.worker", REMOTE_ADDR="10.0.0.2").status_code == 302
    assert sign_in(Client(), "hub.manager", REMOTE_ADDR="10.0.0.1").status_code == 302


def test_four_failures_do_not_lock(client, hub_worker):
    for _ in range(4):
        sign_in(client, "hub.worker", "wrong-password-x", REMOTE_ADDR="10.0.0.1")
    assert sign_in(client, "hub.worker", REMOTE_ADDR="10.0.0.1").status_code == 302


def test_the_lockout_ends_after_the_cool_off(client, hub_worker, settings):
    from axes.models import AccessAttempt

    for _ in range(5):
        sign_in(client, "hub.worker", "wrong-password-x", REMOTE_ADDR="10.0.0.1")
    assert sign_in(client, "hub.worker", REMOTE_ADDR="10.0.0.1").status_code == 429
    assert timedelta(hours=1) >= settings.AXES_COOLOFF_TIME
    past = timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=past)
    assert sign_in(client, "hub.worker", REMOTE_ADDR="10.0.0.1").status_code == 302


def test_a_session_ends_after_30_idle_minutes(client, hub_worker, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    sign_in(client, "hub.worker")
    assert client.get("/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)


def test_activity_keeps_the_session_alive(client, hub_worker):
    sign_in(client, "hub.worker")
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=1))
    client.get("/")
    expires = Session.objects.get().expire_date
    assert expires > timezone.now() + timedelta(minutes=29)


def test_a_deactivated_users_session_stops_working_at_once(client, hub_worker, api_for):
    sign_in(client, "hub.worker")
    api = api_for(hub_worker)
    assert client.get("/").status_code == 200
    assert api.get("/api/v1/agencies/").status_code == 200
    user_deactivate(user=hub_worker, reason="Left the council")
    assert Session.objects.count() == 0
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)
    assert api.get("/api/v1/agencies/").status_code in (401, 403)
    assert sign_in(Client(), "hub.worker").status_code == 200  # cannot sign in again


def test_deactivating_in_the_admin_also_ends_sessions(client, hub_worker):
    sign_in(client, "hub.worker")
    hub_worker.is_active = False
    hub_worker.save()
    assert client.get("/").status_code == 302


def test_sign_out_is_a_post_and_ends_the_session(client, hub_worker):
    sign_in(client, "hub.worker")
    assert client.get("/account/sign-out/").status_code == 405
    client.post("/account/sign-out/")
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    "password",
    ["short-pass", "password1234"],
)
def test_weak_passwords_are_refused(password, hub_worker):
    with pytest.raises(ValidationError):
        validate_password(password, hub_worker)


def test_a_long_uncommon_passphrase_is_accepted_without_composition_rules(hub_worker):
    validate_password("purple tractor breakfast", hub_worker)


class TestSecondFactor:
    @pytest.fixture(autouse=True)
    def _require(self, settings):
        settings.MASH_REQUIRE_SECOND_FACTOR = True

    def test_signed_in_without_a_second_factor_only_the_set_up_page_answers(
        self, client, hub_worker
    ):
        sign_in(client, "hub.worker")
        response = client.get("/people/")
        assert response.status_code == 302
        assert response["Location"].startswith("/account/two-factor/")
        assert client.get("/api/v1/agencies/").status_code == 403
        page = client.get("/account/two-factor/")
        assert b"Set up your authenticator app" in page.content

    def test_setting_up_and_verifying_a_totp_device_opens_the_service(self, client, hub_worker):
        sign_in(client, "hub.worker")
        client.get("/account/two-factor/")
        device = TOTPDevice.objects.get(user=hub_worker, confirmed=False)
        wrong = client.post("/account/two-factor/", {"token": "000000", "next": "/people/"})
        assert b"The security code is wrong" in wrong.content
        device.refresh_from_db()
        device.throttle_reset()  # django-otp slows retries after a failure; the user waits
        code = f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
        response = client.post("/account/two-factor/", {"token": code, "next": "/people/"})
        assert response.status_code == 302
        assert response["Location"] == "/people/"
        assert client.get("/people/").status_code == 200
        device.refresh_from_db()
        assert device.confirmed

    def test_a_malformed_code_names_the_field(self, client, hub_worker):
        sign_in(client, "hub.worker")
        response = client.post("/account/two-factor/", {"token": "12ab"})
        assert b"Enter the 6-digit security code" in response.content

    def test_the_next_address_cannot_send_the_user_off_site(self, client, hub_worker):
        sign_in(client, "hub.worker")
        client.get("/account/two-factor/")
        device = TOTPDevice.objects.get(user=hub_worker)
        code = f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
        response = client.post(
            "/account/two-factor/", {"token": code, "next": "https://evil.example/"}
        )
        assert response["Location"] == "/"
