"""Violations on an agency's credit record (R11), tried as the party who gains from getting
round each rule would try: an agency recording or deciding its own, appealing twice, an event
seen twice making two violations, bad input half saved."""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from agencies.services.expiry import qualifications_expire
from agencies.services.scope import agency_scope_recompute
from contracts.models import Contract
from contracts.services.delivery import delivery_accept
from credit.models import Complaint, ComplaintEvent, Violation
from credit.selectors import blacklist_current
from credit.services.blacklist import blacklist_add
from credit.services.violations import (
    contracts_violations_sweep,
    violation_appeal,
    violation_appeal_decide,
    violation_record,
)
from credit.signals import credit_inputs_changed
from market.models import AwardDecline, PurchaseRequest
from market.services.selection import award_decline
from market.signals import award_declined
from tests.accounts.factories import OrganisationFactory
from tests.agencies.factories import AgencyFactory, QualificationFactory, pdf_upload
from tests.catalogue.factories import QualificationRequirementFactory, ServiceItemFactory
from tests.contracts.factories import ContractFactory, admin_of
from tests.market.factories import PurchaseRequestFactory
from tests.market.scenario import NOW, Market, close_and_draw
from tests.refusals import refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def agency():
    return AgencyFactory()


@pytest.fixture
def regulator(regulator_user):
    return regulator_user


def record(regulator, agency, **changes):
    values = {
        "actor": regulator,
        "agency": agency,
        "kind": Violation.Kind.FALSE_REPORT,
        "severity": Violation.Severity.SERIOUS,
        "facts": "环评报告大段抄袭他人报告",
        "evidence": "比对结果：重复率 82%",
        "legal_basis": "彭山区行动方案附件4（十一）",
        "authority": regulator.organisation,
        "occurred_on": timezone.localdate() - datetime.timedelta(days=3),
        **changes,
    }
    return violation_record(**values)


def test_r11_a_regulator_records_a_violation_and_the_score_is_told(
    regulator, agency, django_capture_on_commit_callbacks
):
    listener = mock.Mock()
    credit_inputs_changed.connect(listener, dispatch_uid="test-violations")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            violation = record(regulator, agency, evidence_file=pdf_upload())
    finally:
        credit_inputs_changed.disconnect(dispatch_uid="test-violations")

    assert violation.status == Violation.Status.IN_FORCE
    assert violation.source == Violation.Source.REGULATOR
    assert violation.recorded_by == regulator and violation.evidence_file
    assert listener.call_args.kwargs["agency_id"] == agency.pk


def test_r11_the_agency_cannot_record_or_decide_its_own_violation(regulator, agency):
    agency_admin = admin_of(agency.organisation)
    with refused("not_regulator"):
        record(agency_admin, agency, authority=regulator.organisation)
    violation = record(regulator, agency)
    violation_appeal(actor=agency_admin, violation=violation, text="报告系原创")

    with refused("not_regulator"):
        violation_appeal_decide(
            actor=agency_admin, violation=violation, upheld=False, decision="自行撤销"
        )
    violation.refresh_from_db()
    assert violation.status == Violation.Status.APPEALED


def test_r11_bad_input_is_reported_all_at_once_and_nothing_saved(regulator, agency):
    before = Violation.objects.count()
    with refused("invalid") as caught:
        record(
            regulator,
            agency,
            kind="bribery",
            severity="awful",
            facts=" ",
            evidence="",
            legal_basis="",
            authority=OrganisationFactory(kind=Role.AGENCY),
            occurred_on=timezone.localdate() + datetime.timedelta(days=1),
            evidence_file=pdf_upload("evil.pdf", b"MZ\x90\x00 not a pdf"),
        )

    assert set(caught.value.extra) == {
        "kind",
        "severity",
        "facts",
        "evidence",
        "legal_basis",
        "authority",
        "occurred_on",
        "evidence_file",
    }
    assert Violation.objects.count() == before


