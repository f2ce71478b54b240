"""The catalogue's move out of `market` keeps every row: the demo's kind of data is written at
the old state, the move is applied, and the same rows, ids, links and permissions are there."""

import datetime
from decimal import Decimal

import pytest

# The test drops, rebuilds and migrates the test database back and forth, and pytest-django
# empties it afterwards; `restores_database` puts back the copy taken when the run began
# (tests/conftest.py), so what runs next — in this run or the next — finds it whole.
pytestmark = [
    pytest.mark.slow,
    pytest.mark.restores_database,
    pytest.mark.django_db(transaction=True),
]


BEFORE = [
    ("market", "0005_notice_list_index"),
    ("agencies", "0003_agency_credit_score"),
]
AFTER = [
    ("market", "0007_catalogue_models_moved"),
    ("agencies", "0004_catalogue_app"),
    ("catalogue", "0001_initial"),
]


def test_moving_the_catalogue_keeps_every_row(migrator):
    # Given a marketplace at the state before the move: an item with a requirement and a
    # version, an agency holding the qualification with the item in its scope, a request for
    # the item, and a content type a permission and the search index hang on.
    old = migrator.apply_initial_migration(BEFORE)
    Organisation = old.apps.get_model("accounts", "Organisation")
    ContentType = old.apps.get_model("contenttypes", "ContentType")
    department = Organisation.objects.create(name="区住建局", kind="approval_department")
    survey = old.apps.get_model("market", "QualificationType").objects.create(
        code="surveying", name="测绘资质", grades=["甲级", "乙级"]
    )
    item = old.apps.get_model("market", "ServiceItem").objects.create(
        code="PS-ZJ-010",
        name="房产测绘",
        approval_department=department,
        related_approval_item="不动产登记",
        legal_basis="《测绘法》",
        statutory_time_limit_days=10,
        fee_mode="market",
        status="published",
        version=1,
    )
    old.apps.get_model("market", "QualificationRequirement").objects.create(
        service_item=item, qualification_type=survey, minimum_grade="乙级"
    )
    old.apps.get_model("market", "ServiceItemVersion").objects.create(
        service_item=item,
        number=1,
        effective_date=datetime.date(2026, 11, 2),
        reason="发布",
        changed_fields=["status"],
        snapshot={},
        status="published",
    )
    agency_org = Organisation.objects.create(name="测绘院", kind="agency")
    agency = old.apps.get_model("agencies", "Agency").objects.create(
        organisation=agency_org, legal_representative="张三", status="active"
    )
    old.apps.get_model("agencies", "Qualification").objects.create(
        agency=agency,
        qualification_type=survey,
        grade="甲级",
        number="CH-001",
        issuer="四川省自然资源厅",
        valid_from=datetime.date(2025, 1, 1),
        valid_to=datetime.date(2028, 1, 1),
    )
    old.apps.get_model("agencies", "AgencyServiceScope").objects.create(
        agency=agency, service_item=item
    )
    owner = Organisation.objects.create(name="业主", kind="project_owner")
    project = old.apps.get_model("market", "Project").objects.create(
        owner=owner, name="项目", investment_code="2026-1", region="彭山区", funding="state"
    )
    old.apps.get_model("market", "PurchaseRequest").objects.create(
        number="ZJCG-2026-0001", project=project, service_item=item, budget=Decimal("9000")
    )
    content_type = ContentType.objects.get_or_create(app_label="market", model="serviceitem")[0]

    # When the move is applied
    new = migrator.apply_tested_migration(AFTER)

    # Then the same rows are there under the catalogue, linked as before
    moved = new.apps.get_model("catalogue", "ServiceItem").objects.get(pk=item.pk)
    assert (moved.code, moved.approval_department_id) == ("PS-ZJ-010", department.pk)
    assert moved.requirements.get().qualification_type.code == "surveying"
    assert moved.versions.get().reason == "发布"
    assert new.apps.get_model("agencies", "Qualification").objects.get().qualification_type_id == (
        survey.pk
    )
    assert new.apps.get_model("agencies", "AgencyServiceScope").objects.get().service_item_id == (
        item.pk
    )
    purchase_request = new.apps.get_model("market", "PurchaseRequest").objects.get()
    assert purchase_request.service_item.code == "PS-ZJ-010"
    # and what hangs on the content type (permissions, search entries) follows it.
    assert new.apps.get_model("contenttypes", "ContentType").objects.get(
        pk=content_type.pk
    ).app_label == ("catalogue")
