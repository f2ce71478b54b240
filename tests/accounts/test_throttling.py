"""Finding 6: password reset is limited per address asked for and per client, and the client
is the one behind a trusted proxy only (core/client_address.py) — for the reset limit and for
django-axes' sign-in lockout alike."""

import logging

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import RequestFactory
from django.urls import reverse

from core.client_address import client_ip_address
from tests.accounts.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"
CLIENT = "203.0.113.9"
NEIGHBOUR = "198.51.100.7"  # another client behind the same proxy


def _reset(client, email, **meta):
    return client.post(reverse("accounts:password_reset"), {"email": email}, **meta)


def _sign_in(client, username, password=TEST_PASSWORD, **meta):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, **meta
    )


# Password reset -------------------------------------------------------------------------------


def test_finding_6_password_reset_sends_at_most_three_mails_per_address_an_hour(
    client, caplog, settings
):
    assert settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT == 3
    UserFactory(email="someone@example.test")
    answers = []
    with caplog.at_level(logging.WARNING, logger="accounts.throttling"):
        for attempt in range(12):
            # Spelling the address differently does not make it another account.
            email = "Someone@Example.test" if attempt % 2 else "someone@example.test"
            answers.append(_reset(client, email))

    assert len(mail.outbox) == 3
    # Over the limit the page answers exactly as when the mail was sent.
    assert {(answer.status_code, answer["Location"]) for answer in answers} == {
        (302, reverse("accounts:password_reset_done"))
    }
    refusals = [r for r in caplog.records if r.name == "accounts.throttling"]
    assert len(refusals) == 9
    assert "per-account" in refusals[0].getMessage()
    assert "someone@example.test" not in refusals[0].getMessage()


def test_finding_6_an_unknown_address_over_the_limit_looks_the_same_as_a_known_one(client):
    UserFactory(email="known@example.test")
    for _ in range(4):
        known = _reset(client, "known@example.test", REMOTE_ADDR="192.0.2.1")
        unknown = _reset(client, "nobody@example.test", REMOTE_ADDR="192.0.2.2")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 3


def test_finding_6_password_reset_allows_ten_requests_per_client_an_hour(client, settings):
    assert settings.PASSWORD_RESET_LIMIT_PER_ADDRESS == 10
    users = [UserFactory() for _ in range(12)]
    for user in users[:11]:
        assert _reset(client, user.email, REMOTE_ADDR=CLIENT).status_code == 302
    assert len(mail.outbox) == 10
    # Another client is not held back by the first one's requests.
    _reset(client, users[11].email, REMOTE_ADDR=NEIGHBOUR)
    assert len(mail.outbox) == 11


def test_finding_6_a_forged_forwarded_header_does_not_escape_the_client_limit(client, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 2
    users = [UserFactory() for _ in range(3)]
    for index, user in enumerate(users):
        _reset(client, user.email, REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=f"192.0.2.{index}")
    assert len(mail.outbox) == 2


def test_finding_6_behind_the_trusted_proxy_each_client_has_its_own_reset_limit(client, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 2
    users = [UserFactory() for _ in range(4)]
    for user in users[:3]:
        _reset(client, user.email, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT)
    assert len(mail.outbox) == 2
    _reset(client, users[3].email, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=NEIGHBOUR)
    assert len(mail.outbox) == 3


# The client's address -------------------------------------------------------------------------


def _address(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip_address(RequestFactory().get("/", **meta))


def test_finding_6_without_a_trusted_proxy_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert _address(CLIENT, "192.0.2.66") == CLIENT
    assert _address(PROXY, CLIENT) == PROXY


def test_finding_6_the_forwarded_header_counts_only_from_the_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    assert _address(PROXY, CLIENT) == CLIENT
    # What the client wrote itself, left of what the proxy added, is not believed;
    assert _address(PROXY, f"192.0.2.66, {CLIENT}") == CLIENT
    # a connection from elsewhere keeps its own address, whatever it sends;
    assert _address(NEIGHBOUR, CLIENT) == NEIGHBOUR
    # a chain of our own proxies (a network) is walked through; garbage stops the walk.
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert _address(PROXY, f"192.0.2.66, {CLIENT}, 10.0.0.7") == CLIENT
    assert _address(PROXY, "not-an-address") == PROXY
    assert _address(PROXY) == PROXY


def test_finding_6_a_malformed_trusted_proxy_stops_start_up(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.300"]
    with pytest.raises(SystemCheckError, match=r"core\.E001"):
        call_command("check")


# Sign-in lockout (django-axes) ----------------------------------------------------------------


def test_finding_6_axes_ignores_a_forged_forwarded_header_without_a_trusted_proxy(client, settings):
    settings.TRUSTED_PROXIES = []
    user = UserFactory()
    for index in range(settings.AXES_FAILURE_LIMIT):
        # A new forged address each time: still one client, so it is locked out.
        _sign_in(
            client,
            user.username,
            "wrong",
            REMOTE_ADDR=CLIENT,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{index}",
        )
    assert _sign_in(client, user.username, REMOTE_ADDR=CLIENT).status_code == 429


def test_finding_6_axes_counts_the_client_behind_the_trusted_proxy(client, settings):
    from axes.models import AccessAttempt

    settings.TRUSTED_PROXIES = [PROXY]
    user = UserFactory()
    # Someone behind the proxy guesses the user's password until locked out;
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, user.username, "wrong", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {CLIENT}
    assert (
        _sign_in(client, user.username, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT).status_code
        == 429
    )
    # the user, behind the same proxy at another address, still signs in.
    response = _sign_in(client, user.username, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=NEIGHBOUR)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