def test_r11_a_violation_from_a_complaint_shows_in_the_complaints_progress(regulator, agency):
    now = timezone.now()
    complaint = Complaint.objects.create(
        number="TS-2026-0001",
        category=Complaint.Category.CONDUCT,
        agency=agency,
        content="报告抄袭",
        complainant_name="李四",
        complainant_contact="13800000000",
        submitted_at=now,
        acknowledge_due=now.date(),
        answer_due=now.date(),
    )

    violation = record(regulator, agency, complaint=complaint)

    assert violation.source == Violation.Source.COMPLAINT and violation.complaint == complaint
    assert complaint.events.get().kind == ComplaintEvent.Kind.VIOLATION_OPENED
    with refused("invalid") as caught:
        record(regulator, AgencyFactory(), complaint=complaint)
    assert set(caught.value.extra) == {"complaint"}


def test_r11_a_violation_is_appealed_once_and_upheld_with_a_decision(regulator, agency):
    violation = record(regulator, agency)
    agency_admin = admin_of(agency.organisation)
    with refused("not_agency_admin"):
        violation_appeal(
            actor=admin_of(AgencyFactory().organisation), violation=violation, text="不服"
        )
    with refused("appeal_required"):
        violation_appeal(actor=agency_admin, violation=violation, text=" ")

    violation = violation_appeal(actor=agency_admin, violation=violation, text="报告系原创")
    assert violation.status == Violation.Status.APPEALED
    with refused("already_appealed"):
        violation_appeal(actor=agency_admin, violation=violation, text="再次申诉")
    with refused("decision_required"):
        violation_appeal_decide(actor=regulator, violation=violation, upheld=True, decision="")

    violation = violation_appeal_decide(
        actor=regulator, violation=violation, upheld=True, decision="经复核，抄袭属实"
    )
    assert violation.status == Violation.Status.IN_FORCE
    assert violation.appeal_decision == "经复核，抄袭属实"
    # Decided, it cannot be appealed again.
    with refused("already_appealed"):
        violation_appeal(actor=agency_admin, violation=violation, text="再次申诉")
    with refused("not_appealed"):
        violation_appeal_decide(actor=regulator, violation=violation, upheld=False, decision="x")


def test_r11_an_appeal_granted_annuls_the_violation_and_lifts_its_blacklisting(regulator, agency):
    violation = record(regulator, agency)
    entry = blacklist_add(
        actor=regulator,
        violation=violation,
        reason="抄袭报告",
        authority=regulator.organisation,
        legal_basis="彭山区行动方案附件4（十一）",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + datetime.timedelta(days=365),
    )
    violation_appeal(
        actor=admin_of(agency.organisation), violation=violation, text="重复率计算有误"
    )

    violation = violation_appeal_decide(
        actor=regulator, violation=violation, upheld=False, decision="重复部分为法规原文"
    )

    assert violation.status == Violation.Status.ANNULLED
    entry.refresh_from_db()
    assert entry.lifted_at is not None and "法规原文" in entry.lifted_reason
    assert not blacklist_current().exists()


# Recorded by the system ---------------------------------------------------------------------


def test_r11_a_declined_award_makes_one_violation_however_often_it_is_seen():
    request = PurchaseRequestFactory(status=PurchaseRequest.Status.AWARDED)
    decline = AwardDecline.objects.create(
        purchase_request=request, agency=AgencyFactory(), reason="人手不足"
    )

    for _ in range(2):
        award_declined.send(sender=AwardDecline, decline_id=decline.pk)

    violation = Violation.objects.get()
    assert violation.kind == Violation.Kind.ABANDONED_SELECTION
    assert violation.source == Violation.Source.SYSTEM
    assert violation.agency == decline.agency and violation.purchase_request == request
    assert violation.authority == request.service_item.approval_department
    assert violation.event_key == f"decline:{decline.pk}" and violation.legal_basis


def test_r11_an_award_set_aside_by_an_objection_is_no_violation():
    decline = AwardDecline.objects.create(
        purchase_request=PurchaseRequestFactory(),
        agency=AgencyFactory(),
        by_objection=True,
    )

    award_declined.send(sender=AwardDecline, decline_id=decline.pk)

    assert not Violation.objects.exists()


