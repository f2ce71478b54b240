"""The credit score and grade of every agency (R11; the formula: docs/credit.md).

`credit_score_of` is the formula, a pure function of one agency's inputs; `credit_recompute`
gathers the inputs of all agencies (or the given ones) in a fixed number of queries, whatever
their number, applies the formula in Python, and writes a CreditRecord only for the agencies
whose score, grade or inputs changed since their latest record. Each record's `breakdown`
holds the inputs, the settings used and every step, so the credit page can show how the
score was made and a reader can redo the sum.

Rounding: each component is rounded half-up to 0.1 first; the weighted sum of the rounded
components, less the deductions, is clamped to 0–100 and rounded half-up to 0.1. All the
arithmetic before rounding is exact (fractions), so the same inputs give the same score on
every machine.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, cast

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone

from agencies.models import Agency
from contracts.models import Contract, ContractEvent
from credit.models import ASPECTS, CreditRecord, Inspection, Rating, Violation
from credit.selectors import blacklist_current
from market.models import AwardDecline, PurchaseRequest, PurchaseRequestEvent

# Violations that deduct: in force, and under appeal until the appeal annuls them.
DEDUCTING_STATUSES = (Violation.Status.IN_FORCE, Violation.Status.APPEALED)
# What each inspection result counts among the regulator assessments, out of 100.
INSPECTION_POINTS: dict[str, int] = {
    Inspection.Result.PASSED.value: 100,
    Inspection.Result.CORRECTED.value: 60,
    Inspection.Result.FAILED.value: 0,
}
# The one PostgreSQL advisory lock key of a recompute ("CRED" in ASCII).
RECOMPUTE_LOCK_KEY = 0x43524544
# Rows per INSERT or UPDATE statement (three parameters a row stays far below SQLite's limit).
UPDATE_BATCH = 1000


@dataclass
class ScoreInputs:
    """Everything one agency's score is made from, for one window. Ratings are kept as
    (id, sum of aspect scores, number of aspects), so each rating's value — the mean of its
    aspects — is exact; violations with what the page names them by."""

    owner_ratings: list[list[int]] = field(default_factory=list)
    department_ratings: list[list[int]] = field(default_factory=list)
    # [id, result] of each inspection in the window.
    inspections: list[list[Any]] = field(default_factory=list)
    finished: int = 0
    on_time: int = 0
    terminated: int = 0
    awards_kept: int = 0
    awards_declined: int = 0
    # {"id", "kind", "severity", "occurred_on"} of each deducting violation.
    violations: list[dict[str, Any]] = field(default_factory=list)
    blacklisted: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "owner_ratings": self.owner_ratings,
            "department_ratings": self.department_ratings,
            "inspections": self.inspections,
            "finished": self.finished,
            "on_time": self.on_time,
            "terminated": self.terminated,
            "awards_kept": self.awards_kept,
            "awards_declined": self.awards_declined,
            "violations": self.violations,
            "blacklisted": self.blacklisted,
        }

    def sort(self) -> "ScoreInputs":
        """In a fixed order, so equal inputs compare equal whatever order the rows came in."""
        self.owner_ratings.sort()
        self.department_ratings.sort()
        self.inspections.sort()
        self.violations.sort(key=lambda violation: violation["id"])
        return self


@dataclass(frozen=True)
class RecomputeResult:
    agencies: int  # agencies computed
    recorded: int  # new CreditRecords written (score, grade or inputs changed)
    updated: int  # agencies whose current score or grade changed


def round1(value: Fraction) -> Decimal:
    """Rounded half-up to one decimal place, exactly (no binary floating point)."""
    tenths = value * 10
    whole = tenths.numerator // tenths.denominator
    if tenths - whole >= Fraction(1, 2):
        whole += 1
    return (Decimal(whole) / 10).quantize(Decimal("0.1"))


def _text(value: Fraction | Decimal) -> str:
    return str(round1(Fraction(value)))


def _rated(value: Fraction) -> Fraction:
    """A rating's value from 1 to 5 on the 0–100 scale."""
    return (value - 1) / 4 * 100


def _values_sum(ratings: list[list[int]]) -> Fraction:
    """The sum of the ratings' values (each the mean of its aspects), exactly: the points are
    added per number of aspects first, so a year of ratings costs a few fractions, not one
    each."""
    points_by_aspects: dict[int, int] = defaultdict(int)
    for _id, points, aspects in ratings:
        points_by_aspects[aspects] += points
    return sum(
        (Fraction(points, aspects) for aspects, points in points_by_aspects.items()), Fraction(0)
    )


def _owner_component(ratings: list[list[int]], neutral: int) -> dict[str, Any]:
    if not ratings:
        return {"count": 0, "neutral": True, "value": _text(Fraction(neutral))}
    total = _values_sum(ratings)
    mean = total / len(ratings)
    return {
        "count": len(ratings),
        "neutral": False,
        "sum_of_values": _decimal_text(total),
        "mean_value": _decimal_text(mean),
        "value": _text(_rated(mean)),
    }


