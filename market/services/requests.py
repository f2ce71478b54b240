"""The owner's side of a purchase request: draft, change, publish, cancel, re-publish.

Status moves go through core.status.status_move on the row purchase_request_lock holds; the
moves the clock makes are in market/services/clock.py."""

import datetime
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import cast

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require
from agencies.models import Agency
from catalogue.models import FeeMode, ServiceItem
from core.beacon import configured_chain
from core.exceptions import ApplicationError
from core.services import next_yearly_number
from core.status import status_created, status_move
from core.workdays import add_workdays
from market import draws, sealing
from market.models import (
    Invitation,
    Project,
    PurchaseRequest,
    PurchaseRequestExclusion,
    PurchasingRules,
    SelectionMethod,
)
from market.selectors import eligible_agencies, regional_assessment_covering
from market.services import public_log
from market.services.clock import advance_locked
from market.services.locks import purchase_request_lock

Status = PurchaseRequest.Status
MAX_BUDGET = Decimal("10000000000")
PRICE_CRITERION = "price"


@dataclass(frozen=True)
class RequestTerms:
    """What an owner states in a purchase request. Nothing here can add an entry condition
    beyond the item's required qualifications (R3): there is no field for one."""

    service_item: ServiceItem
    budget: Decimal
    selection_method: str
    quote_deadline: datetime.datetime | None
    quote_opens_at: datetime.datetime | None = None
    wanted_time_limit_days: int | None = None
    requirements_note: str = ""
    scoring_criteria: tuple[tuple[str, int], ...] = ()
    exclusions: tuple[tuple[Agency, str], ...] = ()


def direct_selection_allowed(project: Project) -> bool:
    return project.funding in settings.SELECTION_DIRECT_ALLOWED_FUNDING


def _terms_errors(project: Project, terms: RequestTerms, now: datetime.datetime) -> dict:
    errors: dict[str, list[str]] = {}
    item = terms.service_item
    if item.status != ServiceItem.Status.PUBLISHED:
        errors["service_item"] = [_("Only a service published in the catalogue can be bought.")]
    if item.paid_by_department:
        errors["service_item"] = [
            _(
                "The approval department commissions this service and pays for it from its "
                "budget; a project owner does not buy it."
            )
        ]
    if terms.budget is None or not (Decimal("0") < terms.budget <= MAX_BUDGET):
        errors["budget"] = [_("The budget must be a positive amount of yuan.")]
    elif (price_limit := _government_price_limit(item)) is not None and (
        terms.budget > price_limit
    ):
        errors["budget"] = [
            _("The budget is above the government-set price or ceiling of %(limit)s yuan.")
            % {"limit": price_limit}
        ]
    if terms.selection_method not in SelectionMethod.values:
        errors["selection_method"] = [_("Please choose a selection method.")]
    elif terms.selection_method == SelectionMethod.DIRECT and not direct_selection_allowed(project):
        errors["selection_method"] = [
            _("Direct selection is not allowed for this project's funding.")
        ]
    if terms.quote_deadline is None or terms.quote_deadline <= now:
        errors["quote_deadline"] = [_("The quote deadline must be in the future.")]
    opens = terms.quote_opens_at
    if opens and opens < now:
        # An opening already past would put on record that quoting opened before the request
        # was published; an empty box opens quoting on publication.
        errors["quote_opens_at"] = [
            _("Quoting cannot open in the past; leave it empty to open on publication.")
        ]
    elif opens and terms.quote_deadline and opens >= terms.quote_deadline:
        errors["quote_opens_at"] = [_("Quoting must open before the deadline.")]
    limit = terms.wanted_time_limit_days
    if limit is not None and not (1 <= limit <= item.statutory_time_limit_days):
        errors["wanted_time_limit_days"] = [
            _("The time limit must be between 1 and the statutory %(days)d working days.")
            % {"days": item.statutory_time_limit_days}
        ]
    if terms.selection_method == SelectionMethod.SCORED:
        errors.update(_criteria_errors(terms.scoring_criteria))
    for agency, reason in terms.exclusions:
        if not (reason or "").strip():
            errors["exclusions"] = [
                _("Every excluded agency needs a stated reason: %(agency)s") % {"agency": agency}
            ]
    return errors


def _government_price_limit(item: ServiceItem) -> Decimal | None:
    """The most a purchase of the item may cost where the government sets the fee (R2)."""
    if item.fee_mode == FeeMode.GOVERNMENT_SET:
        return item.fee_amount
    if item.fee_mode == FeeMode.GOVERNMENT_GUIDANCE:
        return item.fee_ceiling
    return None


