import datetime

import factory
from django.utils import timezone

from accounts.models import Role
from agencies.models import Agency, Qualification
from market.models import QualificationRequirement, QualificationType
from tests.accounts.factories import OrganisationFactory


class QualificationTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QualificationType
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"qual-{n}")
    name = factory.Sequence(lambda n: f"测试资质{n}")
    grades = ["甲级", "乙级", "丙级"]


class QualificationRequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QualificationRequirement

    service_item = factory.SubFactory("tests.market.factories.ServiceItemFactory")
    alternative = 1
    qualification_type = factory.SubFactory(QualificationTypeFactory)
    minimum_grade = "乙级"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    organisation = factory.SubFactory(OrganisationFactory, kind=Role.AGENCY)
    legal_representative = "张三"
    status = Agency.Status.ACTIVE


class QualificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Qualification

    agency = factory.SubFactory(AgencyFactory)
    qualification_type = factory.SubFactory(QualificationTypeFactory)
    grade = "甲级"
    number = factory.Sequence(lambda n: f"ZZ-{n:08d}")
    issuer = "四川省自然资源厅"
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=365))
    valid_to = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=365))
