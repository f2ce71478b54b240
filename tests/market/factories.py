from decimal import Decimal

import factory

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