def _decimal_text(value: Fraction) -> str:
    """A mean or sum shown to the reader: exact where it has at most four decimals, else to four
    places (the formula itself uses the exact value)."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return _plain(exact.quantize(Decimal("0.0001")))


def _plain(value: Decimal) -> str:
    """Without trailing zeros, never in exponent form: 80, 90.1, 0.8333."""
    return format(value.normalize(), "f")


def _regulator_component(
    ratings: list[list[int]], inspections: list[list[Any]], neutral: int
) -> dict[str, Any]:
    # Σ (value − 1) ÷ 4 × 100 over the department's ratings.
    rated = (_values_sum(ratings) - len(ratings)) * 25
    results: dict[str, int] = defaultdict(int)
    for _id, result in inspections:
        results[result] += 1
    count = len(ratings) + len(inspections)
    component: dict[str, Any] = {
        "department_ratings": len(ratings),
        "department_sum": _decimal_text(rated),
        "inspections": {result.value: results[result.value] for result in Inspection.Result},
        "inspection_points": dict(INSPECTION_POINTS),
        "count": count,
    }
    if not count:
        return {**component, "neutral": True, "value": _text(Fraction(neutral))}
    total = rated + sum(INSPECTION_POINTS[result] * n for result, n in results.items())
    return {
        **component,
        "neutral": False,
        "sum": _decimal_text(total),
        "value": _text(total / count),
    }


def _rate(numerator: int, denominator: int) -> dict[str, Any]:
    rate = Fraction(numerator, denominator) if denominator else None
    return {
        "numerator": numerator,
        "denominator": denominator,
        "rate": _decimal_text(rate) if rate is not None else None,
    }


def _behaviour_component(inputs: ScoreInputs, neutral: int) -> dict[str, Any]:
    finished, terminated = inputs.finished, inputs.terminated
    won = inputs.awards_kept + inputs.awards_declined
    rates = {
        "on_time": _rate(inputs.on_time, finished),
        "fulfilment": _rate(finished, finished + terminated),
        "response": _rate(inputs.awards_kept, won),
    }
    available = [
        Fraction(rate["numerator"], rate["denominator"])
        for rate in rates.values()
        if rate["denominator"]
    ]
    if not available:
        return {"rates": rates, "count": 0, "neutral": True, "value": _text(Fraction(neutral))}
    return {
        "rates": rates,
        "count": len(available),
        "neutral": False,
        "value": _text(sum(available, Fraction(0)) / len(available) * 100),
    }


def credit_score_of(inputs: ScoreInputs) -> tuple[Decimal, str, dict[str, Any]]:
    """The formula (docs/credit.md): (score, grade, breakdown) of one agency's inputs.

    score = clamp(Σ weight × component / Σ weights − deductions, 0, 100), each component
    rounded half-up to 0.1 first and the score too; the grade is the first threshold the
    score reaches, and D while the agency is on the blacklist, whatever its score."""
    weights: dict[str, int] = dict(settings.CREDIT_WEIGHTS)
    neutral: int = settings.CREDIT_NEUTRAL
    deduction_of: dict[str, int] = dict(settings.CREDIT_DEDUCTIONS)
    thresholds = [(grade, threshold) for grade, threshold in settings.CREDIT_GRADE_THRESHOLDS]

    components = {
        "owner_ratings": _owner_component(inputs.owner_ratings, neutral),
        "regulator_assessments": _regulator_component(
            inputs.department_ratings, inputs.inspections, neutral
        ),
        "platform_behaviour": _behaviour_component(inputs, neutral),
    }
    weighted = sum(
        (Decimal(weights[name]) * Decimal(part["value"]) for name, part in components.items()),
        Decimal(0),
    ) / Decimal(sum(weights.values()))
    deductions = [
        {**violation, "deduction": deduction_of[violation["severity"]]}
        for violation in inputs.violations
    ]
    deducted = sum(item["deduction"] for item in deductions)
    unclamped = weighted - deducted
    score = round1(Fraction(min(max(unclamped, Decimal(0)), Decimal(100))))
    reached = next(grade for grade, threshold in thresholds if score >= threshold)
    grade = "D" if inputs.blacklisted else reached
    breakdown = {
        "inputs": inputs.as_dict(),
        "settings": {
            "window_days": settings.CREDIT_WINDOW_DAYS,
            "weights": weights,
            "neutral": neutral,
            "deductions": deduction_of,
            "thresholds": thresholds,
        },
        "components": components,
        "weighted": _plain(weighted),
        "deductions": {"items": deductions, "total": deducted},
        "unclamped": _plain(unclamped),
        "score": str(score),
        "grade_by_score": reached,
        "blacklisted": inputs.blacklisted,
        "grade": grade,
    }
    return score, grade, breakdown


# Gathering the inputs ------------------------------------------------------------------------


def credit_window(now: datetime.datetime) -> tuple[datetime.date, datetime.date]:
    """The CREDIT_WINDOW_DAYS days up to and including `now`'s date in Beijing."""
    end = timezone.localdate(now)
    return end - datetime.timedelta(days=settings.CREDIT_WINDOW_DAYS - 1), end


