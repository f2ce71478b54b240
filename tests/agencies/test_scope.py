import datetime

import pytest
from django.utils import timezone

from agencies.models import Affiliation
from agencies.services import agency_scope_recompute, scopes_recompute_for_item
from catalogue.models import ServiceItem
from tests.agencies.factories import (
    AgencyFactory,
    QualificationFactory,
)
from tests.catalogue.factories import (
    QualificationRequirementFactory,
    QualificationTypeFactory,
    ServiceItemFactory,
)

pytestmark = pytest.mark.django_db


def _in_scope(agency) -> set[int]:
    return set(agency.scope.filter(in_scope=True).values_list("service_item_id", flat=True))


def test_r3_scope_follows_valid_qualifications_at_or_above_the_minimum_grade():
    survey = QualificationTypeFactory(name="测绘资质")
    item = ServiceItemFactory(name="房产测绘")
    QualificationRequirementFactory(
        service_item=item, qualification_type=survey, minimum_grade="乙级"
    )
    higher = QualificationFactory(qualification_type=survey, grade="甲级").agency
    lower = QualificationFactory(qualification_type=survey, grade="丙级").agency

    assert item.pk in agency_scope_recompute(agency=higher)
    assert item.pk not in agency_scope_recompute(agency=lower)


def test_r3_an_expired_certificate_does_not_count_even_before_the_daily_task():
    item = ServiceItemFactory()
    requirement = QualificationRequirementFactory(service_item=item)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    qualification = QualificationFactory(
        qualification_type=requirement.qualification_type,
        valid_from=yesterday - datetime.timedelta(days=400),
        valid_to=yesterday,
    )
    assert agency_scope_recompute(agency=qualification.agency) == set()


def test_any_one_complete_alternative_qualifies():
    first, second, third = QualificationTypeFactory.create_batch(3)
    item = ServiceItemFactory()
    QualificationRequirementFactory(service_item=item, alternative=1, qualification_type=first)
    QualificationRequirementFactory(service_item=item, alternative=1, qualification_type=second)
    QualificationRequirementFactory(service_item=item, alternative=2, qualification_type=third)

    only_first = QualificationFactory(qualification_type=first).agency
    both = QualificationFactory(qualification_type=first).agency
    QualificationFactory(agency=both, qualification_type=second)
    alternative = QualificationFactory(qualification_type=third).agency

    assert agency_scope_recompute(agency=only_first) == set()
    assert agency_scope_recompute(agency=both) == {item.pk}
    assert agency_scope_recompute(agency=alternative) == {item.pk}


def test_r4_an_agency_tied_to_a_department_never_serves_its_approvals():
    item = ServiceItemFactory()
    other_item = ServiceItemFactory()
    agency = AgencyFactory()
    Affiliation.objects.create(
        agency=agency,
        kind=Affiliation.Kind.SUPERVISING_DEPARTMENT,
        department=item.approval_department,
    )
    assert agency_scope_recompute(agency=agency) == {other_item.pk}


def test_items_without_requirements_are_open_to_every_agency_but_drafts_are_not():
    open_item = ServiceItemFactory()
    ServiceItemFactory(status=ServiceItem.Status.DRAFT)
    assert agency_scope_recompute(agency=AgencyFactory()) == {open_item.pk}


def test_losing_and_regaining_scope_keeps_the_agency_settings():
    item = ServiceItemFactory(statutory_time_limit_days=30)
    agency = AgencyFactory()
    agency_scope_recompute(agency=agency)
    agency.scope.filter(service_item=item).update(committed_time_limit_days=20)

    item.status = ServiceItem.Status.RETIRED
    item.save()
    scopes_recompute_for_item(service_item=item)
    assert _in_scope(agency) == set()

    item.status = ServiceItem.Status.PUBLISHED
    item.save()
    scopes_recompute_for_item(service_item=item)
    assert _in_scope(agency) == {item.pk}
    assert agency.scope.get(service_item=item).committed_time_limit_days == 20
