import datetime

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Organisation, Role
from agencies.models import Affiliation, AgencyServiceScope, Practitioner, Qualification
from agencies.services.affiliations import affiliation_add, affiliation_end, affiliation_record
from agencies.services.practitioners import practitioner_add, practitioner_remove
from agencies.services.profile import agency_profile_update
from agencies.services.qualifications import (
    qualification_add,
    qualification_refuse,
    qualification_remove,
    qualification_update,
    qualification_verify,
)
from agencies.services.scope import agency_scope_recompute
from agencies.services.scope_settings import scope_settings_update
from core.identity import id_number_hash
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.agencies.factories import (
    PDF_BYTES,
    AgencyFactory,
    QualificationFactory,
    id_number_with_check,
    pdf_upload,
)
from tests.catalogue.factories import (
    QualificationRequirementFactory,
    QualificationTypeFactory,
    ServiceItemFactory,
)
from tests.refusals import refused

pytestmark = pytest.mark.django_db

ID_NUMBER = id_number_with_check("51140319900101123")


@pytest.fixture
def regulator_client_user():
    regulator = UserFactory(organisation=OrganisationFactory(kind=Role.REGULATOR))
    regulator_client = Client()
    regulator_client.force_login(regulator)
    return regulator_client, regulator


@pytest.fixture
def agency():
    return AgencyFactory()


@pytest.fixture
def admin(agency):
    return UserFactory(organisation=agency.organisation, is_organisation_admin=True)


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def _in_scope(agency) -> set[int]:
    return set(agency.scope.filter(in_scope=True).values_list("service_item_id", flat=True))


# --- scope ------------------------------------------------------------------------------------


def test_r3_scope_is_computed_not_declared(agency, admin, admin_client):
    survey = QualificationTypeFactory()
    needs_survey = ServiceItemFactory(statutory_time_limit_days=20)
    QualificationRequirementFactory(service_item=needs_survey, qualification_type=survey)
    open_item = ServiceItemFactory(statutory_time_limit_days=15)
    agency_scope_recompute(agency=agency)
    assert _in_scope(agency) == {open_item.pk}

    # Adding a certificate (through the service) brings the item into scope once a regulator
    # has verified it: until then it counts for nothing (the agency cannot certify itself).
    today = timezone.localdate()
    qualification = qualification_add(
        actor=admin,
        agency=agency,
        qualification_type=survey,
        grade="甲级",
        number="CH-1",
        issuer="四川省自然资源厅",
        valid_from=today - datetime.timedelta(days=10),
        valid_to=today + datetime.timedelta(days=10),
        scan=pdf_upload(),
    )
    assert qualification.status == Qualification.Status.PENDING
    assert _in_scope(agency) == {open_item.pk}
    qualification_verify(
        actor=UserFactory(organisation=OrganisationFactory(kind=Role.REGULATOR)),
        qualification=qualification,
    )
    assert _in_scope(agency) == {open_item.pk, needs_survey.pk}

    # Commitments: at most the statutory limit.
    scope = agency.scope.get(service_item=needs_survey)
    scope_settings_update(
        actor=admin, scope=scope, committed_time_limit_days=12, fee_policy="按面积"
    )
    scope.refresh_from_db()
    assert (scope.committed_time_limit_days, scope.fee_policy) == (12, "按面积")
    with refused("bad_time_limit") as caught:
        scope_settings_update(actor=admin, scope=scope, committed_time_limit_days=21)
    assert "committed_time_limit_days" in caught.value.extra
    response = admin_client.post(
        f"/agencies/me/scope/{scope.pk}/", {"committed_time_limit_days": "25", "fee_policy": ""}
    )
    assert response.status_code == 200
    assert "committed_time_limit_days" in response.context["form"].errors
    scope.refresh_from_db()
    assert scope.committed_time_limit_days == 12

    # Without the certificate the item leaves the scope, and no way sets it any more.
    qualification_remove(actor=admin, qualification=qualification)
    assert _in_scope(agency) == {open_item.pk}
    with refused("not_in_scope"):
        scope_settings_update(actor=admin, scope=scope, committed_time_limit_days=5)
    assert admin_client.get(f"/agencies/me/scope/{scope.pk}/").status_code == 404
    # An item that never was in scope has no row to set at all.
    other = ServiceItemFactory()
    QualificationRequirementFactory(service_item=other)
    agency_scope_recompute(agency=agency)
    assert not AgencyServiceScope.objects.filter(agency=agency, service_item=other).exists()


def test_scope_list_page_lists_the_computed_items(agency, admin_client):
    item = ServiceItemFactory(name="可服务事项")
    agency_scope_recompute(agency=agency)
    page = admin_client.get("/agencies/me/scope/").content.decode()
    assert item.name in page