def _day_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, ...]:
    """Aware instants from the start of `start` to the start of the day after `end`, Beijing."""
    zone = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=zone),
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone),
    )


def _limited(queryset, lookup: str, agency_ids: list[int] | None):
    return queryset if agency_ids is None else queryset.filter(**{f"{lookup}__in": agency_ids})


def gather_inputs(
    *, agency_ids: list[int] | None, start: datetime.date, end: datetime.date, today: datetime.date
) -> dict[int, ScoreInputs]:
    """The inputs of every agency (or of `agency_ids`) for the window, in eight queries
    however many agencies there are. Agencies with nothing in the window get empty inputs
    (every component neutral) from the caller."""
    since, until = _day_bounds(start, end)
    inputs: dict[int, ScoreInputs] = defaultdict(ScoreInputs)

    ratings = _limited(
        Rating.objects.filter(
            status=Rating.Status.COUNTED, rated_at__gte=since, rated_at__lt=until
        ),
        "agency_id",
        agency_ids,
    ).values_list("agency_id", "pk", "rater", *ASPECTS)
    for agency_id, pk, rater, *scores in ratings.iterator(chunk_size=5000):
        given = [score for score in scores if score is not None]
        target = (
            inputs[agency_id].owner_ratings
            if rater == Rating.Rater.OWNER
            else inputs[agency_id].department_ratings
        )
        target.append([pk, sum(given), len(given)])

    for agency_id, pk, result in _limited(
        Inspection.objects.filter(inspected_on__gte=start, inspected_on__lte=end),
        "agency_id",
        agency_ids,
    ).values_list("agency_id", "pk", "result"):
        inputs[agency_id].inspections.append([pk, result])

    # Finished and on time as contracts.selectors.delivery_metrics defines them (the working
    # days used are fixed when the owner accepts the delivery), dated by that acceptance.
    finished = Q(used_workdays__isnull=False)
    for row in (
        _limited(
            Contract.objects.filter(finished, accepted_at__gte=since, accepted_at__lt=until),
            "agency_id",
            agency_ids,
        )
        .values("agency_id")
        .annotate(
            finished=Count("pk"),
            on_time=Count("pk", filter=Q(used_workdays__lte=F("time_limit_days"))),
        )
        .order_by()
    ):
        inputs[row["agency_id"]].finished = row["finished"]
        inputs[row["agency_id"]].on_time = row["on_time"]

    # Terminated after coming into force (before, it was never the agency's to fulfil), dated
    # by the termination.
    for row in (
        _limited(
            ContractEvent.objects.filter(
                to_status=Contract.Status.TERMINATED,
                created_at__gte=since,
                created_at__lt=until,
                contract__in_force_at__isnull=False,
            ),
            "contract__agency_id",
            agency_ids,
        )
        .values("contract__agency_id")
        .annotate(terminated=Count("contract", distinct=True))
        .order_by()
    ):
        inputs[row["contract__agency_id"]].terminated = row["terminated"]

    # Awards the agency holds (still the request's selected agency), dated by the award…
    for row in (
        _limited(
            PurchaseRequestEvent.objects.filter(
                to_status=PurchaseRequest.Status.AWARDED,
                created_at__gte=since,
                created_at__lt=until,
                purchase_request__winner__isnull=False,
            ),
            "purchase_request__winner_id",
            agency_ids,
        )
        .values("purchase_request__winner_id")
        .annotate(kept=Count("purchase_request", distinct=True))
        .order_by()
    ):
        inputs[row["purchase_request__winner_id"]].awards_kept = row["kept"]
    # …and those it declined. An award set aside on an objection was neither kept nor declined
    # by the agency and counts as neither.
    for row in (
        _limited(
            AwardDecline.objects.filter(
                by_objection=False, created_at__gte=since, created_at__lt=until
            ),
            "agency_id",
            agency_ids,
        )
        .values("agency_id")
        .annotate(declined=Count("pk"))
        .order_by()
    ):
        inputs[row["agency_id"]].awards_declined = row["declined"]

    for agency_id, pk, kind, severity, occurred_on in _limited(
        Violation.objects.filter(
            status__in=DEDUCTING_STATUSES, occurred_on__gte=start, occurred_on__lte=end
        ),
        "agency_id",
        agency_ids,
    ).values_list("agency_id", "pk", "kind", "severity", "occurred_on"):
        inputs[agency_id].violations.append(
            {"id": pk, "kind": kind, "severity": severity, "occurred_on": occurred_on.isoformat()}
        )

    for agency_id in set(
        _limited(blacklist_current(on=today), "agency_id", agency_ids).values_list(
            "agency_id", flat=True
        )
    ):
        inputs[agency_id].blacklisted = True
    return inputs


