"""The credit score and grade (R11; docs/credit.md): the two worked examples of the document
reproduced exactly, and the recompute tried the ways it could go wrong — a query per agency,
history written when nothing changed, a blacklisted agency graded by its score, annulled or
repaired violations still deducting, inputs older than the window still counting."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from agencies.models import Agency
from contracts.models import Contract, ContractEvent
from contracts.selectors import delivery_metrics
from credit import score_tasks
from credit.models import BlacklistEntry, CreditRecord, Inspection, Rating, Violation
from credit.services.scoring import ScoreInputs, credit_recompute, credit_score_of
from market.models import AwardDecline, PurchaseRequestEvent
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.agencies.factories import AgencyFactory
from tests.contracts.factories import ContractFactory
from tests.market.factories import PurchaseRequestFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 30, 10, 0, tzinfo=datetime.UTC)


def _violation(agency, *, severity="minor", status="in_force", occurred_on=None, kind=None):
    return Violation.objects.create(
        agency=agency,
        kind=kind or Violation.Kind.ABANDONED_SELECTION,
        severity=severity,
        facts="放弃中选资格",
        evidence="系统记录",
        authority=OrganisationFactory(kind=Role.REGULATOR),
        legal_basis="《中介超市管理办法》第二十条",
        occurred_on=occurred_on or timezone.localdate(NOW) - datetime.timedelta(days=30),
        decided_at=NOW,
        source=Violation.Source.REGULATOR,
        status=status,
    )


def _rating(agency, rater, scores, *, rated_at=None, status=Rating.Status.COUNTED):
    contract = ContractFactory(
        agency=agency, status=Contract.Status.ACCEPTED, used_workdays=None, in_force_at=NOW
    )
    organisation = (
        contract.owner if rater == "owner" else OrganisationFactory(kind=Role.APPROVAL_DEPARTMENT)
    )
    return Rating.objects.create(
        contract=contract,
        rater=rater,
        organisation=organisation,
        agency=agency,
        rated_by=UserFactory(organisation=organisation),
        rated_at=rated_at or NOW - datetime.timedelta(days=10),
        status=status,
        **scores,
    )


def _owner(quality, timeliness, attitude, fees, conduct):
    return {
        "quality": quality,
        "timeliness": timeliness,
        "attitude": attitude,
        "fees": fees,
        "conduct": conduct,
    }


def _inspection(agency, result, *, on=None):
    regulator = OrganisationFactory(kind=Role.REGULATOR)
    return Inspection.objects.create(
        agency=agency,
        inspected_on=on or timezone.localdate(NOW) - datetime.timedelta(days=20),
        authority=regulator,
        result=result,
        findings="档案齐全",
        recorded_by=UserFactory(organisation=regulator),
        recorded_at=NOW,
    )


def _finished(agency, *, used, limit=10, accepted_at=None):
    return ContractFactory(
        agency=agency,
        status=Contract.Status.ACCEPTED,
        time_limit_days=limit,
        used_workdays=used,
        accepted_at=accepted_at or NOW - datetime.timedelta(days=15),
    )


def _blacklist(agency, violation):
    regulator = OrganisationFactory(kind=Role.REGULATOR)
    today = timezone.localdate(NOW)
    return BlacklistEntry.objects.create(
        agency=agency,
        violation=violation,
        reason="出具虚假报告",
        authority=regulator,
        legal_basis="《中介超市管理办法》第二十二条",
        starts_on=today - datetime.timedelta(days=5),
        ends_on=today + datetime.timedelta(days=360),
        listed_by=UserFactory(organisation=regulator),
        listed_at=NOW,
    )


# The worked examples of docs/credit.md ------------------------------------------------------

EXAMPLE_1 = ScoreInputs(
    owner_ratings=[[1, 24, 5], [2, 23, 5], [3, 20, 5], [4, 24, 5]],
    department_ratings=[[5, 9, 2]],
    inspections=[[1, "passed"]],
    finished=5,
    on_time=4,
    terminated=0,
    awards_kept=5,
    awards_declined=1,
    violations=[
        {"id": 1, "kind": "abandoned_selection", "severity": "minor", "occurred_on": "2026-05-01"}
    ],
)
EXAMPLE_2 = ScoreInputs(
    violations=[
        {"id": 2, "kind": "false_report", "severity": "serious", "occurred_on": "2026-06-01"}
    ],
    blacklisted=True,
)


def test_r11_worked_example_1_an_established_agency():
    score, grade, breakdown = credit_score_of(EXAMPLE_1)

    components = breakdown["components"]
    assert components["owner_ratings"]["mean_value"] == "4.55"
    assert components["owner_ratings"]["value"] == "88.8"  # (4.55 − 1) ÷ 4 × 100 = 88.75
    assert components["regulator_assessments"]["value"] == "93.8"  # (87.5 + 100) ÷ 2 = 93.75
    rates = components["platform_behaviour"]["rates"]
    assert [rates[name]["rate"] for name in ("on_time", "fulfilment", "response")] == [
        "0.8",
        "1",
        "0.8333",
    ]
    assert components["platform_behaviour"]["value"] == "87.8"  # (0.8 + 1 + 5/6) ÷ 3 × 100
    assert breakdown["weighted"] == "90.1"  # 44.4 + 28.14 + 17.56
    assert breakdown["deductions"]["total"] == 3
    assert (score, grade) == (Decimal("87.1"), "B")


def test_r11_worked_example_2_a_blacklisted_newcomer():
    score, grade, breakdown = credit_score_of(EXAMPLE_2)

    assert all(part["neutral"] for part in breakdown["components"].values())
    assert breakdown["weighted"] == "80"
    assert score == Decimal("60.0")
    assert breakdown["grade_by_score"] == "C"  # 60 reaches C's threshold…
    assert grade == "D"  # …but a blacklisted agency is D whatever its score


def test_r11_worked_example_1_from_the_records():
    """Example 1 built from real records, through the recompute: the same score."""
    agency = AgencyFactory()
    for scores in ((5, 5, 5, 5, 4), (5, 4, 5, 4, 5), (4, 4, 4, 4, 4), (5, 5, 4, 5, 5)):
        _rating(agency, "owner", _owner(*scores))
    _rating(agency, "department", {"quality": 5, "timeliness": 4})
    _inspection(agency, Inspection.Result.PASSED)
    contracts = [_finished(agency, used=8) for _ in range(4)] + [_finished(agency, used=12)]
    with time_machine.travel(NOW - datetime.timedelta(days=40), tick=False):  # events' dates
        for contract in contracts:
            PurchaseRequestEvent.objects.create(
                purchase_request=contract.purchase_request, to_status="awarded"
            )
        declined = PurchaseRequestFactory(status="failed")
        PurchaseRequestEvent.objects.create(purchase_request=declined, to_status="awarded")
        AwardDecline.objects.create(purchase_request=declined, agency=agency)
        # Set aside on an objection: not the agency's doing, counted neither way.
        AwardDecline.objects.create(
            purchase_request=PurchaseRequestFactory(status="failed"),
            agency=agency,
            by_objection=True,
        )
    _violation(agency, severity="minor")

    with time_machine.travel(NOW, tick=False):
        credit_recompute(agency_ids=[agency.pk])

    agency.refresh_from_db()
    assert (agency.credit_score, agency.credit_grade) == (Decimal("87.1"), "B")
    record = CreditRecord.objects.get(agency=agency)
    assert record.breakdown["components"]["platform_behaviour"]["rates"]["response"] == {
        "numerator": 5,
        "denominator": 6,
        "rate": "0.8333",
    }


# The recompute --------------------------------------------------------------------------------


def _queries(count: int) -> int:
    agencies = AgencyFactory.create_batch(count)
    for agency in agencies:
        _rating(agency, "owner", _owner(4, 4, 4, 4, 4))
        _violation(agency)
    with CaptureQueriesContext(connection) as captured:
        result = credit_recompute(now=NOW)
    assert result.recorded >= count
    return len(captured)


def test_r11_recompute_is_set_based_the_same_queries_for_3_and_30_agencies():
    few = _queries(3)
    CreditRecord.objects.all().delete()
    many = _queries(30)

    assert few == many


def test_r11_history_is_written_only_when_something_changed():
    agency = AgencyFactory()
    _rating(agency, "owner", _owner(5, 5, 5, 5, 5))

    first = credit_recompute(agency_ids=[agency.pk], now=NOW)
    again = credit_recompute(agency_ids=[agency.pk], now=NOW + datetime.timedelta(days=1))
    assert (first.recorded, again.recorded, again.updated) == (1, 0, 0)

    _inspection(agency, Inspection.Result.FAILED)
    changed = credit_recompute(agency_ids=[agency.pk], now=NOW + datetime.timedelta(days=2))
    assert changed.recorded == 1
    scores = list(
        CreditRecord.objects.filter(agency=agency)
        .order_by("computed_at")
        .values_list("score", flat=True)
    )
    assert scores == [Decimal("90.0"), Decimal("66.0")]  # 50 + 24 + 16; then 50 + 0 + 16


def test_r11_a_blacklisted_agency_is_graded_d_whatever_its_score():
    agency = AgencyFactory()
    _rating(agency, "owner", _owner(5, 5, 5, 5, 5))
    annulled = _violation(agency, severity="grave", status=Violation.Status.ANNULLED)
    _blacklist(agency, annulled)

    credit_recompute(agency_ids=[agency.pk], now=NOW)

    agency.refresh_from_db()
    assert (agency.credit_score, agency.credit_grade) == (Decimal("90.0"), "D")


def test_r11_annulled_and_repaired_violations_deduct_nothing_appealed_ones_do():
    agency = AgencyFactory()
    _violation(agency, severity="grave", status=Violation.Status.ANNULLED)
    _violation(agency, severity="serious", status=Violation.Status.REPAIRED)
    appealed = _violation(agency, severity="ordinary", status=Violation.Status.APPEALED)

    credit_recompute(agency_ids=[agency.pk], now=NOW)

    record = CreditRecord.objects.get(agency=agency)
    assert [item["id"] for item in record.breakdown["deductions"]["items"]] == [appealed.pk]
    assert record.score == Decimal("72.0")  # 80 neutral − 8


def test_r11_inputs_older_than_the_window_stop_counting():
    agency = AgencyFactory()
    _rating(agency, "owner", _owner(1, 1, 1, 1, 1), rated_at=NOW - datetime.timedelta(days=300))
    _violation(agency, severity="serious", occurred_on=datetime.date(2025, 9, 1))

    credit_recompute(agency_ids=[agency.pk], now=NOW)
    agency.refresh_from_db()
    assert agency.credit_score == Decimal("20.0")  # 0 + 24 + 16 − 20

    with time_machine.travel(NOW + datetime.timedelta(days=70), tick=False):
        credit_recompute(agency_ids=[agency.pk])
    agency.refresh_from_db()
    assert agency.credit_score == Decimal("80.0")  # both left the window: neutral
    assert CreditRecord.objects.filter(agency=agency).count() == 2


def test_r11_rates_are_counted_as_the_delivery_record_counts_them():
    agency = AgencyFactory()
    _finished(agency, used=8)
    _finished(agency, used=11)
    with time_machine.travel(NOW - datetime.timedelta(days=40), tick=False):  # events' dates
        terminated = ContractFactory(agency=agency, status=Contract.Status.TERMINATED)
        ContractEvent.objects.create(contract=terminated, to_status="terminated")
        never_in_force = ContractFactory(
            agency=agency, status=Contract.Status.TERMINATED, in_force_at=None
        )
        ContractEvent.objects.create(contract=never_in_force, to_status="terminated")

    with time_machine.travel(NOW, tick=False):
        credit_recompute(agency_ids=[agency.pk])

    rates = CreditRecord.objects.get(agency=agency).breakdown["components"]["platform_behaviour"][
        "rates"
    ]
    metrics = delivery_metrics(agency=agency)
    assert (rates["on_time"]["numerator"], rates["on_time"]["denominator"]) == (
        metrics.on_time,
        metrics.finished,
    )
    assert rates["fulfilment"]["denominator"] == metrics.finished + metrics.terminated


def test_r11_under_review_and_set_aside_ratings_do_not_count():
    agency = AgencyFactory()
    _rating(agency, "owner", _owner(1, 1, 1, 1, 1), status=Rating.Status.UNDER_REVIEW)
    _rating(agency, "owner", _owner(1, 2, 1, 1, 1), status=Rating.Status.SET_ASIDE)

    credit_recompute(agency_ids=[agency.pk], now=NOW)

    assert CreditRecord.objects.get(agency=agency).breakdown["components"]["owner_ratings"][
        "neutral"
    ]


# Tasks and receivers --------------------------------------------------------------------------


def test_r11_the_nightly_task_recomputes_every_agency():
    agencies = AgencyFactory.create_batch(3)

    score_tasks.credit_recompute_all.delay()

    assert CreditRecord.objects.filter(agency__in=agencies).count() == 3
    assert set(
        Agency.objects.filter(pk__in=[a.pk for a in agencies]).values_list(
            "credit_grade", flat=True
        )
    ) == {"B"}


def test_r11_a_changed_input_recomputes_its_agency(django_capture_on_commit_callbacks):
    from credit.services.inspections import inspection_record

    agency = AgencyFactory()
    regulator = UserFactory(organisation=OrganisationFactory(kind=Role.REGULATOR))

    with django_capture_on_commit_callbacks(execute=True):
        inspection_record(
            actor=regulator,
            agency=agency,
            inspected_on=timezone.localdate(),
            authority=regulator.organisation,
            result=Inspection.Result.FAILED,
            findings="未按规定建立业务档案",
        )

    record = CreditRecord.objects.get(agency=agency)
    assert record.breakdown["components"]["regulator_assessments"]["value"] == "0.0"
    agency.refresh_from_db()
    assert agency.credit_score == Decimal("56.0")  # 40 + 0 + 16


def test_r11_an_accepted_contract_recomputes_its_agency(django_capture_on_commit_callbacks):
    from core.status import status_changed

    contract = _finished(AgencyFactory(), used=5, accepted_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        status_changed.send(
            sender=Contract,
            instance=contract,
            event=None,
            from_status="delivered",
            to_status="accepted",
        )

    record = CreditRecord.objects.get(agency=contract.agency)
    assert record.breakdown["inputs"]["finished"] == 1
