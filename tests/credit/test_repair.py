"""Credit repair (信用修复, R11) and the sanctions' pages, tried as the party who gains from
getting round each rule would try: another agency asking to repair a rival's record, asking
twice, an agency deciding its own request, the evidence leaking onto the public page."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from credit.models import BlacklistEntry, Complaint, ComplaintEvent, RepairRequest, Violation
from credit.services.blacklist import blacklist_add
from credit.services.repair import repair_decide, repair_request_submit
from credit.services.violations import violation_appeal, violation_record
from market.selectors import eligible_agencies
from tests.accounts.factories import OrganisationFactory
from tests.agencies.factories import AgencyFactory, pdf_upload
from tests.contracts.factories import admin_of
from tests.market.scenario import NOW, Market
from tests.refusals import refused

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 2)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def violation_of(agency, regulator, severity=Violation.Severity.SERIOUS):
    return violation_record(
        actor=regulator,
        agency=agency,
        kind=Violation.Kind.RAISED_FEES,
        severity=severity,
        facts="合同外另收费用三万元",
        evidence="业主提供的转账记录",
        legal_basis="彭山区行动方案附件4（十一）",
        authority=regulator.organisation,
        occurred_on=TODAY - datetime.timedelta(days=20),
    )


def ask(violation, actor=None, **changes):
    return repair_request_submit(
        actor=actor or admin_of(violation.agency.organisation),
        violation=violation,
        statement=changes.pop("statement", "已全额退还多收费用，并整改收费制度"),
        **changes,
    )


def test_r11_granted_repair_stops_the_violation_and_lifts_its_blacklisting(
    clock, regulator_user, django_capture_on_commit_callbacks
):
    market = Market()
    agency = market.agencies[0]
    violation = violation_of(agency, regulator_user)
    entry = blacklist_add(
        actor=regulator_user,
        violation=violation,
        reason="违规收费",
        authority=regulator_user.organisation,
        legal_basis="彭山区行动方案附件4（十一）",
        starts_on=TODAY,
        ends_on=datetime.date(2027, 6, 30),
        persons=[],
    )
    purchase_request = market.published()
    assert agency not in eligible_agencies(purchase_request=purchase_request)

    request = ask(violation, evidence=pdf_upload("退款凭证.pdf"))
    with refused("not_regulator"):
        repair_decide(
            actor=admin_of(agency.organisation), request=request, granted=True, decision="x"
        )
    with refused("decision_required"):
        repair_decide(actor=regulator_user, request=request, granted=True, decision=" ")
    with django_capture_on_commit_callbacks(execute=True):
        repair_decide(
            actor=regulator_user, request=request, granted=True, decision="已退还费用，准予修复"
        )

    violation.refresh_from_db()
    entry.refresh_from_db()
    assert violation.status == Violation.Status.REPAIRED
    assert entry.lifted_at is not None and "准予修复" in entry.lifted_reason
    assert agency in eligible_agencies(purchase_request=purchase_request)
    with refused("already_decided"):
        repair_decide(actor=regulator_user, request=request, granted=False, decision="改判")
    # The outcome is public, the statement and evidence are not.
    html = Client().get(reverse("credit:blacklist") + "?tab=repairs").content.decode()
    assert "准予修复" in html and agency.organisation.name in html
    assert "退还多收费用" not in html and "退款凭证" not in html
    past = Client().get(reverse("credit:blacklist") + "?tab=past").content.decode()
    assert agency.organisation.name in past


def test_r11_repair_of_another_agencys_violation_is_refused(regulator_user):
    violation = violation_of(AgencyFactory(), regulator_user)

    with refused("not_agency_admin"):
        ask(violation, actor=admin_of(AgencyFactory().organisation))
    assert not RepairRequest.objects.exists()


def test_r11_one_repair_request_waits_at_a_time_and_a_refused_one_changes_nothing(
    regulator_user,
):
    violation = violation_of(AgencyFactory(), regulator_user)
    request = ask(violation)

    with refused("repair_pending"):
        ask(violation)
    repair_decide(actor=regulator_user, request=request, granted=False, decision="证据不足")
    violation.refresh_from_db()
    assert violation.status == Violation.Status.IN_FORCE
    assert ask(violation).status == RepairRequest.Status.PENDING


def test_r11_a_repair_request_reports_every_problem_at_once_and_saves_nothing(regulator_user):
    violation = violation_of(AgencyFactory(), regulator_user)

    with refused("invalid") as caught:
        ask(violation, statement=" ", evidence=pdf_upload("x.pdf", b"<html>not a pdf</html>"))

    assert set(caught.value.extra) == {"statement", "evidence"}
    assert not RepairRequest.objects.exists()


def test_r11_only_a_violation_in_force_is_repaired(regulator_user):
    violation = violation_of(AgencyFactory(), regulator_user)
    violation_appeal(
        actor=admin_of(violation.agency.organisation), violation=violation, text="不服"
    )

    with refused("not_in_force"):
        ask(violation)


# Pages ------------------------------------------------------------------------------------------


def test_the_agency_appeals_and_asks_for_repair_from_its_violations_page(regulator_user):
    agency = AgencyFactory()
    first, second = violation_of(agency, regulator_user), violation_of(agency, regulator_user)
    violation_of(AgencyFactory(), regulator_user)  # someone else's: not listed
    client = Client()
    client.force_login(admin_of(agency.organisation))

    page = client.get(reverse("credit:violations_mine"))
    assert page.status_code == 200
    assert reverse("credit:violation_appeal", args=[first.pk]) in page.content.decode()

    response = client.post(reverse("credit:violation_appeal", args=[first.pk]), {"text": "不服"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.status == Violation.Status.APPEALED

    response = client.post(
        reverse("credit:violation_repair", args=[second.pk]),
        {"statement": "已退还", "evidence": pdf_upload()},
    )
    assert response.status_code == 302
    assert second.repair_requests.get().evidence

    # Bad evidence comes back on the form, nothing saved.
    response = client.post(
        reverse("credit:violation_repair", args=[second.pk]), {"statement": "再次申请"}
    )
    assert response.status_code == 200 and second.repair_requests.count() == 1


def test_another_agency_cannot_open_a_violation_page(regulator_user):
    violation = violation_of(AgencyFactory(), regulator_user)
    client = Client()
    client.force_login(admin_of(AgencyFactory().organisation))

    assert client.get(reverse("credit:violation_appeal", args=[violation.pk])).status_code == 404
    assert client.get(reverse("credit:violation_repair", args=[violation.pk])).status_code == 404


def test_the_back_office_records_from_a_complaint_lists_and_blacklists(clock, regulator_user):
    agency = AgencyFactory()
    now = timezone.now()
    complaint = Complaint.objects.create(
        number="TS-2026-0002",
        category=Complaint.Category.FEE,
        agency=agency,
        content="多收费",
        complainant_name="李四",
        complainant_contact="13800000000",
        submitted_at=now,
        acknowledge_due=now.date(),
        answer_due=now.date(),
    )
    client = Client()
    client.force_login(regulator_user)

    form = client.get(reverse("violations:record") + f"?complaint={complaint.pk}")
    assert form.status_code == 200 and complaint.number in form.content.decode()
    response = client.post(
        reverse("violations:record") + f"?complaint={complaint.pk}",
        {
            "agency": agency.pk,
            "complaint": complaint.pk,
            "kind": Violation.Kind.RAISED_FEES,
            "severity": Violation.Severity.GRAVE,
            "occurred_on": "2026-10-20",
            "facts": "合同外收费",
            "evidence": "转账记录",
            "authority": regulator_user.organisation.pk,
            "legal_basis": "附件4（十一）",
        },
    )
    violation = Violation.objects.get()
    assert response.status_code == 302 and violation.complaint == complaint
    assert complaint.events.filter(kind=ComplaintEvent.Kind.VIOLATION_OPENED).exists()

    assert client.get(reverse("violations:list") + "?severity=grave").status_code == 200
    detail = reverse("violations:detail", args=[violation.pk])
    assert client.get(detail).status_code == 200
    # The blacklist form without an end date: the error is shown, nothing saved.
    response = client.post(
        detail,
        {
            "action": "blacklist",
            "blacklist-reason": "严重违规收费",
            "blacklist-authority": regulator_user.organisation.pk,
            "blacklist-legal_basis": "附件4（十一）",
            "blacklist-starts_on": "2026-11-02",
        },
    )
    assert response.status_code == 200 and not BlacklistEntry.objects.exists()
    response = client.post(
        detail,
        {
            "action": "blacklist",
            "blacklist-reason": "严重违规收费",
            "blacklist-authority": regulator_user.organisation.pk,
            "blacklist-legal_basis": "附件4（十一）",
            "blacklist-starts_on": "2026-11-02",
            "blacklist-ends_on": "2027-11-02",
        },
    )
    assert response.status_code == 302 and BlacklistEntry.objects.get().agency == agency
    assert client.get(reverse("repairs:list")).status_code == 200


def test_the_back_office_decides_repairs_and_is_closed_to_others(regulator_user):
    violation = violation_of(AgencyFactory(), regulator_user)
    request = ask(violation, evidence=pdf_upload())
    client = Client()
    client.force_login(regulator_user)

    queue = client.get(reverse("repairs:list")).content.decode()
    assert reverse("repairs:decide", args=[request.pk]) in queue
    assert client.get(reverse("repairs:evidence", args=[request.pk])).status_code == 200
    response = client.post(
        reverse("repairs:decide", args=[request.pk]),
        {f"repair-{request.pk}-granted": "0", f"repair-{request.pk}-decision": "证据不足"},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RepairRequest.Status.REFUSED

    outsider = Client()
    outsider.force_login(admin_of(OrganisationFactory(kind=Role.APPROVAL_DEPARTMENT)))
    for name in ("violations:list", "violations:record", "repairs:list"):
        assert outsider.get(reverse(name)).status_code in (302, 403)
