import datetime

import pytest
from django.core.management import call_command
from django.urls import resolve
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import Page

from accounts.models import Organisation, Role, User
from agencies.models import Agency, Qualification
from agencies.restrictions import bar_reasons
from catalogue.models import RegionalAssessmentKind, ServiceItem
from cms import demo_data
from cms.models import NewsPage, NoticeCentrePage, PolicyPage, PortalSettings, ServiceGuidePage
from contracts.clock import contract_due_on, contract_started_on, is_overdue
from contracts.models import (
    Contract,
    ContractSignature,
    ContractTemplateVersion,
    Deliverable,
    Party,
)
from contracts.signing import pdf_signatures
from core.models import CalendarDay, Region
from core.workdays import year_is_provisional
from credit.models import Complaint, Rating, RepairRequest
from credit.selectors import blacklist_current
from market.models import Project, ProjectClassification, PurchaseRequest, Quote, RegionalAssessment

# Loading the demo takes seconds: it hashes passwords and lets real deadlines pass.
pytestmark = [pytest.mark.django_db, pytest.mark.slow]

SEED_DEPARTMENTS = {
    "区行政审批局",
    "区住建局",
    "区自然资源和规划局",
    "彭山生态环境局",
    "区水利局",
    "区应急管理局",
    "区发展改革局",
    "区市场监管局",
}


def _counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "users": User.objects.count(),
        "items": ServiceItem.objects.count(),
        "projects": Project.objects.count(),
        "requests": PurchaseRequest.objects.count(),
        "model_contract_versions": ContractTemplateVersion.objects.count(),
        "contracts": Contract.objects.count(),
        "signatures": ContractSignature.objects.count(),
        "deliverables": Deliverable.objects.count(),
        "pages": Page.objects.count(),
    }


def test_seed_demo_loads_the_seed_and_can_run_again():
    call_command("seed_demo", verbosity=0)
    first = _counts()
    assert first["contracts"] == len(demo_data.CONTRACT_SCENARIOS)
    call_command("seed_demo", verbosity=0)
    assert _counts() == first  # no second contract, signature or model contract either

    names = set(Organisation.objects.values_list("name", flat=True))
    assert names >= SEED_DEPARTMENTS
    assert Organisation.objects.filter(kind=Role.AGENCY).count() >= 30
    assert Organisation.objects.filter(kind=Role.PROJECT_OWNER).count() >= 5
    published = ServiceItem.objects.filter(status=ServiceItem.Status.PUBLISHED)
    assert set(published.values_list("regional_assessment_kind", flat=True)) >= set(
        RegionalAssessmentKind.values
    )
    for name in ("工程造价咨询", "测绘", "施工图设计文件审查"):
        assert published.filter(name__contains=name).exists(), name


def test_seed_demo_gives_one_working_login_per_role():
    call_command("seed_demo", verbosity=0)
    roles = set()
    for username, _, _ in demo_data.DEMO_USERS:
        user = User.objects.get(username=username)
        assert user.check_password(demo_data.DEMO_PASSWORD)
        roles.add(user.role)
    assert roles == {*Role, None}  # None: the platform administrator
    assert User.objects.get(username="admin").is_superuser


def test_seed_scale_bulk_creates_the_numbers_asked_for():
    call_command("seed_demo", verbosity=0)
    agencies = Organisation.objects.filter(kind=Role.AGENCY).count()
    requests = PurchaseRequest.objects.count()

    call_command("seed_scale", agencies=250, requests=130, verbosity=0)
    call_command("seed_scale", agencies=10, requests=5, verbosity=0)

    assert Organisation.objects.filter(kind=Role.AGENCY).count() == agencies + 260
    assert PurchaseRequest.objects.count() == requests + 135