# --- practitioners ----------------------------------------------------------------------------


def test_practitioner_id_number_is_never_stored_or_shown_in_full(agency, admin, admin_client):
    response = admin_client.post(
        "/agencies/me/practitioners/",
        {
            "name": "孙八",
            "id_number": ID_NUMBER,
            "role": "technical_lead",
            "certificates": "注册测绘师",
        },
    )
    assert response.status_code == 302
    practitioner = Practitioner.objects.get(agency=agency)
    assert practitioner.id_number_hash == id_number_hash(ID_NUMBER)
    assert practitioner.id_number_last4 == ID_NUMBER[-4:]
    stored = Practitioner.objects.filter(pk=practitioner.pk).values().get()
    assert all(ID_NUMBER not in str(value) for value in stored.values())

    agency.status = "active"
    agency.save()
    public = admin_client.get(f"/agencies/{agency.pk}/").content.decode()
    own = admin_client.get("/agencies/me/practitioners/").content.decode()
    for page in (public, own):
        assert "孙八" in page
        assert practitioner.masked_id_number in page
        assert ID_NUMBER not in page
        assert ID_NUMBER[:14] not in page

    # A failed form (the name is missing) is shown again without the number.
    failed = admin_client.post(
        "/agencies/me/practitioners/", {"name": "", "id_number": ID_NUMBER, "role": "staff"}
    )
    assert failed.status_code == 200
    assert failed.context["form"].errors
    assert ID_NUMBER not in failed.content.decode()
    # So is a refused duplicate.
    duplicate = admin_client.post(
        "/agencies/me/practitioners/", {"name": "孙八", "id_number": ID_NUMBER, "role": "staff"}
    )
    assert duplicate.status_code == 200
    assert "id_number" in duplicate.context["form"].errors
    assert ID_NUMBER not in duplicate.content.decode()
    assert Practitioner.objects.filter(agency=agency).count() == 1


def test_malformed_id_number_is_refused(agency, admin):
    with refused("invalid") as caught:
        practitioner_add(actor=admin, agency=agency, name="周九", id_number=ID_NUMBER[:-1] + "Y")
    assert "id_number" in caught.value.extra
    assert not Practitioner.objects.exists()


def test_duplicate_practitioner_is_refused_but_may_return_after_leaving(agency, admin):
    practitioner = practitioner_add(actor=admin, agency=agency, name="吴十", id_number=ID_NUMBER)
    with refused("already_a_practitioner"):
        practitioner_add(actor=admin, agency=agency, name="吴十", id_number=ID_NUMBER.lower())
    # The same person may work for another agency.
    other = AgencyFactory()
    other_admin = UserFactory(organisation=other.organisation)
    practitioner_add(actor=other_admin, agency=other, name="吴十", id_number=ID_NUMBER)

    practitioner_remove(actor=admin, practitioner=practitioner)
    assert not Practitioner.objects.get(pk=practitioner.pk).active
    back = practitioner_add(
        actor=admin, agency=agency, name="吴十", id_number=ID_NUMBER, role="senior_manager"
    )
    assert back.pk == practitioner.pk
    assert back.active and back.role == "senior_manager"


# --- affiliations -----------------------------------------------------------------------------


def test_r4_affiliation_removes_the_department_items_from_scope(agency, admin, admin_client):
    department = OrganisationFactory(kind=Role.APPROVAL_DEPARTMENT)
    own_item = ServiceItemFactory(approval_department=department)
    other_item = ServiceItemFactory()
    agency_scope_recompute(agency=agency)
    assert _in_scope(agency) == {own_item.pk, other_item.pk}

    response = admin_client.post(
        "/agencies/me/affiliations/",
        {
            "kind": Affiliation.Kind.STATE_OWNED_PARENT,
            "department": department.pk,
            "parent_name": "某城投集团",
        },
    )
    assert response.status_code == 302
    assert _in_scope(agency) == {other_item.pk}

    # The agency cannot end its own tie; a regulator can, and the items come back.
    tie = agency.affiliations.get()
    with refused("not_regulator"):
        affiliation_end(actor=admin, affiliation=tie, reason="已脱钩")
    assert _in_scope(agency) == {other_item.pk}
    affiliation_end(
        actor=UserFactory(organisation=OrganisationFactory(kind=Role.REGULATOR)),
        affiliation=tie,
        reason="经核查已完成脱钩改制",
    )
    assert _in_scope(agency) == {own_item.pk, other_item.pk}

    affiliation_add(
        actor=admin,
        agency=agency,
        kind=Affiliation.Kind.SUPERVISING_DEPARTMENT,
        department=department,
    )
    assert _in_scope(agency) == {other_item.pk}


