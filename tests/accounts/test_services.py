import pytest

from accounts.models import Organisation, Role, User
from accounts.permissions import allowed
from accounts.services import (
    membership_permissions_grant,
    organisation_create,
    organisation_update,
    user_create,
)
from tests.accounts.factories import TEST_PASSWORD, OrganisationFactory, UserFactory
from tests.refusals import refused

pytestmark = pytest.mark.django_db


def test_user_gets_the_role_group_of_their_organisation():
    for kind in Role:
        user = UserFactory(organisation=OrganisationFactory(kind=kind))
        assert list(user.groups.values_list("name", flat=True)) == [kind.value]
        assert user.role == kind


def test_role_groups_carry_the_role_permissions():
    regulator = UserFactory(organisation=OrganisationFactory(kind=Role.REGULATOR))
    owner = UserFactory(organisation=OrganisationFactory(kind=Role.PROJECT_OWNER))
    assert regulator.has_perm("wagtailadmin.access_admin")
    assert regulator.has_perm("catalogue.change_serviceitem")
    assert not owner.has_perm("wagtailadmin.access_admin")
    assert not owner.has_perm("catalogue.change_serviceitem")


def test_organisation_admin_may_change_only_their_own_organisation():
    admin = UserFactory(is_organisation_admin=True)
    member = UserFactory(organisation=admin.organisation, is_organisation_admin=False)
    other = OrganisationFactory()

    assert admin.has_perm("accounts.change_organisation", admin.organisation)
    assert admin.has_perm("accounts.view_organisation", admin.organisation)
    assert member.has_perm("accounts.view_organisation", admin.organisation)
    assert not member.has_perm("accounts.change_organisation", admin.organisation)
    assert not admin.has_perm("accounts.change_organisation", other)


def test_organisation_update_checks_the_object_permission_in_the_service():
    admin = UserFactory(is_organisation_admin=True)
    other = OrganisationFactory(contact_phone="028-1")

    with refused("not_organisation_admin"):
        organisation_update(actor=admin, organisation=other, data={"contact_phone": "028-2"})
    other.refresh_from_db()
    assert other.contact_phone == "028-1"

    organisation_update(
        actor=admin, organisation=admin.organisation, data={"contact_phone": "028-3"}
    )
    admin.organisation.refresh_from_db()
    assert admin.organisation.contact_phone == "028-3"


def test_organisation_update_refuses_fields_outside_the_contact_details():
    admin = UserFactory(is_organisation_admin=True)
    with refused("field_not_editable"):
        organisation_update(
            actor=admin, organisation=admin.organisation, data={"kind": "regulator"}
        )


def test_weak_password_is_refused_and_nothing_is_saved():
    organisation = OrganisationFactory()
    with refused("weak_password") as caught:
        user_create(username="weak", password="12345678", organisation=organisation)
    assert "password" in caught.value.extra
    assert not User.objects.filter(username="weak").exists()


def test_duplicate_username_is_refused():
    UserFactory(username="taken")
    with refused("username_taken"):
        user_create(username="taken", password=TEST_PASSWORD, organisation=OrganisationFactory())


def test_passwords_are_hashed_with_argon2_in_production_settings():
    from config.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_organisation_with_a_bad_credit_code_is_not_created():
    with refused("invalid") as caught:
        organisation_create(name="某公司", kind=Role.AGENCY, credit_code="91350100M000100Y44")
    assert "credit_code" in caught.value.extra
    assert not Organisation.objects.filter(name="某公司").exists()


def test_duplicate_organisation_is_refused():
    organisation_create(name="某公司", kind=Role.AGENCY)
    with refused("invalid"):
        organisation_create(name="某公司", kind=Role.AGENCY)


def test_a_user_who_stops_administering_is_refused_at_once_though_the_answer_was_kept(
    django_assert_num_queries,
):
    admin = UserFactory(is_organisation_admin=True)
    organisation = admin.organisation
    assert allowed("accounts.administer_organisation", admin, organisation)
    # The view and the service ask the same question in one request: the second answer is
    # the kept one.
    with django_assert_num_queries(0):
        assert allowed("accounts.administer_organisation", admin, organisation)

    admin.is_organisation_admin = False
    admin.save()
    membership_permissions_grant(user=admin)

    assert not allowed("accounts.administer_organisation", admin, organisation)
