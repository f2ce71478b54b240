import datetime
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from agencies.models import AgencyServiceScope
from catalogue.models import FeeMode, ServiceItem, ServiceItemVersion
from catalogue.services import (
    RequirementSpec,
    requirements_format,
    requirements_parse,
    service_item_create,
    service_item_publish,
    service_item_retire,
    service_item_update,
    service_item_values,
    service_item_versions_apply_due,
)
from catalogue.tasks import catalogue_versions_apply_due
from tests.agencies.factories import QualificationFactory
from tests.catalogue.factories import PublishableServiceItemFactory, QualificationTypeFactory
from tests.refusals import refused

pytestmark = pytest.mark.django_db

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def _published(user, **kwargs) -> ServiceItem:
    item = PublishableServiceItemFactory(**kwargs)
    service_item_publish(user=user, service_item=item)
    item.refresh_from_db()
    return item


def _values(item: ServiceItem, **changes) -> dict:
    values = service_item_values(item)
    values.update(changes)
    return values


def test_creating_an_item_makes_a_draft(regulator_user):
    template = PublishableServiceItemFactory.build(
        approval_department=PublishableServiceItemFactory().approval_department
    )
    item = service_item_create(
        user=regulator_user, values=_values(template, code="NEW-1"), requirements=[]
    )
    assert item.status == ServiceItem.Status.DRAFT
    assert item.versions.count() == 0


def test_only_regulators_may_change_the_catalogue(owner_user):
    item = PublishableServiceItemFactory()
    with refused("not_catalogue_keeper"):
        service_item_publish(user=owner_user, service_item=item)


def test_r1_every_change_to_a_published_item_is_a_version_with_date_and_reason(regulator_user):
    item = _published(regulator_user, name="地质灾害危险性评估")
    assert item.version == 1

    # Without a date and a reason, nothing changes.
    with refused("change_needs_date_and_reason") as problem:
        service_item_update(
            user=regulator_user,
            service_item=item,
            values=_values(item, statutory_time_limit_days=15),
            requirements=[],
        )
    assert set(problem.value.extra) == {"effective_date", "reason"}
    item.refresh_from_db()
    assert item.statutory_time_limit_days == 20

    today = timezone.localdate()
    version = service_item_update(
        user=regulator_user,
        service_item=item,
        values=_values(item, statutory_time_limit_days=15),
        requirements=[],
        effective_date=today,
        reason="压缩服务时限",
    )
    item.refresh_from_db()
    assert item.statutory_time_limit_days == 15
    assert item.version == version.number == 2
    assert version.effective_date == today
    assert version.reason == "压缩服务时限"
    assert version.changed_fields == ["statutory_time_limit_days"]
    assert version.snapshot["statutory_time_limit_days"] == 15
    assert version.created_by == regulator_user
    assert version.applied_at is not None


def test_r1_an_unchanged_save_of_a_published_item_is_refused(regulator_user):
    item = _published(regulator_user)
    with refused("nothing_changed"):
        service_item_update(
            user=regulator_user,
            service_item=item,
            values=_values(item),
            requirements=[],
            effective_date=timezone.localdate(),
            reason="无",
        )


def test_editing_a_draft_just_saves_it(regulator_user):
    item = PublishableServiceItemFactory()
    assert (
        service_item_update(
            user=regulator_user,
            service_item=item,
            values=_values(item, name="改名"),
            requirements=[],
        )
        is None
    )
    item.refresh_from_db()
    assert item.name == "改名"
    assert item.versions.count() == 0


@time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI), tick=False)
def test_r1_future_version_applied_on_its_date(regulator_user):
    item = _published(regulator_user)
    version = service_item_update(
        user=regulator_user,
        service_item=item,
        values=_values(item, statutory_time_limit_days=10),
        requirements=[],
        effective_date=datetime.date(2026, 3, 10),
        reason="调整时限",
    )
    item.refresh_from_db()
    assert item.statutory_time_limit_days == 20  # scheduled, not yet in force
    assert version.applied_at is None

    assert service_item_versions_apply_due() == 0

    with time_machine.travel(datetime.datetime(2026, 3, 10, 0, 5, tzinfo=SHANGHAI), tick=False):
        assert service_item_versions_apply_due() == 1
        assert service_item_versions_apply_due() == 0  # a second run changes nothing
        catalogue_versions_apply_due()
    item.refresh_from_db()
    version.refresh_from_db()
    assert item.statutory_time_limit_days == 10
    assert item.version == version.number
    assert item.effective_date == datetime.date(2026, 3, 10)
    assert version.applied_at is not None
    assert ServiceItemVersion.objects.filter(service_item=item).count() == 2


def test_r1_a_change_cannot_be_dated_before_one_already_scheduled(regulator_user):
    item = _published(regulator_user)
    today = timezone.localdate()
    service_item_update(
        user=regulator_user,
        service_item=item,
        values=_values(item, statutory_time_limit_days=10),
        requirements=[],
        effective_date=today + datetime.timedelta(days=10),
        reason="调整时限",
    )
    with refused("change_needs_date_and_reason") as problem:
        service_item_update(
            user=regulator_user,
            service_item=item,
            values=_values(item, name="新名称"),
            requirements=[],
            effective_date=today + datetime.timedelta(days=5),
            reason="改名",
        )
    assert "effective_date" in problem.value.extra


AMOUNTS = ("fee_amount", "fee_ceiling", "reference_price_low", "reference_price_high")