def test_a_tie_needs_a_government_department_and_a_named_parent(agency, admin):
    company = OrganisationFactory(kind=Role.PROJECT_OWNER)
    department = OrganisationFactory(kind=Role.APPROVAL_DEPARTMENT)
    with refused("invalid") as caught:
        affiliation_add(
            actor=admin,
            agency=agency,
            kind=Affiliation.Kind.SUPERVISING_DEPARTMENT,
            department=company,
        )
    assert "department" in caught.value.extra
    with refused("invalid") as caught:
        affiliation_add(
            actor=admin,
            agency=agency,
            kind=Affiliation.Kind.STATE_OWNED_PARENT,
            department=department,
        )
    assert "parent_name" in caught.value.extra
    assert not Affiliation.objects.exists()


# --- removal needs confirmation -----------------------------------------------------------------


def test_removing_asks_for_confirmation_first(agency, admin_client):
    qualification = QualificationFactory(agency=agency)
    page = admin_client.get(f"/agencies/me/qualifications/{qualification.pk}/remove/")
    assert page.status_code == 200
    assert Qualification.objects.filter(pk=qualification.pk).exists()
    response = admin_client.post(f"/agencies/me/qualifications/{qualification.pk}/remove/")
    assert response.status_code == 302
    assert not Qualification.objects.filter(pk=qualification.pk).exists()


# --- object permissions -----------------------------------------------------------------------


def test_another_agencys_admin_cannot_edit_via_the_services(agency):
    qualification = QualificationFactory(agency=agency)
    scope_item = ServiceItemFactory()
    agency_scope_recompute(agency=agency)
    scope = agency.scope.get(service_item=scope_item)
    department = OrganisationFactory(kind=Role.APPROVAL_DEPARTMENT)
    intruder = UserFactory(organisation=AgencyFactory().organisation)
    today = timezone.localdate()

    attempts = [
        lambda: agency_profile_update(actor=intruder, agency=agency, legal_representative="X"),
        lambda: qualification_add(
            actor=intruder,
            agency=agency,
            qualification_type=qualification.qualification_type,
            number="N-1",
            issuer="I",
            valid_from=today,
            valid_to=today + datetime.timedelta(days=1),
            scan=pdf_upload(),
        ),
        lambda: qualification_remove(actor=intruder, qualification=qualification),
        lambda: practitioner_add(actor=intruder, agency=agency, name="X", id_number=ID_NUMBER),
        lambda: affiliation_add(
            actor=intruder,
            agency=agency,
            kind=Affiliation.Kind.SUPERVISING_DEPARTMENT,
            department=department,
        ),
        lambda: scope_settings_update(actor=intruder, scope=scope, committed_time_limit_days=1),
    ]
    for attempt in attempts:
        with refused("not_agency_admin"):
            attempt()
    agency.refresh_from_db()
    assert agency.legal_representative == "张三"
    assert Qualification.objects.filter(pk=qualification.pk).exists()
    assert not Practitioner.objects.exists() and not Affiliation.objects.exists()


def test_another_agencys_admin_cannot_edit_via_the_views(agency, client):
    qualification = QualificationFactory(agency=agency)
    practitioner = practitioner_add(
        actor=UserFactory(organisation=agency.organisation),
        agency=agency,
        name="郑一",
        id_number=ID_NUMBER,
    )
    ServiceItemFactory()
    agency_scope_recompute(agency=agency)
    scope = agency.scope.get()
    client.force_login(UserFactory(organisation=AgencyFactory().organisation))

    for url in (
        f"/agencies/me/qualifications/{qualification.pk}/edit/",
        f"/agencies/me/qualifications/{qualification.pk}/remove/",
        f"/agencies/me/practitioners/{practitioner.pk}/remove/",
        f"/agencies/me/scope/{scope.pk}/",
    ):
        assert client.get(url).status_code == 403
        assert client.post(url, {"committed_time_limit_days": "1"}).status_code == 403
    assert Qualification.objects.filter(pk=qualification.pk).exists()
    assert Practitioner.objects.get(pk=practitioner.pk).active
    scope.refresh_from_db()
    assert scope.committed_time_limit_days is None