def test_seed_demo_shows_the_rules_holding_after_the_gate(client):
    call_command("seed_demo", verbosity=0)
    # A certificate waits for a regulator (R3: no self-certifying),
    assert Qualification.objects.filter(status=Qualification.Status.PENDING).exists()
    # a quote stopped counting when a tie was found after it was made, and says why (R4),
    invalid = Quote.objects.get(purchase_request__service_item__code="PS-ZJ-018", valid=False)
    assert invalid.invalid_reason == "该机构与审批本服务的部门存在关联关系。"
    assert invalid.purchase_request.status == PurchaseRequest.Status.AWARDED
    # a quote stopped counting when the issuing authority's register showed the agency's
    # certificate had ended (R3), the end corrected on the certificate's public record,
    ended = Quote.objects.get(purchase_request__service_item__code="PS-ZJ-012", valid=False)
    assert ended.invalid_reason == "该机构未持有本服务所需的有效资质。"
    certificate = ended.agency.qualifications.get()
    assert certificate.expired and "演示数据" in certificate.status_events.latest("pk").note
    assert ended.purchase_request.status == PurchaseRequest.Status.AWARDED
    assert ended.purchase_request.winner != ended.agency
    # and a split purchase was refused: the second small request stayed a draft (R2).
    statuses = set(
        PurchaseRequest.objects.filter(service_item__code="PS-ZJ-021").values_list(
            "status", flat=True
        )
    )
    assert statuses == {PurchaseRequest.Status.QUOTING, PurchaseRequest.Status.DRAFT}

    # Regions are a tree: the park's assessment covers the zone inside it (R8). The lithium
    # project there asked to be special or major; its department has not answered, so it is
    # still covered. The pipeline project is confirmed.
    zone = Region.objects.get(name="青龙工业园")
    assert [region.name for region in zone.get_ancestors()] == ["眉山市彭山区", "彭山经济开发区"]
    assessment = RegionalAssessment.objects.get()
    assert list(assessment.areas.values_list("name", flat=True)) == ["彭山经济开发区"]
    lithium = Project.objects.get(region=zone)
    assert not lithium.is_special_or_major
    assert lithium.classifications.get().status == ProjectClassification.Status.PENDING
    assert Project.objects.get(name="成眉石化园区公共管廊工程").is_special_or_major
    # Next year's sample schedule is entered but not confirmed: a 30-working-day service
    # started today ends next year, shown as provisional (暂定).
    next_year = timezone.localdate().year + 1
    if year_is_provisional(next_year):
        assert CalendarDay.objects.filter(date__year=next_year, note__contains="示例数据").exists()
        page = client.get("/catalogue/PS-ZJ-001/")
        assert page.context["time_limit_ends"].year == next_year
        assert "暂定" in page.content.decode()


def test_seed_demo_has_a_contract_in_every_state_made_through_the_services():
    call_command("seed_demo", verbosity=0)
    Status = Contract.Status
    contracts = Contract.objects.select_related("purchase_request", "agency__organisation")
    statuses = sorted(contracts.values_list("status", flat=True))
    assert statuses == sorted(
        [
            Status.AWAITING_AGENCY,
            Status.AWAITING_OWNER,
            Status.IN_FORCE,  # running, on time
            Status.IN_FORCE,  # overdue across 国庆
            Status.DELIVERED,
            Status.ACCEPTED,
            Status.RETURNED,
            # Other agencies' finished services, for ratings.
            Status.ACCEPTED,
            Status.ACCEPTED,
            Status.ACCEPTED,
        ]
    )
    # Every contract in each state comes from a confirmed award of the demo's agency login,
    # and every contract from the item's approved model contract (R5).
    for contract in contracts:
        if contract.status != Status.ACCEPTED:
            assert contract.agency.organisation.members.filter(username="agency").exists()
        assert contract.template_version.status == ContractTemplateVersion.Status.APPROVED
        assert contract.purchase_request.status in (
            PurchaseRequest.Status.CONFIRMED,
            PurchaseRequest.Status.CONTRACTED,
        )
    # The owner-first model contract waits for the agency after the owner's signature.
    waiting = contracts.get(status=Status.AWAITING_AGENCY)
    assert waiting.signing_order == ContractTemplateVersion.SigningOrder.OWNER_FIRST
    assert [s.party for s in ContractSignature.objects.filter(version__contract=waiting)] == [
        Party.OWNER
    ]
    # A contract signed by both carries two signatures, intact, trusted and timestamped.
    accepted = contracts.get(
        status=Status.ACCEPTED, agency__organisation__members__username="agency"
    )
    with accepted.versions.get().pdf.open("rb") as handle:
        reports = pdf_signatures(handle.read())
    assert len(reports) == 2
    assert all(r.intact and r.valid and r.trusted and r.timestamped for r in reports)
    assert not any(r.tampered for r in reports)
    assert accepted.used_workdays is not None
    returned = contracts.get(status=Status.RETURNED)
    assert returned.milestones.get().deliverables.get().answer == demo_data.RETURN_REASONS

    # R10: the overdue contract came into force on 2026-09-22 with 10 working days; 中秋 and
    # 国庆 are skipped and Saturday 10-10 is worked, so it was due on 10-13 and is overdue.
    (overdue,) = [c for c in contracts.filter(status=Status.IN_FORCE) if is_overdue(c)]
    assert contract_started_on(overdue) == datetime.date(2026, 9, 22)
    assert overdue.time_limit_days == 10
    assert contract_due_on(overdue) == datetime.date(2026, 10, 13)
    assert not overdue.milestones.get().deliverables.exists()