def latest_records(agency_ids: list[int] | None) -> dict[int, dict[str, Any]]:
    """The latest CreditRecord of each agency (score, grade, inputs), in one query: the row
    whose pk is the newest of its agency's, found by a correlated subquery on the
    (agency, -computed_at) index; the same SQL on SQLite and PostgreSQL."""
    newest = (
        CreditRecord.objects.filter(agency_id=OuterRef("agency_id"))
        .order_by("-computed_at", "-pk")
        .values("pk")[:1]
    )
    records = _limited(CreditRecord.objects.all(), "agency_id", agency_ids).filter(
        pk=Subquery(newest)
    )
    return {
        agency_id: {"score": score, "grade": grade, "inputs": breakdown.get("inputs")}
        for agency_id, score, grade, breakdown in records.values_list(
            "agency_id", "score", "grade", "breakdown"
        )
    }


def _update_standing(changed: list[tuple[int, Decimal, str]]) -> None:
    """Set the agencies' current score and grade, a batch of rows per statement: UPDATE … FROM
    a VALUES list (SQLite 3.33+ and PostgreSQL name its columns column1, column2…). Django's
    bulk_update builds a CASE per row and took most of a 10 000-agency recompute's time."""
    table = connection.ops.quote_name(Agency._meta.db_table)
    key = connection.ops.quote_name(cast(str, Agency._meta.pk.column))
    with connection.cursor() as cursor:
        for first in range(0, len(changed), UPDATE_BATCH):
            batch = changed[first : first + UPDATE_BATCH]
            rows = ", ".join(["(%s, %s, %s)"] * len(batch))
            cursor.execute(
                f"UPDATE {table} SET credit_score = v.column2, credit_grade = v.column3 "  # noqa: S608
                f"FROM (VALUES {rows}) AS v WHERE {table}.{key} = v.column1",
                [value for row in batch for value in row],
            )


@contextmanager
def recompute_lock() -> Iterator[None]:
    """One recompute at a time: two that interleaved could both find an agency unchanged
    against the same latest record and write it twice. On PostgreSQL a transaction-level
    advisory lock serialises them (released at commit). SQLite, used for development and
    tests, lets one writer at a time hold the database, and a recompute there runs in one
    transaction; the advisory lock is PostgreSQL's only."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RECOMPUTE_LOCK_KEY])
        yield


def credit_recompute(
    *, agency_ids: Iterable[int] | None = None, now: datetime.datetime | None = None
) -> RecomputeResult:
    """Recompute the score and grade of every agency, or of `agency_ids`, as of `now`.

    Set-based: the inputs in a fixed number of grouped queries, the latest records in one,
    then one bulk insert of the new records and batched updates of the agencies' current
    score and grade. A record is written only for an agency whose score, grade or inputs
    differ from its latest record; an unchanged agency costs no write. Safe to run twice."""
    now = now or timezone.now()
    ids = None if agency_ids is None else sorted(set(agency_ids))
    start, end = credit_window(now)
    with recompute_lock():
        current = {
            pk: (score, grade)
            for pk, score, grade in _limited(Agency.objects.all(), "pk", ids)
            .order_by()
            .values_list("pk", "credit_score", "credit_grade")
        }
        inputs = gather_inputs(agency_ids=ids, start=start, end=end, today=end)
        latest = latest_records(ids)
        records: list[CreditRecord] = []
        changed: list[tuple[int, Decimal, str]] = []
        for agency_id, (old_score, old_grade) in current.items():
            agency_inputs = inputs.get(agency_id, ScoreInputs()).sort()
            score, grade, breakdown = credit_score_of(agency_inputs)
            previous = latest.get(agency_id)
            if previous is None or (previous["score"], previous["grade"], previous["inputs"]) != (
                score,
                grade,
                breakdown["inputs"],
            ):
                records.append(
                    CreditRecord(
                        agency_id=agency_id,
                        computed_at=now,
                        window_start=start,
                        window_end=end,
                        score=score,
                        grade=grade,
                        breakdown=breakdown,
                    )
                )
            if (old_score, old_grade) != (score, grade):
                changed.append((agency_id, score, grade))
        CreditRecord.objects.bulk_create(records, batch_size=UPDATE_BATCH)
        _update_standing(changed)
    return RecomputeResult(agencies=len(current), recorded=len(records), updated=len(changed))
