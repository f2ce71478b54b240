"""What the credit page and the credit report show: the agency's latest CreditRecord, the
records it was made from (the ones its breakdown names), and its history as a chart. Reads
only: a page never recomputes (credit/services/scoring.py does, in the background)."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings

from agencies.models import Agency
from agencies.selectors import PUBLIC_PAGE_STATUSES
from credit.models import CreditRecord, Inspection, Rating, Violation

# How many of the latest records the history chart draws.
HISTORY_POINTS = 60
CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 640, 220, 32


def credit_page_agency(*, pk: int) -> Agency:
    """An agency whose credit page is public: the same agencies whose roster page is
    (agencies.selectors.PUBLIC_PAGE_STATUSES). Raises Agency.DoesNotExist otherwise."""
    return Agency.objects.select_related("organisation").get(pk=pk, status__in=PUBLIC_PAGE_STATUSES)


@dataclass(frozen=True)
class CreditStatement:
    """An agency's credit as its page and report show it. `record` is None until the first
    computation; the score and grade are then the agency's own (the starting values)."""

    agency: Agency
    record: CreditRecord | None
    score: Decimal
    grade: str
    owner_ratings: list[Rating]
    department_ratings: list[Rating]
    inspections: list[Inspection]
    deductions: list[tuple[Violation, int]]
    history: list[CreditRecord]
    thresholds: list[tuple[str, int]]

    @property
    def breakdown(self) -> dict[str, Any]:
        return self.record.breakdown if self.record else {}


def _rating_value(rating: Rating) -> Decimal:
    scores = list(rating.scores.values())
    return (Decimal(sum(scores)) / len(scores)).quantize(Decimal("0.01"))


def _newest_first(rows, key) -> list:
    return sorted(rows, key=key, reverse=True)


def credit_statement(*, agency: Agency) -> CreditStatement:
    """The latest record and every record it names, in a fixed number of queries (five),
    however many ratings, inspections and violations it counted."""
    history = list(
        CreditRecord.objects.filter(agency=agency).order_by("-computed_at", "-pk")[:HISTORY_POINTS]
    )
    record = history[0] if history else None
    inputs = record.breakdown.get("inputs", {}) if record else {}
    rating_ids = [row[0] for row in inputs.get("owner_ratings", [])] + [
        row[0] for row in inputs.get("department_ratings", [])
    ]
    ratings = {
        rating.pk: rating
        for rating in Rating.objects.filter(pk__in=rating_ids).select_related(
            "organisation", "contract"
        )
    }
    for rating in ratings.values():
        rating.value = _rating_value(rating)  # type: ignore[attr-defined]
        rating.points = (rating.value - 1) / 4 * 100  # type: ignore[attr-defined]
    inspection_ids = [row[0] for row in inputs.get("inspections", [])]
    inspections = Inspection.objects.filter(pk__in=inspection_ids).select_related("authority")
    deductions = {
        item["id"]: item["deduction"]
        for item in (record.breakdown["deductions"]["items"] if record else [])
    }
    violations = Violation.objects.filter(pk__in=list(deductions)).select_related("authority")
    return CreditStatement(
        agency=agency,
        record=record,
        score=record.score if record else agency.credit_score,
        grade=record.grade if record else agency.credit_grade,
        owner_ratings=_newest_first(
            [ratings[row[0]] for row in inputs.get("owner_ratings", []) if row[0] in ratings],
            lambda rating: (rating.rated_at, rating.pk),
        ),
        department_ratings=_newest_first(
            [ratings[row[0]] for row in inputs.get("department_ratings", []) if row[0] in ratings],
            lambda rating: (rating.rated_at, rating.pk),
        ),
        inspections=_newest_first(inspections, lambda item: (item.inspected_on, item.pk)),
        deductions=[
            (violation, deductions[violation.pk])
            for violation in _newest_first(violations, lambda item: (item.occurred_on, item.pk))
        ],
        history=list(reversed(history)),
        thresholds=[(grade, threshold) for grade, threshold in settings.CREDIT_GRADE_THRESHOLDS],
    )


def history_chart(records: list[CreditRecord]) -> dict[str, Any] | None:
    """The coordinates of a line chart of the scores, oldest first, on a 0–100 scale, with the
    grade thresholds as guide lines; drawn as inline SVG by the template (no script). None
    with fewer than two records: a single point is no history."""
    if len(records) < 2:
        return None
    inner_width = CHART_WIDTH - 2 * CHART_PAD
    inner_height = CHART_HEIGHT - 2 * CHART_PAD
    step = inner_width / (len(records) - 1)

    def y(score: float) -> float:
        return round(CHART_PAD + inner_height * (1 - score / 100), 1)

    points = [
        {"x": round(CHART_PAD + index * step, 1), "y": y(float(record.score)), "record": record}
        for index, record in enumerate(records)
    ]
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_PAD,
        "right": CHART_WIDTH - CHART_PAD,
        "path": " ".join(f"{point['x']},{point['y']}" for point in points),
        "points": points,
        "guides": [
            {"grade": grade, "threshold": threshold, "y": y(threshold)}
            for grade, threshold in settings.CREDIT_GRADE_THRESHOLDS
        ],
        "first": records[0],
        "last": records[-1],
    }