@pytest.mark.parametrize(
    ("fee_mode", "amounts", "bad_fields"),
    [
        (FeeMode.GOVERNMENT_SET, {"fee_amount": "5000"}, set()),
        (FeeMode.GOVERNMENT_SET, {}, {"fee_amount"}),
        (FeeMode.GOVERNMENT_SET, {"fee_amount": "0"}, {"fee_amount"}),
        (FeeMode.GOVERNMENT_SET, {"fee_amount": "5000", "fee_ceiling": "6000"}, {"fee_ceiling"}),
        (FeeMode.GOVERNMENT_GUIDANCE, {"fee_ceiling": "6000"}, set()),
        (FeeMode.GOVERNMENT_GUIDANCE, {"fee_ceiling": "-1"}, {"fee_ceiling"}),
        (
            FeeMode.GOVERNMENT_GUIDANCE,
            {"fee_ceiling": "6000", "reference_price_low": "1"},
            {"reference_price_low"},
        ),
        (FeeMode.MARKET, {"reference_price_low": "100", "reference_price_high": "100"}, set()),
        (FeeMode.MARKET, {"reference_price_low": "100"}, {"reference_price_high"}),
        (
            FeeMode.MARKET,
            {"reference_price_low": "900", "reference_price_high": "100"},
            {"reference_price_high"},
        ),
        (
            FeeMode.MARKET,
            {"reference_price_low": "0", "reference_price_high": "100"},
            {"reference_price_low"},
        ),
        (
            FeeMode.MARKET,
            {"reference_price_low": "1", "reference_price_high": "2", "fee_amount": "3"},
            {"fee_amount"},
        ),
    ],
)
def test_r2_fee_amounts_must_match_the_fee_mode(regulator_user, fee_mode, amounts, bad_fields):
    template = PublishableServiceItemFactory()
    values = _values(template, code="FEE-1", fee_mode=fee_mode, **dict.fromkeys(AMOUNTS))
    values.update({field: Decimal(value) for field, value in amounts.items()})
    if not bad_fields:
        item = service_item_create(user=regulator_user, values=values, requirements=[])
        assert item.fee_mode == fee_mode
        return
    with refused("invalid_item") as problem:
        service_item_create(user=regulator_user, values=values, requirements=[])
    assert set(problem.value.extra) == bad_fields
    assert not ServiceItem.objects.filter(code="FEE-1").exists()


@pytest.mark.parametrize(
    "missing", ["legal_basis", "guide_materials", "guide_steps", "guide_deliverables"]
)
def test_r10_cannot_publish_without_a_complete_guide(regulator_user, missing):
    item = PublishableServiceItemFactory(**{missing: ""})
    with refused("guide_incomplete") as problem:
        service_item_publish(user=regulator_user, service_item=item)
    assert missing in problem.value.extra
    item.refresh_from_db()
    assert item.status == ServiceItem.Status.DRAFT
    assert item.versions.count() == 0


def test_retiring_needs_a_reason_and_takes_agencies_out_of_scope(regulator_user):
    item = _published(regulator_user)
    scope = AgencyServiceScope.objects.create(
        agency=QualificationFactory().agency, service_item=item, in_scope=True
    )
    with refused("reason_required"):
        service_item_retire(user=regulator_user, service_item=item, reason=" ")
    version = service_item_retire(user=regulator_user, service_item=item, reason="已取消该事项")
    item.refresh_from_db()
    scope.refresh_from_db()
    assert item.status == ServiceItem.Status.RETIRED
    assert version.status == ServiceItem.Status.RETIRED
    assert scope.in_scope is False


def test_publishing_brings_qualified_agencies_into_scope(regulator_user):
    survey = QualificationTypeFactory(name="测绘资质")
    holder = QualificationFactory(qualification_type=survey, grade="甲级")
    item = PublishableServiceItemFactory()
    service_item_update(
        user=regulator_user,
        service_item=item,
        values=_values(item),
        requirements=[RequirementSpec(1, survey, "乙级")],
    )
    service_item_publish(user=regulator_user, service_item=item)
    assert AgencyServiceScope.objects.filter(
        agency=holder.agency, service_item=item, in_scope=True
    ).exists()


def test_requirements_need_a_grade_the_type_has(regulator_user):
    survey = QualificationTypeFactory(name="测绘资质")
    item = PublishableServiceItemFactory()
    with refused("invalid_item") as problem:
        service_item_update(
            user=regulator_user,
            service_item=item,
            values=_values(item),
            requirements=[RequirementSpec(1, survey, "特级")],
        )
    assert "requirements" in problem.value.extra


def test_requirements_written_compactly_read_back_the_same():
    QualificationTypeFactory(name="测绘资质")
    QualificationTypeFactory(name="工程勘察资质")
    QualificationTypeFactory(name="地质灾害评估资质", code="geohazard")
    text = "测绘资质:乙级+工程勘察资质:丙级|地质灾害评估资质:丙级"
    specs = requirements_parse(text)
    assert [
        (spec.alternative, spec.qualification_type.name, spec.minimum_grade) for spec in specs
    ] == [
        (1, "测绘资质", "乙级"),
        (1, "工程勘察资质", "丙级"),
        (2, "地质灾害评估资质", "丙级"),
    ]
    assert requirements_format(specs) == text
    assert requirements_parse("geohazard：甲级")[0].qualification_type.name == "地质灾害评估资质"
    with refused("unknown_qualification"):
        requirements_parse("不存在的资质:甲级")
