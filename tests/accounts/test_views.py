import re

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from tests.accounts.factories import TEST_PASSWORD, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

WORKSPACE_LABELS = {
    Role.PROJECT_OWNER: "我的项目",
    Role.AGENCY: "本机构",
    Role.REGULATOR: "监管工作台",
    Role.APPROVAL_DEPARTMENT: "本部门事项",
}


def _sign_in(client, username, password=TEST_PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


@pytest.mark.parametrize("role", list(Role))
def test_each_role_signs_in_and_sees_its_navigation(client, role):
    user = UserFactory(organisation=OrganisationFactory(kind=role))

    response = _sign_in(client, user.username)
    assert response.status_code == 302
    assert response["Location"] == reverse("cms:workspace")
    if role in (Role.REGULATOR, Role.APPROVAL_DEPARTMENT):
        # Government roles give a code from their authenticator app as well.
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        client.post(reverse("accounts:two_factor_verify"), {"code": f"{code:06d}"})

    page = client.get(reverse("cms:workspace")).content.decode()
    assert WORKSPACE_LABELS[role] in page
    for other_role, label in WORKSPACE_LABELS.items():
        if other_role != role:
            assert label not in page
    # Approval departments keep their model contracts there (R5).
    assert ("管理后台" in page) == (role in (Role.REGULATOR, Role.APPROVAL_DEPARTMENT))


def test_anonymous_visitor_sees_only_public_navigation(client):
    page = client.get("/").content.decode()
    assert "服务事项目录" in page
    assert "登录" in page
    assert not any(label in page for label in WORKSPACE_LABELS.values())


def test_wrong_password_shows_an_error_and_does_not_sign_in(client):
    user = UserFactory()
    response = _sign_in(client, user.username, "wrong-password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_login_is_throttled_after_repeated_failures(client, settings):
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, user.username, "wrong-password")

    # Even the right password is refused while locked out.
    response = _sign_in(client, user.username)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_sign_out_needs_a_post(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


def test_account_page_needs_sign_in(client):
    response = client.get(reverse("accounts:detail"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_password_change(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "Another-Strong-Pass-42",
            "new_password2": "Another-Strong-Pass-42",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Another-Strong-Pass-42")


def test_password_reset_mail_carries_a_working_link(client):
    user = UserFactory(email="someone@example.test")

    client.post(reverse("accounts:password_reset"), {"email": "someone@example.test"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/\S+)", mail.outbox[0].body).group(1)

    # The emailed link redirects once to a token-free URL, as Django does to keep the token
    # out of Referer headers.
    form_url = client.get(link)["Location"]
    response = client.post(
        form_url,
        {"new_password1": "Reset-Strong-Pass-77", "new_password2": "Reset-Strong-Pass-77"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Reset-Strong-Pass-77")


def test_organisation_admin_edits_contact_details(client):
    user = UserFactory(is_organisation_admin=True)
    client.force_login(user)
    response = client.post(
        reverse("accounts:organisation_edit"),
        {
            "region": "眉山市彭山区",
            "address": "彭祖大道1号",
            "contact_name": "王五",
            "contact_phone": "028-1",
        },
    )
    assert response.status_code == 302
    user.organisation.refresh_from_db()
    assert user.organisation.address == "彭祖大道1号"


def test_plain_member_cannot_open_the_organisation_editor(client):
    admin = UserFactory(is_organisation_admin=True)
    member = UserFactory(organisation=admin.organisation, is_organisation_admin=False)
    client.force_login(member)
    assert client.get(reverse("accounts:organisation_edit")).status_code == 403
