from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import Role
from market.models import Project, PurchaseRequest
from tests.accounts.factories import OrganisationFactory
from tests.catalogue.factories import ServiceItemFactory
from tests.core.factories import RegionFactory


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    owner = factory.SubFactory(OrganisationFactory, kind=Role.PROJECT_OWNER)
    name = factory.Sequence(lambda n: f"测试项目{n}")
    investment_code = factory.Sequence(lambda n: f"2026-511403-48-01-{n:06d}")
    region = factory.SubFactory(RegionFactory, name="彭山区")
    funding = Project.Funding.STATE


class PurchaseRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PurchaseRequest

    number = factory.Sequence(lambda n: f"ZJCG-T-{n:06d}")
    project = factory.SubFactory(ProjectFactory)
    service_item = factory.SubFactory(ServiceItemFactory)
    budget = Decimal("100000.00")
    status = PurchaseRequest.Status.PUBLISHED
    # As purchase_request_publish leaves it: every request past draft was published once.
    published_at = factory.LazyAttribute(
        lambda request: None if request.status == PurchaseRequest.Status.DRAFT else timezone.now()
    )
