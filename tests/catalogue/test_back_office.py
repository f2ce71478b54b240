import pytest
from django.utils import timezone

from accounts.models import Role
from catalogue.models import QualificationType, ServiceItem
from catalogue.services import service_item_publish
from tests.accounts.factories import OrganisationFactory
from tests.catalogue.factories import (
    PublishableServiceItemFactory,
    QualificationTypeFactory,
    ServiceItemFactory,
)

pytestmark = pytest.mark.django_db


def _form_data(item: ServiceItem, **changes) -> dict:
    data = {
        "code": item.code,
        "name": item.name,
        "summary": item.summary,
        "approval_department": item.approval_department_id,
        "related_approval_item": item.related_approval_item,
        "legal_basis": item.legal_basis,
        "legal_references": item.legal_references,
        "statutory_time_limit_days": item.statutory_time_limit_days,
        "fee_mode": item.fee_mode,
        "fee_basis": item.fee_basis,
        "fee_amount": item.fee_amount or "",
        "fee_ceiling": item.fee_ceiling or "",
        "reference_price_low": item.reference_price_low or "",
        "reference_price_high": item.reference_price_high or "",
        "guide_materials": item.guide_materials,
        "guide_steps": item.guide_steps,
        "guide_deliverables": item.guide_deliverables,
        "regional_assessment_kind": item.regional_assessment_kind,
        "requirements_text": "",
    }
    data.update(changes)
    return data


def test_creating_in_the_back_office_makes_a_draft(client, regulator_user):
    template = PublishableServiceItemFactory.build(
        approval_department=OrganisationFactory(kind=Role.APPROVAL_DEPARTMENT)
    )
    QualificationTypeFactory(name="测绘资质")
    client.force_login(regulator_user)
    response = client.post(
        "/admin/service_items/new/",
        _form_data(template, code="BO-1", requirements_text="测绘资质:乙级"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item = ServiceItem.objects.get(code="BO-1")
    assert item.status == ServiceItem.Status.DRAFT
    assert item.requirements.get().minimum_grade == "乙级"


def test_a_fee_error_shows_at_its_field(client, regulator_user):
    template = PublishableServiceItemFactory.build(
        approval_department=OrganisationFactory(kind=Role.APPROVAL_DEPARTMENT)
    )
    client.force_login(regulator_user)
    response = client.post(
        "/admin/service_items/new/", _form_data(template, code="BO-2", reference_price_high="")
    )
    assert response.status_code == 200
    assert "reference_price_high" in response.context["form"].errors
    assert not ServiceItem.objects.filter(code="BO-2").exists()


def test_editing_a_published_item_needs_a_date_and_reason(client, regulator_user):
    item = PublishableServiceItemFactory()
    service_item_publish(user=regulator_user, service_item=item)
    client.force_login(regulator_user)
    url = f"/admin/service_items/edit/{item.pk}/"

    response = client.post(url, _form_data(item, name="新名称", change_effective_date=""))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"change_effective_date", "change_reason"}

    response = client.post(
        url,
        _form_data(
            item,
            name="新名称",
            change_effective_date=timezone.localdate().isoformat(),
            change_reason="规范名称",
        ),
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.name == "新名称"
    assert item.versions.get(number=2).reason == "规范名称"


def test_publish_and_retire_are_confirmed_actions(client, regulator_user):
    item = PublishableServiceItemFactory()
    client.force_login(regulator_user)

    assert client.get(f"/admin/service_items/publish/{item.pk}/").status_code == 200
    item.refresh_from_db()
    assert item.status == ServiceItem.Status.DRAFT  # a GET only asks
    assert client.post(f"/admin/service_items/publish/{item.pk}/", {}).status_code == 302
    item.refresh_from_db()
    assert item.status == ServiceItem.Status.PUBLISHED

    response = client.post(f"/admin/service_items/retire/{item.pk}/", {"reason": ""})
    assert response.status_code == 200
    assert (
        client.post(f"/admin/service_items/retire/{item.pk}/", {"reason": "事项取消"}).status_code
        == 302
    )
    item.refresh_from_db()
    assert item.status == ServiceItem.Status.RETIRED


def test_regulators_export_the_catalogue(client, regulator_user):
    item = PublishableServiceItemFactory()
    client.force_login(regulator_user)
    csv_response = client.get("/admin/service_items/export/?format=csv")
    assert csv_response.status_code == 200
    assert item.code in csv_response.content.decode("utf-8-sig")
    xlsx_response = client.get("/admin/service_items/export/?format=xlsx")
    assert xlsx_response.content[:2] == b"PK"


@pytest.mark.parametrize("user_fixture", ["owner_user", "agency_user", "approval_user"])
def test_only_regulators_publish_import_and_export(client, request, user_fixture):
    item = PublishableServiceItemFactory()
    client.force_login(request.getfixturevalue(user_fixture))
    for url in (
        f"/admin/service_items/publish/{item.pk}/",
        "/admin/service_items/import/",
        "/admin/service_items/export/",
    ):
        assert client.get(url).status_code in (302, 403)
    client.post(f"/admin/service_items/publish/{item.pk}/", {})
    item.refresh_from_db()
    assert item.status == ServiceItem.Status.DRAFT


def test_qualification_types_take_grades_as_a_list(client, regulator_user):
    client.force_login(regulator_user)
    response = client.post(
        "/admin/qualification_types/new/",
        {"code": "survey", "name": "测绘资质", "grades": "甲级，乙级\n丙级", "legal_basis": ""},
    )
    assert response.status_code == 302
    assert QualificationType.objects.get(code="survey").grades == ["甲级", "乙级", "丙级"]

    # The list shows them as Chinese writes a series, not as the list they are stored in.
    listing = client.get("/admin/qualification_types/").content.decode()
    assert "甲级、乙级、丙级" in listing and "['甲级'" not in listing


def test_back_office_pages_render(client, regulator_user):
    item = PublishableServiceItemFactory()
    draft = PublishableServiceItemFactory()
    service_item_publish(user=regulator_user, service_item=item)
    client.force_login(regulator_user)
    index = client.get("/admin/service_items/").content.decode()
    assert "/admin/service_items/import/" in index
    edit = client.get(f"/admin/service_items/edit/{item.pk}/").content.decode()
    assert 'name="change_reason"' in edit
    assert f"/admin/service_items/retire/{item.pk}/" in edit
    draft_edit = client.get(f"/admin/service_items/edit/{draft.pk}/").content.decode()
    assert 'name="change_reason"' not in draft_edit
    assert f"/admin/service_items/publish/{draft.pk}/" in draft_edit
    assert client.get("/admin/service_items/import/").status_code == 200
    assert client.get("/admin/service_items/new/").status_code == 200


def test_the_back_office_finds_items_by_code_or_name(client, regulator_user):
    """Issue 9's finding: /admin/service_items/?q=… answered 500 ("no such column: code")."""
    ServiceItemFactory(name="环境影响评价文件编制", code="PS-ZJ-901")
    ServiceItemFactory(name="房产测绘", code="PS-ZJ-902")
    client.force_login(regulator_user)
    for query in ("PS-ZJ-901", "环境影响"):
        response = client.get("/admin/service_items/", {"q": query})
        assert response.status_code == 200
        html = response.content.decode()
        assert "PS-ZJ-901" in html and "PS-ZJ-902" not in html