def test_r11_the_winner_declining_through_the_market_is_recorded(
    time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOW, tick=False)
    market = Market()
    purchase_request = market.published()
    for index in range(3):
        market.quote(purchase_request, index, str(90000 + index))
    purchase_request = close_and_draw(time_machine, purchase_request)
    winner = purchase_request.winner

    with django_capture_on_commit_callbacks(execute=True):
        award_decline(
            actor=market.admins[market.agencies.index(winner)],
            purchase_request=purchase_request,
            reason="人员不足",
        )

    assert Violation.objects.get().agency == winner


def _long_overdue(**changes) -> Contract:
    """In force since 2026-09-01 with 10 working days: by 2026-11-02 far past its limit."""
    return ContractFactory(
        in_force_at=datetime.datetime(2026, 9, 1, 2, 0, tzinfo=datetime.UTC), **changes
    )


def test_r11_a_contract_unfinished_long_past_its_limit_is_recorded_once():
    overdue = _long_overdue()
    ContractFactory()  # in force today: not late

    today = datetime.date(2026, 11, 2)
    made = contracts_violations_sweep(today=today)
    assert contracts_violations_sweep(today=today) == []

    violation = Violation.objects.get(pk__in=made)
    assert violation.kind == Violation.Kind.LATE_DELIVERY and violation.contract == overdue
    assert violation.event_key == f"late:{overdue.pk}"


def test_r11_a_contract_only_a_few_days_late_is_no_violation():
    # In force Tuesday 2026-10-20 with 10 working days: due 11-03; on 11-17, 10 days late.
    ContractFactory(in_force_at=datetime.datetime(2026, 10, 20, 2, 0, tzinfo=datetime.UTC))

    assert contracts_violations_sweep(today=datetime.date(2026, 11, 17)) == []
    assert len(contracts_violations_sweep(today=datetime.date(2026, 11, 18))) == 1


def test_r11_work_accepted_long_past_its_limit_is_recorded_on_acceptance(
    time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(datetime.datetime(2026, 11, 3, 2, 0, tzinfo=datetime.UTC), tick=False)
    contract = _long_overdue(
        status=Contract.Status.DELIVERED, paused_since=datetime.date(2026, 11, 2)
    )

    with django_capture_on_commit_callbacks(execute=True):
        delivery_accept(actor=admin_of(contract.owner), contract=contract)

    violation = Violation.objects.get()
    assert violation.kind == Violation.Kind.LATE_DELIVERY and violation.agency == contract.agency


def test_r11_work_going_on_after_the_required_certificate_expired_is_recorded_once(
    time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(datetime.datetime(2026, 11, 2, 2, 0, tzinfo=datetime.UTC), tick=False)
    requirement = QualificationRequirementFactory(service_item=ServiceItemFactory())
    certificate = QualificationFactory(
        qualification_type=requirement.qualification_type,
        valid_to=datetime.date(2026, 11, 10),
    )
    agency = certificate.agency
    agency_scope_recompute(agency=agency)
    contract = ContractFactory(
        agency=agency, purchase_request__service_item=requirement.service_item
    )

    # The daily expiry task marks the certificate; the scope shrinks and the credit system
    # hears of it.
    time_machine.move_to(datetime.datetime(2026, 11, 11, 2, 0, tzinfo=datetime.UTC), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        qualifications_expire(today=datetime.date(2026, 11, 11))
    contracts_violations_sweep(today=datetime.date(2026, 11, 11))

    violation = Violation.objects.get()
    assert violation.kind == Violation.Kind.EXPIRED_QUALIFICATION
    assert violation.contract == contract
    assert violation.event_key == f"expired:{contract.pk}:{certificate.pk}"
    assert violation.severity == Violation.Severity.SERIOUS


def test_r11_the_agency_is_told_of_a_violation_recorded_against_it(
    regulator, agency, django_capture_on_commit_callbacks
):
    agency_admin = admin_of(agency.organisation)
    other_agency_admin = admin_of(AgencyFactory().organisation)
    with django_capture_on_commit_callbacks(execute=True):
        record(regulator, agency)

    (message,) = mail.outbox
    assert message.to == [agency_admin.email] and other_agency_admin.email not in message.to
    assert "/credit/violations/" in message.body and "环评报告大段抄袭他人报告" in message.body
