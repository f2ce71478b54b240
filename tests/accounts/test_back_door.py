"""Issue 9, finding 2: the back office was a way into any account. An administrator could set
an agency user's password, sign in as the agency and read its sealed quote; nobody was told.
And a superuser opened another agency's own edit pages."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import AccountChange, User
from accounts.permissions import allowed
from tests.accounts.factories import UserFactory
from tests.agencies.factories import QualificationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform_admin():
    return UserFactory(organisation=None, is_superuser=True, username="root")


@pytest.fixture
def agency_user():
    qualification = QualificationFactory()
    return UserFactory(
        organisation=qualification.agency.organisation,
        is_organisation_admin=True,
        email="agency-admin@example.com",
    )


def test_finding_2_an_administrator_cannot_set_anyones_password(
    client, platform_admin, agency_user
):
    client.force_login(platform_admin)
    url = reverse("wagtailusers_users:edit", args=[agency_user.pk])
    form = client.get(url).context["form"]
    assert "password1" not in form.fields and "password2" not in form.fields
    client.post(
        url,
        {
            "username": agency_user.username,
            "email": agency_user.email,
            "first_name": "刘",
            "last_name": "晓峰",
            "is_active": "on",
            "password1": "Taken0ver!2026",
            "password2": "Taken0ver!2026",
        },
    )
    agency_user.refresh_from_db()
    assert not agency_user.check_password("Taken0ver!2026")


def test_finding_2_a_privileged_change_is_recorded_and_the_person_told(
    client, platform_admin, agency_user
):
    client.force_login(platform_admin)
    response = client.post(
        reverse("wagtailusers_users:edit", args=[agency_user.pk]),
        {
            "username": agency_user.username,
            "email": "new-address@example.com",
            "first_name": "刘",
            "last_name": "晓峰",
            # is_active left out: the account is deactivated
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    change = AccountChange.objects.get(user=agency_user)
    assert change.actor == platform_admin
    assert change.changes["is_active"] == [True, False]
    assert change.changes["email"] == ["agency-admin@example.com", "new-address@example.com"]
    [message] = mail.outbox
    # Told at the old address as well as the new one.
    assert set(message.to) == {"agency-admin@example.com", "new-address@example.com"}
    assert "root" in message.body


def test_finding_2_a_new_account_gets_a_link_to_choose_its_password(client, platform_admin):
    client.force_login(platform_admin)
    response = client.post(
        reverse("wagtailusers_users:add"),
        {
            "username": "newregulator",
            "email": "new@example.com",
            "first_name": "新",
            "last_name": "监管员",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="newregulator")
    assert not user.has_usable_password()
    assert AccountChange.objects.get(user=user).actor == platform_admin
    [message] = mail.outbox
    assert message.to == ["new@example.com"] and "/accounts/password/reset/" in message.body


def test_finding_2_a_superuser_put_into_an_agency_gets_none_of_its_rights(
    client, platform_admin, agency_user
):
    agency = agency_user.organisation.agency
    certificate = agency.qualifications.get()
    platform_admin.organisation = agency_user.organisation
    platform_admin.is_organisation_admin = True
    platform_admin.save()
    assert platform_admin.role is None
    assert not allowed("agencies.act_for_agency", platform_admin, agency)
    client.force_login(platform_admin)
    edit = reverse("agencies:me_qualification_edit", args=[certificate.pk])
    assert client.get(edit).status_code in (403, 404)
    assert client.get(reverse("agencies:me")).status_code in (403, 404)
