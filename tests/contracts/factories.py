import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from contracts.models import Contract, ContractTemplate, ContractTemplateVersion, Milestone
from contracts.pdf import ContractPrint
from market.models import PurchaseRequest, Quote
from tests.accounts.factories import TEST_PASSWORD, UserFactory
from tests.agencies.factories import AgencyFactory
from tests.catalogue.factories import ServiceItemFactory
from tests.market.factories import PurchaseRequestFactory

# A model contract with no unfair clause (contracts/clauses.py finds nothing in it).
FAIR_BODY = """合同编号：{{ contract_number }}
甲方：{{ owner }}　乙方：{{ agency }}
第一条　乙方为{{ project }}提供{{ service }}（{{ service_code }}）服务。
第二条　服务费人民币{{ fee }}元，成果经甲方验收合格后十个工作日内支付。
第三条　乙方自合同生效之日起{{ time_limit_days }}个工作日内交付成果。
第四条　任何一方违约的，应赔偿对方因此受到的实际损失。
第五条　争议由项目所在地人民法院管辖。"""


class ContractTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContractTemplate

    service_item = factory.SubFactory(ServiceItemFactory)


class ContractTemplateVersionFactory(factory.django.DjangoModelFactory):
    """An approved version, as template_version_decide leaves one."""

    class Meta:
        model = ContractTemplateVersion

    template = factory.SubFactory(ContractTemplateFactory)
    number = factory.Sequence(lambda n: n + 1)
    body = FAIR_BODY
    status = ContractTemplateVersion.Status.APPROVED
    written_by = factory.SubFactory(UserFactory)
    decided_at = factory.LazyFunction(timezone.now)


class ContractFactory(factory.django.DjangoModelFactory):
    """A contract in force, as the signing services leave one (without its versions: tests of
    the signing path make contracts through contract_create)."""

    class Meta:
        model = Contract

    number = factory.Sequence(lambda n: f"ZJHT-T-{n:04d}")
    agency = factory.SubFactory(AgencyFactory)
    purchase_request = factory.SubFactory(
        PurchaseRequestFactory,
        status=PurchaseRequest.Status.CONTRACTED,
        winner=factory.SelfAttribute("..agency"),
    )
    owner = factory.LazyAttribute(lambda contract: contract.purchase_request.project.owner)
    template_version = factory.SubFactory(
        ContractTemplateVersionFactory,
        template__service_item=factory.SelfAttribute("...purchase_request.service_item"),
    )
    fee = Decimal("80000.00")
    time_limit_days = 10
    statutory_time_limit_days = 20
    signing_order = ContractTemplateVersion.SigningOrder.AGENCY_FIRST
    status = Contract.Status.IN_FORCE
    in_force_at = factory.LazyFunction(timezone.now)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    contract = factory.SubFactory(ContractFactory)
    number = 1
    title = "交付全部成果"
    due_workday = factory.LazyAttribute(lambda milestone: milestone.contract.time_limit_days)


def confirmed_award(*, template=True, signing_order="agency_first", **names) -> PurchaseRequest:
    """A purchase request whose award is confirmed, the winner's quote opened at 86 000 yuan
    with 15 working days committed, and (unless told) an approved model contract for its item.
    `names` may name the agency (agency__organisation__name) and the owner
    (project__owner__name)."""
    agency = AgencyFactory(
        **{key.removeprefix("agency__"): value for key, value in names.items() if "agency" in key}
    )
    request = PurchaseRequestFactory(
        status=PurchaseRequest.Status.CONFIRMED,
        winner=agency,
        service_item__statutory_time_limit_days=30,
        **{key: value for key, value in names.items() if key.startswith("project")},
    )
    Quote.objects.create(
        purchase_request=request,
        agency=agency,
        sealed="sealed",
        receipt="r" * 64,
        committed_time_limit_days=15,
        submitted_at=timezone.now(),
        opened_amount=Decimal("86000.00"),
    )
    if template:
        ContractTemplateVersionFactory(
            template__service_item=request.service_item, signing_order=signing_order
        )
    return request


def admin_of(organisation, **changes):
    return UserFactory(organisation=organisation, **changes)


def drawn_contract(**award) -> Contract:
    """A contract made through the services and drawn: waiting for its first signature."""
    from contracts.services.lifecycle import contract_create, contract_render

    contract = contract_create(purchase_request=confirmed_award(**award))
    contract_render(version=contract.versions.get())
    contract.refresh_from_db()
    return contract


def signed_contract(**award) -> Contract:
    """A contract signed by both parties' administrators, in force."""
    from contracts.services.lifecycle import contract_sign

    contract = drawn_contract(**award)
    signers = {"agency": contract.agency.organisation, "owner": contract.owner}
    order = ["agency", "owner"] if contract.signing_order == "agency_first" else ["owner", "agency"]
    for party in order:
        contract_sign(
            actor=admin_of(signers[party]),
            contract=contract,
            party=party,
            password=TEST_PASSWORD,
        )
    contract.refresh_from_db()
    return contract


def print_facts(**changes) -> ContractPrint:
    """The facts of a printed contract (contracts/pdf.py), without a database."""
    values = {
        "number": "ZJHT-2026-000123",
        "version": 1,
        "title": "环境影响评价文件编制 技术服务合同",
        "owner_name": "眉山市彭山区示例建设有限公司",
        "agency_name": "四川示例工程咨询有限公司",
        "project_name": "彭山区示例道路工程",
        "service_name": "环境影响评价文件编制",
        "fee": Decimal("100000.00"),
        "time_limit_days": 20,
        "text": "第一条　乙方按本合同约定提供服务。",
        "verify_url": "https://zjcs.example.gov.cn/contracts/verify/ZJHT-2026-000123/?v=1&t=8f3a",
        # 06:30 UTC is 14:30 in Beijing.
        "made_at": datetime.datetime(2026, 3, 5, 6, 30, tzinfo=datetime.UTC),
    }
    return ContractPrint(**{**values, **changes})