def _fee_splitting(purchase_request: PurchaseRequest, now: datetime.datetime) -> list:
    """R2 forbids splitting one purchase into several below the threshold: the same owner's
    other requests for the same item published within the window, when each stays below the
    threshold but together they reach it. Returns those other requests (empty when none)."""
    threshold = Decimal(settings.FEE_SPLITTING_THRESHOLD)
    if purchase_request.budget >= threshold:
        return []
    since = now - datetime.timedelta(days=settings.FEE_SPLITTING_WINDOW_DAYS)
    others = list(
        PurchaseRequest.objects.filter(
            project__owner_id=purchase_request.project.owner_id,
            service_item=purchase_request.service_item,
            published_at__gte=since,
            budget__lt=threshold,
        )
        .exclude(status__in=[Status.DRAFT, Status.CANCELLED, Status.FAILED])
        .exclude(pk=purchase_request.pk)
        .order_by("published_at")
    )
    total = purchase_request.budget + sum(other.budget for other in others)
    return others if others and total >= threshold else []


def _criteria_errors(criteria: tuple[tuple[str, int], ...]) -> dict:
    names = [name for name, _weight in criteria]
    weights = [weight for _name, weight in criteria]
    if PRICE_CRITERION not in names:
        return {"scoring_criteria": [_("Scored evaluation needs a price criterion.")]}
    if len(set(names)) != len(names) or any(weight <= 0 for weight in weights):
        return {"scoring_criteria": [_("Each criterion once, each with a positive weight.")]}
    if sum(weights) != 100:
        return {"scoring_criteria": [_("The weights must add up to 100.")]}
    return {}


def _check_terms(project: Project, terms: RequestTerms, now: datetime.datetime) -> None:
    errors = _terms_errors(project, terms, now)
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], code="invalid_terms", extra=errors)
    _check_quoting_period(terms, now)


def draw_beacon_round(quote_deadline: datetime.datetime) -> int:
    """The beacon round a request's draw will use: the first one published BEACON_DELAY_SECONDS
    after the deadline — unknown to anyone, us included, until the quotes are fixed."""
    delay = datetime.timedelta(seconds=settings.BEACON_DELAY_SECONDS)
    return configured_chain().first_round_after(quote_deadline + delay)


def min_quoting_workdays() -> int:
    """The regulators' minimum quoting period; its default until the row exists (a freshly
    emptied test database)."""
    rules = PurchasingRules.objects.first() or PurchasingRules()
    return rules.min_quoting_workdays


def earliest_quote_deadline(
    *, published_at: datetime.datetime, quote_opens_at: datetime.datetime | None = None
) -> datetime.datetime:
    """The earliest deadline a request published at `published_at` may have: the minimum
    quoting period after publication, or after quoting opens if that is later.

    The period is PurchasingRules.min_quoting_workdays working days (regulators set it in
    the back office, default one) on the working-day calendar: the deadline may fall no
    earlier than the same time of day on the N-th working day after quoting starts (Beijing
    time), so a weekend or a holiday never counts. The demo alone may shorten it to
    DEMO_MIN_QUOTING_SECONDS (never set in production), so its draws happen within seconds."""
    start = max(published_at, quote_opens_at or published_at)
    demo_seconds = settings.DEMO_MIN_QUOTING_SECONDS
    if demo_seconds is not None:
        return start + datetime.timedelta(seconds=demo_seconds)
    local = timezone.localtime(start)
    day = add_workdays(local.date(), min_quoting_workdays())
    return datetime.datetime.combine(day, local.timetz())


def _check_quoting_period(terms: RequestTerms, now: datetime.datetime) -> None:
    """Raises ApplicationError ("quoting_period_too_short") when the deadline leaves less
    than the minimum quoting period after `now` (publication) or the opening of quoting."""
    if terms.quote_deadline is None:
        return
    earliest = earliest_quote_deadline(published_at=now, quote_opens_at=terms.quote_opens_at)
    if terms.quote_deadline < earliest:
        message = _(
            "Agencies must have at least the minimum quoting period to quote: the deadline "
            "can be %(earliest)s at the earliest."
        ) % {"earliest": timezone.localtime(earliest).strftime("%Y-%m-%d %H:%M")}
        raise ApplicationError(
            message, code="quoting_period_too_short", extra={"quote_deadline": [message]}
        )