def test_a_member_who_is_not_an_admin_sees_but_cannot_edit(agency, client):
    member = UserFactory(organisation=agency.organisation, is_organisation_admin=False)
    client.force_login(member)
    assert client.get("/agencies/me/").status_code == 200
    assert client.get("/agencies/me/qualifications/").status_code == 200
    assert client.get("/agencies/me/profile/").status_code == 403
    assert client.get("/agencies/me/qualifications/add/").status_code == 403
    response = client.post(
        "/agencies/me/practitioners/", {"name": "X", "id_number": ID_NUMBER, "role": "staff"}
    )
    assert response.status_code == 403
    assert not Practitioner.objects.exists()


def test_users_outside_any_agency_have_no_self_service(client, owner_user):
    client.force_login(owner_user)
    assert client.get("/agencies/me/").status_code == 404
    client.logout()
    assert client.get("/agencies/me/").status_code == 302


# --- profile ----------------------------------------------------------------------------------


def test_profile_edit_saves_contacts_and_a_new_licence(agency, admin_client):
    old_licence = agency.business_licence.name
    response = admin_client.post(
        "/agencies/me/profile/",
        {
            "legal_representative": "新代表",
            "region": "眉山市东坡区",
            "address": "新地址",
            "contact_name": "新联系人",
            "contact_phone": "028-000",
            "business_licence": pdf_upload("new-licence.pdf"),
        },
    )
    assert response.status_code == 302
    agency.refresh_from_db()
    organisation = Organisation.objects.get(pk=agency.pk)
    assert agency.legal_representative == "新代表"
    assert organisation.region == "眉山市东坡区"
    # The new scan is kept, under a random name of the private storage (core/files.py).
    assert agency.business_licence.name != old_licence
    assert agency.business_licence.name.startswith("agencies/licences/")
    assert "new-licence" not in agency.business_licence.name
    with agency.business_licence.open("rb") as licence:
        assert licence.read() == PDF_BYTES


def test_workspace_shows_the_status_and_links_to_self_service(agency, admin_client):
    ServiceItemFactory()
    agency_scope_recompute(agency=agency)
    page = admin_client.get("/accounts/workspace/").content.decode()
    assert 'href="/agencies/me/"' in page
    assert 'href="/agencies/me/scope/"' in page


def test_every_self_service_page_renders_for_an_admin(agency, admin_client):
    qualification = QualificationFactory(agency=agency)
    ServiceItemFactory()
    agency_scope_recompute(agency=agency)
    practitioner = practitioner_add(
        actor=UserFactory(organisation=agency.organisation),
        agency=agency,
        name="冯二",
        id_number=ID_NUMBER,
    )
    affiliation_add(
        actor=UserFactory(organisation=agency.organisation),
        agency=agency,
        kind=Affiliation.Kind.SUPERVISING_DEPARTMENT,
        department=OrganisationFactory(kind=Role.APPROVAL_DEPARTMENT),
    )
    scope = agency.scope.filter(in_scope=True).first()
    for url in (
        "/agencies/me/",
        "/agencies/me/profile/",
        "/agencies/me/qualifications/",
        "/agencies/me/qualifications/add/",
        f"/agencies/me/qualifications/{qualification.pk}/edit/",
        "/agencies/me/practitioners/",
        f"/agencies/me/practitioners/{practitioner.pk}/remove/",
        "/agencies/me/affiliations/",
        "/agencies/me/scope/",
        f"/agencies/me/scope/{scope.pk}/",
        "/en/agencies/me/",
    ):
        assert admin_client.get(url).status_code == 200, url


def test_adding_and_renewing_a_certificate_through_the_pages(agency, admin_client):
    qualification_type = QualificationTypeFactory(grades=[])
    today = timezone.localdate()
    data = {
        "qualification_type": qualification_type.pk,
        "grade": "",
        "number": "NEW-1",
        "issuer": "眉山市住建局",
        "valid_from": (today - datetime.timedelta(days=1)).isoformat(),
        "valid_to": (today + datetime.timedelta(days=30)).isoformat(),
    }
    # The scan is required when adding.
    response = admin_client.post("/agencies/me/qualifications/add/", data)
    assert response.status_code == 200
    assert "scan" in response.context["form"].errors
    response = admin_client.post("/agencies/me/qualifications/add/", {**data, "scan": pdf_upload()})
    assert response.status_code == 302
    qualification = agency.qualifications.get()

    # Renewing keeps the scan on file when no new one is uploaded.
    renewed_to = today + datetime.timedelta(days=800)
    response = admin_client.post(
        f"/agencies/me/qualifications/{qualification.pk}/edit/",
        {**data, "valid_to": renewed_to.isoformat()},
    )
    assert response.status_code == 302
    qualification.refresh_from_db()
    assert qualification.valid_to == renewed_to
    assert qualification.scan

    # An expired end date is refused at the field.
    response = admin_client.post(
        f"/agencies/me/qualifications/{qualification.pk}/edit/",
        {
            **data,
            "valid_from": (today - datetime.timedelta(days=90)).isoformat(),
            "valid_to": (today - datetime.timedelta(days=1)).isoformat(),
        },
    )
    assert "valid_to" in response.context["form"].errors