def test_r5_seed_demo_model_contracts_approved_and_one_flagged_version_waiting():
    call_command("seed_demo", verbosity=0)
    approved = ContractTemplateVersion.objects.filter(
        status=ContractTemplateVersion.Status.APPROVED
    )
    assert set(approved.values_list("template__service_item__code", flat=True)) == set(
        demo_data.MODEL_CONTRACTS
    )
    for version in approved:
        # No unfair clause, and none read into the preview's sample facts either.
        assert version.findings == []
        assert version.decided_by.username == "regulator"
    assert approved.get(template__service_item__code="PS-ZJ-001").written_by.username == (
        "approval"
    )
    (waiting,) = ContractTemplateVersion.objects.filter(
        status=ContractTemplateVersion.Status.SUBMITTED
    )
    assert waiting.template.service_item.code == demo_data.FLAGGED_MODEL_CONTRACT[0]
    assert waiting.number == 2
    assert [f["code"] for f in waiting.unanswered_high] == ["agency_only_termination"]
    assert "乙方有权单方解除合同" in waiting.unanswered_high[0]["excerpt"]


def test_r11_r12_seed_demo_credit_grades_a_to_d_complaints_blacklist_and_repair(client):
    call_command("seed_demo", verbosity=0)
    grades = set(Agency.objects.values_list("credit_grade", flat=True))
    assert grades == {"A", "B", "C", "D"}
    # Every grade is the one its latest record explains.
    for agency in Agency.objects.exclude(credit_grade="B"):
        record = agency.credit_records.order_by("-computed_at", "-pk").first()
        assert (record.score, record.grade) == (agency.credit_score, agency.credit_grade)
    assert Rating.objects.filter(status=Rating.Status.COUNTED).count() >= 3
    assert Rating.objects.filter(status=Rating.Status.UNDER_REVIEW).count() == 1
    assert Complaint.objects.exclude(status=Complaint.Status.ANSWERED).count() == 2
    assert RepairRequest.objects.filter(status=RepairRequest.Status.PENDING).count() == 1

    # The blacklisted agency is graded D, and its banned manager's new agency is barred with
    # the reason on its page.
    (entry,) = blacklist_current()
    assert entry.agency.credit_grade == "D"
    (person,) = entry.banned_persons.all()
    joined = Agency.objects.exclude(pk=entry.agency_id).get(
        practitioners__id_number_hash=person.id_number_hash, practitioners__active=True
    )
    assert person.name in " ".join(bar_reasons(joined))
    page = client.get(f"/agencies/{joined.pk}/").content.decode()
    assert person.name in page and person.masked_id_number in page
    listing = client.get("/credit/blacklist/").content.decode()
    assert entry.agency.organisation.name in listing and person.masked_id_number in listing


def test_seed_demo_publishes_the_portal_and_its_editors(client):
    call_command("seed_demo", verbosity=0)
    # The action plan and each of its annexes, in sections under their headings.
    policies = PolicyPage.objects.live()
    assert policies.count() == len(demo_data.action_plan_documents()) == 7
    plan = policies.get(slug="action-plan-2020")
    headings = [block.value for block in plan.body if block.block_type == "heading"]
    assert headings[0] == "一、总体要求" and len(headings) == 6
    page = client.get(plan.url).content.decode()
    assert "<h2>六、保障措施</h2>" in page
    annex = policies.get(slug="action-plan-2020-annex-4")
    assert annex.title == "眉山市彭山区规范行政审批中介服务专项行动方案"

    assert NewsPage.objects.live().count() == len(demo_data.NEWS)
    guides = ServiceGuidePage.objects.live()
    assert set(guides.values_list("service_item__code", flat=True)) == set(
        demo_data.SERVICE_GUIDE_PAGES
    )
    guide = guides.get(service_item__code="PS-ZJ-001")
    assert guide.url in client.get("/catalogue/PS-ZJ-001/").content.decode()
    # Every page the demo publishes is reached at its address, not shadowed by a route of the
    # marketplace (the notice centre once had the slug of the notices' list, /notices/).
    for live in Page.objects.live().filter(depth__gt=1):
        assert resolve(live.url).url_name == "wagtail_serve", live.url
    centre = NoticeCentrePage.objects.live().get()
    assert client.get(centre.url, {"type": "award"}).status_code == 200
    assert centre.url in client.get("/").content.decode()

    settings_row = PortalSettings.objects.get()
    assert settings_row.icp_number == demo_data.PORTAL_SETTINGS["icp_number"]
    assert settings_row.icp_number in client.get("/").content.decode()

    for username, _regulator, _name, group in demo_data.EDITORIAL_USERS:
        user = User.objects.get(username=username)
        assert user.check_password(demo_data.DEMO_PASSWORD)
        assert list(
            user.groups.exclude(name=Role.REGULATOR.value).values_list("name", flat=True)
        ) == [group]
        assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()