def _write_terms(purchase_request: PurchaseRequest, terms: RequestTerms) -> None:
    purchase_request.service_item = terms.service_item
    purchase_request.budget = terms.budget
    purchase_request.selection_method = terms.selection_method
    purchase_request.quote_opens_at = terms.quote_opens_at
    purchase_request.quote_deadline = terms.quote_deadline
    purchase_request.wanted_time_limit_days = terms.wanted_time_limit_days
    purchase_request.requirements_note = terms.requirements_note
    purchase_request.scoring_criteria = [
        {"name": name, "weight": weight} for name, weight in terms.scoring_criteria
    ]
    purchase_request.save()
    purchase_request.exclusions.all().delete()
    PurchaseRequestExclusion.objects.bulk_create(
        PurchaseRequestExclusion(purchase_request=purchase_request, agency=agency, reason=reason)
        for agency, reason in ((agency, reason.strip()) for agency, reason in terms.exclusions)
    )


@transaction.atomic
def purchase_request_create(
    *, actor: User, project: Project, terms: RequestTerms
) -> PurchaseRequest:
    """A draft request. Raises ApplicationError, saving nothing, for a project not the
    actor's ("not_owner"), terms that do not hold ("invalid_terms": an item not published
    (R1), a bad budget, method, deadline or time limit, an exclusion without a reason), or a
    deadline that leaves less than the minimum quoting period from now or from the opening
    of quoting ("quoting_period_too_short")."""
    require("market.act_for_project", actor, project)
    now = timezone.now()
    _check_terms(project, terms, now)
    purchase_request = PurchaseRequest(
        number=next_yearly_number(PurchaseRequest.objects.all(), "ZJCG", now=now),
        project=project,
        status=Status.DRAFT,
        created_by=actor,
    )
    _write_terms(purchase_request, terms)
    status_created(purchase_request, actor=actor)
    return purchase_request


@transaction.atomic
def purchase_request_update(
    *, actor: User, purchase_request: PurchaseRequest, terms: RequestTerms
) -> PurchaseRequest:
    """Change a draft's terms. Once published they are fixed — agencies quote on them — so a
    published request is cancelled (reason published) and a new one made instead.

    Raises ApplicationError for a request that is not a draft ("not_a_draft"), or as
    purchase_request_create does; nothing is saved then."""
    purchase_request = purchase_request_lock(purchase_request)
    require("market.act_for_purchase_request", actor, purchase_request)
    if purchase_request.status != Status.DRAFT:
        raise ApplicationError(
            _("A published request cannot be changed; cancel it and publish a new one."),
            code="not_a_draft",
        )
    _check_terms(purchase_request.project, terms, timezone.now())
    _write_terms(purchase_request, terms)
    return purchase_request


def terms_of(purchase_request: PurchaseRequest) -> RequestTerms:
    return RequestTerms(
        service_item=purchase_request.service_item,
        budget=purchase_request.budget,
        selection_method=purchase_request.selection_method,
        quote_deadline=purchase_request.quote_deadline,
        quote_opens_at=purchase_request.quote_opens_at,
        wanted_time_limit_days=purchase_request.wanted_time_limit_days,
        requirements_note=purchase_request.requirements_note,
        scoring_criteria=tuple(
            (criterion["name"], criterion["weight"])
            for criterion in purchase_request.scoring_criteria
        ),
        exclusions=tuple(
            (exclusion.agency, exclusion.reason)
            for exclusion in purchase_request.exclusions.select_related("agency")
        ),
    )


