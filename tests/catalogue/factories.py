from decimal import Decimal

import factory

from accounts.models import Role
from catalogue.models import (
    FeeMode,
    QualificationRequirement,
    QualificationType,
    ServiceItem,
)
from tests.accounts.factories import OrganisationFactory


class ServiceItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceItem

    code = factory.Sequence(lambda n: f"T-ZJ-{n:04d}")
    name = factory.Sequence(lambda n: f"测试服务事项{n}")
    approval_department = factory.SubFactory(OrganisationFactory, kind=Role.APPROVAL_DEPARTMENT)
    related_approval_item = "建设项目审批"
    legal_basis = "《中华人民共和国行政许可法》"
    statutory_time_limit_days = 20
    fee_mode = FeeMode.MARKET
    status = ServiceItem.Status.PUBLISHED


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

    service_item = factory.SubFactory(ServiceItemFactory)
    alternative = 1
    qualification_type = factory.SubFactory(QualificationTypeFactory)
    minimum_grade = "乙级"


class PublishableServiceItemFactory(ServiceItemFactory):
    """An item whose content passes every catalogue rule: fees for its mode (R2), a legal
    basis and a complete guide (R10). A draft unless told otherwise."""

    status = ServiceItem.Status.DRAFT
    legal_references = "《中华人民共和国行政许可法》第十二条"
    reference_price_low = Decimal("3000.00")
    reference_price_high = Decimal("8000.00")
    guide_materials = "项目批准文件\n用地红线图"
    guide_steps = "网上选取中介机构\n签订合同\n提交成果"
    guide_deliverables = "评估报告"