def test_a_returned_agency_submits_again_from_its_overview(agency, admin_client):
    agency.status = "rejected"
    agency.save()
    assert 'action="/agencies/me/resubmit/"' in admin_client.get("/agencies/me/").content.decode()
    response = admin_client.post("/agencies/me/resubmit/")
    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.status == "pending"
    assert agency.review_due is not None


def test_r4_ties_end_only_by_a_regulator_who_may_also_record_one_and_both_stay_public(
    agency, admin, client
):
    department = OrganisationFactory(kind=Role.APPROVAL_DEPARTMENT)
    regulator = UserFactory(organisation=OrganisationFactory(kind=Role.REGULATOR))
    # A regulator records a tie the agency never declared; it needs the finding.
    with refused("finding_required"):
        affiliation_record(
            actor=regulator,
            agency=agency,
            kind=Affiliation.Kind.SUPERVISING_DEPARTMENT,
            department=department,
            finding=" ",
        )
    with refused("not_regulator"):
        affiliation_record(
            actor=admin,
            agency=agency,
            kind=Affiliation.Kind.SUPERVISING_DEPARTMENT,
            department=department,
            finding="自查",
        )
    tie = affiliation_record(
        actor=regulator,
        agency=agency,
        kind=Affiliation.Kind.SUPERVISING_DEPARTMENT,
        department=department,
        finding="该机构由区住建局主管，未申报",
    )
    # The agency has no way to remove it: the old removal address is gone,
    client.force_login(admin)
    assert client.post(f"/agencies/me/affiliations/{tie.pk}/remove/").status_code == 404
    # a regulator ends it with a reason, and both the finding and the end stay public.
    affiliation_end(actor=regulator, affiliation=tie, reason="已完成脱钩")
    with refused("already_ended"):
        affiliation_end(actor=regulator, affiliation=tie, reason="再次")
    page = client.get(f"/agencies/{agency.pk}/").content.decode()
    assert "该机构由区住建局主管，未申报" in page and "已完成脱钩" in page


def test_r3_an_agency_cannot_certify_itself(agency, admin, admin_client, regulator_client_user):
    """agency20's story: a certificate the agency typed in itself, or an expired one whose end
    date it edited to 2030, brings nothing into scope until a regulator has verified it."""
    survey = QualificationTypeFactory(grades=["一类", "二类"])
    needs_review = ServiceItemFactory()
    QualificationRequirementFactory(
        service_item=needs_review, qualification_type=survey, minimum_grade="二类"
    )
    today = timezone.localdate()
    response = admin_client.post(
        "/agencies/me/qualifications/add/",
        {
            "qualification_type": survey.pk,
            "grade": "一类",
            "number": "FAKE-SGT-0001",
            "issuer": "我自己",
            "valid_from": (today - datetime.timedelta(days=1)).isoformat(),
            "valid_to": (today + datetime.timedelta(days=700)).isoformat(),
            "scan": pdf_upload(),
        },
    )
    assert response.status_code == 302
    fake = Qualification.objects.get(number="FAKE-SGT-0001")
    assert fake.status == Qualification.Status.PENDING
    assert needs_review.pk not in _in_scope(agency)
    # The regulator sees it in the queue, with the scan and the deadline, and refuses it.
    regulator_client, regulator = regulator_client_user
    queue = regulator_client.get("/admin/agency-review/certificates/").content.decode()
    assert "FAKE-SGT-0001" in queue
    qualification_refuse(actor=regulator, qualification=fake, reason="发证机关无此证书")
    assert needs_review.pk not in _in_scope(agency)

    # A verified certificate the agency edits (its end date moved) goes back for verification.
    real = QualificationFactory(agency=agency, qualification_type=survey, grade="二类")
    agency_scope_recompute(agency=agency)
    assert needs_review.pk in _in_scope(agency)
    qualification_update(
        actor=admin,
        qualification=real,
        qualification_type=survey,
        grade="二类",
        number=real.number,
        issuer=real.issuer,
        valid_from=real.valid_from,
        valid_to=datetime.date(2030, 1, 1),
    )
    real.refresh_from_db()
    assert real.status == Qualification.Status.PENDING
    assert needs_review.pk not in _in_scope(agency)
    # Every step is on the public record.
    page = admin_client.get(f"/agencies/{agency.pk}/").content.decode()
    assert "发证机关无此证书" in page
