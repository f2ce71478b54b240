"""Issue 9: two-factor sign-in (TOTP) is required for regulators, approval departments and
platform administrators, and offered to everyone."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from tests.accounts.factories import TEST_PASSWORD, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _sign_in(client, user):
    return client.post(
        reverse("accounts:login"), {"username": user.username, "password": TEST_PASSWORD}
    )


@pytest.mark.parametrize("role", [Role.REGULATOR, Role.APPROVAL_DEPARTMENT, None])
def test_a_government_or_administrator_session_is_worth_nothing_without_the_code(client, role):
    user = UserFactory(
        organisation=OrganisationFactory(kind=role) if role else None, is_superuser=role is None
    )
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    _sign_in(client, user)
    for page in (reverse("cms:workspace"), "/admin/"):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:two_factor_verify"))

    wrong = client.post(reverse("accounts:two_factor_verify"), {"code": "000000"})
    assert wrong.status_code == 200 and wrong.context["form"].errors["code"]
    device.refresh_from_db()
    device.throttling_failure_count = 0  # the wrong code's delay, skipped for the test
    device.throttling_failure_timestamp = None
    device.save()
    # Each goes where it was going.
    target = reverse("cms:workspace") if role == Role.APPROVAL_DEPARTMENT else "/admin/"
    right = client.post(
        reverse("accounts:two_factor_verify"), {"code": _code(device), "next": target}
    )
    assert right.status_code == 302 and right["Location"] == target
    assert client.get(target).status_code == 200


def test_without_a_device_the_government_user_is_sent_to_set_one_up(client):
    user = UserFactory(organisation=OrganisationFactory(kind=Role.REGULATOR))
    _sign_in(client, user)
    response = client.get(reverse("cms:workspace"))
    assert response["Location"].startswith(reverse("accounts:two_factor_setup"))
    # Looking at the page makes nothing; beginning does.
    client.get(reverse("accounts:two_factor_setup"))
    assert not TOTPDevice.objects.filter(user=user).exists()
    client.post(reverse("accounts:two_factor_begin"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page = client.get(reverse("accounts:two_factor_setup"))
    assert page.context["qr_data_uri"].startswith("data:image/svg+xml;base64,")
    client.post(reverse("accounts:two_factor_setup"), {"code": _code(device)})
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("cms:workspace")).status_code == 200


def test_owners_and_agencies_may_turn_it_on_but_need_not(client):
    user = UserFactory(organisation=OrganisationFactory(kind=Role.PROJECT_OWNER))
    _sign_in(client, user)
    assert client.get(reverse("cms:workspace")).status_code == 200
    page = client.get(reverse("accounts:detail")).content.decode()
    assert reverse("accounts:two_factor_setup") in page