@transaction.atomic
def purchase_request_publish(*, actor: User, purchase_request: PurchaseRequest) -> PurchaseRequest:
    """Publish the notice with its draw commitment and invite every eligible agency (the
    invitations are mailed once the transaction commits, market/receivers.py).

    Raises ApplicationError when the actor is not the owner ("not_owner"), the request is
    not a draft ("not_a_draft"), its terms no longer hold ("invalid_terms": deadline passed,
    item retired), the deadline leaves less than the minimum quoting period from publication
    or from the opening of quoting ("quoting_period_too_short"), a regional assessment
    already covers this kind of service in the project's region
    ("covered_by_regional_assessment", R8, with its address), or it would split one purchase
    below the threshold ("fee_splitting", R2)."""
    purchase_request = purchase_request_lock(purchase_request)
    require("market.act_for_purchase_request", actor, purchase_request)
    now = timezone.now()
    if purchase_request.status != Status.DRAFT:
        raise ApplicationError(_("Only a draft can be published."), code="not_a_draft")
    _check_terms(purchase_request.project, terms_of(purchase_request), now)
    covering = regional_assessment_covering(
        purchase_request=purchase_request, on=timezone.localdate(now)
    )
    if covering is not None:
        raise ApplicationError(
            _(
                "A regional assessment (%(title)s) already covers this service in %(region)s; "
                "the project reuses its result and need not buy the service."
            )
            % {"title": covering.title, "region": purchase_request.project.region.name},
            code="covered_by_regional_assessment",
            extra={
                "regional_assessment_url": reverse("market:regional_assessment", args=[covering.pk])
            },
        )
    split = _fee_splitting(purchase_request, now)
    if split:
        raise ApplicationError(
            _(
                "This request and %(numbers)s buy the same service for the same owner within "
                "%(days)d days, each below %(threshold)s yuan but together above it. Splitting "
                "one purchase to stay below the threshold is not allowed: cancel the drafts "
                "and publish the whole need as one request."
            )
            % {
                "numbers": "、".join(other.number for other in split),
                "days": settings.FEE_SPLITTING_WINDOW_DAYS,
                "threshold": settings.FEE_SPLITTING_THRESHOLD,
            },
            code="fee_splitting",
        )
    secret = draws.new_secret()
    status_move(
        purchase_request,
        Status.PUBLISHED,
        actor=actor,
        fields={
            # The terms were checked above: the deadline is set.
            "beacon_round": draw_beacon_round(
                cast(datetime.datetime, purchase_request.quote_deadline)
            ),
            "published_at": now,
            "quote_opens_at": purchase_request.quote_opens_at or now,
            "draw_commitment": draws.commitment(secret),
            "draw_secret_sealed": sealing.seal_text(secret),
        },
    )
    public_log.log_publication(purchase_request)
    Invitation.objects.bulk_create(
        [
            # The credit standing the request uses from now on (market.selectors._standing).
            Invitation(
                purchase_request=purchase_request,
                agency=agency,
                credit_score=agency.credit_score,
                credit_grade=agency.credit_grade,
            )
            for agency in eligible_agencies(purchase_request=purchase_request)
        ],
        ignore_conflicts=True,
    )
    # Quoting opens at once unless the owner set a later time.
    return advance_locked(purchase_request, now=now)


@transaction.atomic
def purchase_request_cancel(
    *, actor: User, purchase_request: PurchaseRequest, reason: str
) -> PurchaseRequest:
    """Cancel before quotes are opened; the reason is published with the notice.

    Raises ApplicationError when the actor is not the owner ("not_owner"), there is no
    reason ("reason_required"), or the deadline has passed ("status_move_not_allowed")."""
    purchase_request = purchase_request_lock(purchase_request)
    require("market.act_for_purchase_request", actor, purchase_request)
    # A deadline that has passed closes the request first: its quotes are opened, not
    # cancelled unseen.
    advance_locked(purchase_request, now=timezone.now())
    reason = (reason or "").strip()
    if not reason:
        message = _("A cancellation needs a reason; it is published.")
        raise ApplicationError(message, code="reason_required", extra={"reason": [message]})
    status_move(
        purchase_request,
        Status.CANCELLED,
        actor=actor,
        note=reason,
        fields={"outcome_note": reason},
    )
    public_log.log_cancellation(purchase_request, reason)
    return purchase_request


@transaction.atomic
def purchase_request_republish(
    *, actor: User, purchase_request: PurchaseRequest, quote_deadline: datetime.datetime
) -> PurchaseRequest:
    """Re-publish a failed request in one step: the same terms with a new deadline, a new
    number and a new draw commitment. Raises ApplicationError for a request that has not
    failed ("not_failed") or already was re-published ("already_republished"), or as
    purchase_request_create does."""
    purchase_request = purchase_request_lock(purchase_request)
    require("market.act_for_purchase_request", actor, purchase_request)
    if purchase_request.status != Status.FAILED:
        raise ApplicationError(_("Only a failed request can be re-published."), code="not_failed")
    if PurchaseRequest.objects.filter(republished_from=purchase_request).exists():
        raise ApplicationError(
            _("This request has already been re-published."), code="already_republished"
        )
    terms = replace(terms_of(purchase_request), quote_deadline=quote_deadline, quote_opens_at=None)
    copy = purchase_request_create(actor=actor, project=purchase_request.project, terms=terms)
    copy.republished_from = purchase_request
    copy.save(update_fields=["republished_from"])
    return purchase_request_publish(actor=actor, purchase_request=copy)
