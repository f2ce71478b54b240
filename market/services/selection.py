"""Opening the quotes and selecting an agency, by each of the six methods (docs/selection.md).

Every random step goes through market.draws with the seed derived from the request's secret
(committed to when the notice was published) and the sorted quote receipts; the record of
the draw is kept so anyone can recompute it (manage.py verify_draw, /verify/draw/<number>/)."""

import datetime
import logging
from decimal import Decimal
from typing import cast

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require
from agencies.models import Agency
from catalogue.models import FeeMode
from core.beacon import BeaconError, configured_chain, fetch_round_kept
from core.exceptions import ApplicationError
from core.status import status_move
from core.workdays import add_workdays
from market import draws, sealing
from market.models import (
    AwardDecline,
    Invitation,
    Objection,
    PurchaseRequest,
    Quote,
    SelectionMethod,
)
from market.selectors import (
    declined_keys,
    quotes_choosable,
    quotes_valid,
)
from market.services import public_log
from market.services.eligibility import quotes_recheck_locked
from market.services.locks import purchase_request_lock
from market.signals import award_declined

Status = PurchaseRequest.Status
logger = logging.getLogger(__name__)
# Methods whose result follows from the quotes alone, decided at opening.
AUTOMATIC = {
    SelectionMethod.RANDOM_DRAW,
    SelectionMethod.LOWEST_PRICE,
    SelectionMethod.OPTIMAL_PRICE,
}
# Methods that draw at opening without waiting for anyone: the automatic ones, and the
# credit-merit short list.
DRAWN_AT_OPENING = AUTOMATIC | {SelectionMethod.CREDIT_MERIT}
CREDIT_LONGLIST_SIZE = 5
CREDIT_SHORTLIST_SIZE = 3


def min_quotes(purchase_request: PurchaseRequest) -> int:
    """How many valid quotes the method needs (a setting; defaults in docs/selection.md)."""
    by_funding = settings.SELECTION_MIN_QUOTES.get(purchase_request.project.funding, {})
    return by_funding.get(purchase_request.selection_method, by_funding.get("default", 1))


def _open(quote: Quote, purchase_request: PurchaseRequest) -> None:
    opened = sealing.open_sealed(quote.sealed)
    if sealing.receipt_for(opened) != quote.receipt:
        # Never expected; if it happens the quote cannot be trusted, and says why in public.
        quote.valid, quote.invalid_reason = False, _("The opened quote does not match its receipt.")
    quote.opened_amount = opened.amount
    quote.opened_discount_rate = opened.discount_rate
    quote.opened_nonce = opened.nonce
    item = purchase_request.service_item
    low, high = item.reference_price_low, item.reference_price_high
    if item.fee_mode == FeeMode.MARKET and low is not None and high is not None:
        quote.outside_reference_range = not (low <= opened.amount <= high)
    if quote.justification_sealed:
        quote.opened_justification = sealing.open_text(quote.justification_sealed)
    if (
        quote.outside_reference_range
        and purchase_request.selection_method == SelectionMethod.RANDOM_DRAW
        and not settings.QUOTE_OUTSIDE_RANGE_MAY_WIN_RANDOM_DRAW
        and quote.valid
    ):
        # A setting (docs/selection.md): such a quote is published with its justification
        # but does not enter a random draw.
        quote.valid = False
        quote.invalid_reason = _(
            "Outside the published reference range: it does not enter a random draw."
        )


def open_and_select(
    purchase_request: PurchaseRequest, *, now: datetime.datetime
) -> PurchaseRequest:
    """Open the sealed quotes of a closed (and locked) request, then select where the method
    decides by itself, or leave the choice to the owner. Fewer valid quotes than the method
    needs → failed (流标). The set of quotes that counts is fixed here, by the same
    eligibility rule every earlier decision asked (market/services/eligibility.py)."""
    quotes_recheck_locked(purchase_request)
    quotes = list(
        purchase_request.quotes.filter(status=Quote.Status.SUBMITTED).select_related(
            "agency__organisation"
        )
    )
    for quote in quotes:
        _open(quote, purchase_request)
    Quote.objects.bulk_update(
        quotes,
        [
            "opened_amount",
            "opened_discount_rate",
            "opened_nonce",
            "outside_reference_range",
            "opened_justification",
            "valid",
            "invalid_reason",
        ],
    )
    public_log.log_opening(purchase_request, quotes)
    secret = sealing.open_text(purchase_request.draw_secret_sealed)
    status_move(
        purchase_request, Status.SELECTING, note=_("Quotes opened."), fields={"opened_at": now}
    )
    valid = [quote for quote in quotes if quote.valid]
    needed = min_quotes(purchase_request)
    if len(valid) < needed:
        reason = _("Only %(count)d valid quotes; this method needs at least %(needed)d.") % {
            "count": len(valid),
            "needed": needed,
        }
        status_move(
            purchase_request,
            Status.FAILED,
            note=reason,
            fields={"outcome_note": reason, "draw_secret": secret},
        )
        public_log.log_failure(purchase_request, reason)
        return purchase_request
    return draw_if_due(purchase_request, now=now)


def draw_due(purchase_request: PurchaseRequest) -> bool:
    """Opened, and waiting for the draw the method makes by itself."""
    return (
        purchase_request.status == Status.SELECTING
        and purchase_request.selection_method in DRAWN_AT_OPENING
        and purchase_request.draw_record is None
    )


def draw_if_due(purchase_request: PurchaseRequest, *, now: datetime.datetime) -> PurchaseRequest:
    """Make the draw at opening once its beacon round is published, on a request whose row the
    caller holds locked. Until then the request waits, selecting; the clock's sweep tries again
    every minute, and the notice says which round it waits for."""
    if not draw_due(purchase_request):
        return purchase_request
    try:
        beacon = _beacon(purchase_request)
    except BeaconPending:
        return purchase_request
    secret = sealing.open_text(purchase_request.draw_secret_sealed)
    valid = list(quotes_valid(purchase_request))
    if purchase_request.selection_method in AUTOMATIC:
        record = _draw(purchase_request, secret, valid, _price_parameters(valid), beacon)
        return _award_key(purchase_request, record.result["winner"], actor=None, now=now)
    # Each agency's score as the request recorded it when it was published (or when the
    # agency first quoted), never a score that changed while it was quoting.
    recorded = dict(
        Invitation.objects.filter(purchase_request=purchase_request).values_list(
            "agency_id", "credit_score"
        )
    )
    scores = {
        quote.agency.selection_key: str(
            quote.agency.credit_score
            if recorded.get(quote.agency_id) is None
            else recorded[quote.agency_id]
        )
        for quote in valid
    }
    _draw(
        purchase_request,
        secret,
        valid,
        {
            "credit_scores": scores,
            "longlist_size": min(CREDIT_LONGLIST_SIZE, len(valid)),
            "k": min(CREDIT_SHORTLIST_SIZE, len(valid)),
        },
        beacon,
    )
    return purchase_request


class BeaconPending(Exception):
    """The draw's beacon round is not published yet, or cannot be had and trusted now."""


def _beacon(purchase_request: PurchaseRequest) -> dict | None:
    """The verified beacon round for the request's draw. None only for a request published
    before draws used a beacon (it keeps the seed it was published with). Raises BeaconPending
    while the round cannot be had: the draw waits; it never falls back to a weaker source."""
    if purchase_request.beacon_round is None:
        return None
    chain = configured_chain()
    try:
        found = fetch_round_kept(purchase_request.beacon_round, chain=chain)
    except BeaconError as error:
        logger.warning(
            "Beacon round %s for %s cannot be had yet: %s",
            purchase_request.beacon_round,
            purchase_request.number,
            error,
        )
        raise BeaconPending from error
    if found is None:
        raise BeaconPending
    return {
        "chain_hash": chain.chain_hash,
        "round": found.round,
        "signature": found.signature,
        "randomness": found.randomness,
    }


def _price_parameters(valid: list[Quote]) -> dict:
    return {"prices": {quote.agency.selection_key: str(quote.opened_amount) for quote in valid}}


def _draw(
    purchase_request: PurchaseRequest,
    secret: str,
    valid: list[Quote],
    parameters: dict,
    beacon: dict | None,
) -> draws.DrawRecord:
    receipts = [
        quote.receipt for quote in purchase_request.quotes.filter(status=Quote.Status.SUBMITTED)
    ]
    record = draws.make_record(
        purchase_request.selection_method,
        secret,
        receipts,
        [quote.agency.selection_key for quote in valid],
        parameters,
        beacon,
    )
    # The secret is revealed as soon as it has served: from now on anyone can re-check.
    purchase_request.draw_record, purchase_request.draw_secret = record.to_dict(), secret
    purchase_request.save(update_fields=["draw_record", "draw_secret"])
    public_log.log_draw(purchase_request, record.to_dict())
    return record


def _award(
    purchase_request: PurchaseRequest, agency: Agency, *, actor: User | None, now, note=""
) -> PurchaseRequest:
    """Award, with the publicity period; the award is mailed once the transaction commits
    (market/receivers.py)."""
    status_move(
        purchase_request,
        Status.AWARDED,
        actor=actor,
        note=note,
        fields={
            "winner": agency,
            "publicity_ends_on": add_workdays(
                timezone.localdate(now), settings.AWARD_PUBLICITY_WORKDAYS
            ),
            "draw_secret": sealing.open_text(purchase_request.draw_secret_sealed),
        },
    )
    public_log.log_award(purchase_request, note)
    return purchase_request


def _award_key(purchase_request: PurchaseRequest, key: str, *, actor, now) -> PurchaseRequest:
    quote = next(
        quote for quote in quotes_valid(purchase_request) if quote.agency.selection_key == key
    )
    return _award(purchase_request, quote.agency, actor=actor, now=now)


# The owner's part -----------------------------------------------------------------------------


@transaction.atomic
def selection_choose(
    *, actor: User, purchase_request: PurchaseRequest, agency: Agency
) -> PurchaseRequest:
    """The owner's own choice among the choosable quotes (market.selectors.quotes_choosable:
    every valid quote for direct selection, the drawn short list for credit merit). Never a
    department's (R4).

    Raises ApplicationError when the actor is not the owner ("not_owner"), the request is
    not awaiting a choice ("not_awaiting_choice"), or the agency may not be chosen
    ("not_choosable")."""
    purchase_request = purchase_request_lock(purchase_request)
    require("market.act_for_purchase_request", actor, purchase_request)
    if purchase_request.status != Status.SELECTING or purchase_request.selection_method not in (
        SelectionMethod.DIRECT,
        SelectionMethod.CREDIT_MERIT,
    ):
        raise ApplicationError(
            _("This request is not waiting for the owner's choice."), code="not_awaiting_choice"
        )
    if not quotes_choosable(purchase_request).filter(agency=agency).exists():
        raise ApplicationError(
            _("This agency cannot be chosen for this request."), code="not_choosable"
        )
    return _award(
        purchase_request, agency, actor=actor, now=timezone.now(), note=_("Chosen by the owner.")
    )


@transaction.atomic
def selection_scored_decide(
    *,
    actor: User,
    purchase_request: PurchaseRequest,
    scores: dict[int, dict[str, Decimal]],
) -> PurchaseRequest:
    """Scored evaluation: the evaluators' marks (0–100 per criterion, except price, which is
    computed: the lowest price scores 100, others lowest ÷ theirs × 100) are weighted as fixed
    when publishing; highest total wins, ties by draw.

    `scores` maps each choosable quote's id to its marks. Raises ApplicationError when the
    actor is not the owner ("not_owner"), the request is not waiting for scores
    ("not_awaiting_scores"), or a mark is missing or outside 0–100 ("mark_out_of_range")."""
    purchase_request = purchase_request_lock(purchase_request)
    require("market.act_for_purchase_request", actor, purchase_request)
    if (
        purchase_request.status != Status.SELECTING
        or purchase_request.selection_method != SelectionMethod.SCORED
    ):
        raise ApplicationError(
            _("This request is not waiting for scores."), code="not_awaiting_scores"
        )
    valid = list(quotes_choosable(purchase_request))
    criteria = {c["name"]: Decimal(c["weight"]) for c in purchase_request.scoring_criteria}
    amounts = {quote.pk: quote.opened_amount or Decimal(0) for quote in valid}
    lowest = min(amounts.values())
    totals = {}
    for quote in valid:
        marks = scores.get(quote.pk) or {}
        total = Decimal(0)
        for name, weight in criteria.items():
            if name == "price":
                amount = amounts[quote.pk]
                mark = (lowest / amount * 100) if amount else Decimal(100)
            else:
                mark = Decimal(str(marks.get(name, "-1")))
                if not (0 <= mark <= 100):
                    raise ApplicationError(
                        _("Every quote needs a mark from 0 to 100 for %(criterion)s.")
                        % {"criterion": name},
                        code="mark_out_of_range",
                    )
            total += mark * weight / 100
        totals[quote.agency.selection_key] = str(total.quantize(Decimal("0.01")))
    try:
        beacon = _beacon(purchase_request)
    except BeaconPending:
        raise ApplicationError(
            _(
                "The draw that settles equal totals uses beacon round %(round)s, which is not "
                "published yet (due at %(time)s); please submit the scores again after it."
            )
            % {
                "round": purchase_request.beacon_round,
                "time": timezone.localtime(
                    # Only a request with a round waits for it.
                    configured_chain().round_time(cast(int, purchase_request.beacon_round))
                ).strftime("%Y-%m-%d %H:%M:%S"),
            },
            code="beacon_pending",
        ) from None
    secret = sealing.open_text(purchase_request.draw_secret_sealed)
    record = _draw(purchase_request, secret, valid, {"totals": totals}, beacon)
    return _award_key(purchase_request, record.result["winner"], actor=actor, now=timezone.now())


# After the award ------------------------------------------------------------------------------


def _next_after_decline(
    purchase_request: PurchaseRequest, *, actor: User | None, now
) -> PurchaseRequest:
    """Back to selecting, then on to the next result by the method's own rule."""
    status_move(
        purchase_request,
        Status.SELECTING,
        actor=actor,
        fields={"winner": None, "publicity_ends_on": None},
    )
    declined = declined_keys(purchase_request)
    valid_keys = {quote.agency.selection_key for quote in quotes_valid(purchase_request)}
    ranking = (purchase_request.draw_record or {}).get("result", {}).get("ranking")
    remaining = (
        [key for key in ranking if key in valid_keys and key not in declined]
        if ranking
        else sorted(valid_keys - declined)
    )
    if not remaining:
        reason = _("No agency left to select.")
        status_move(purchase_request, Status.FAILED, note=reason, fields={"outcome_note": reason})
        public_log.log_failure(purchase_request, reason)
        return purchase_request
    if ranking:
        return _award_key(purchase_request, remaining[0], actor=None, now=now)
    return purchase_request  # the owner chooses again


def _decline_record(**fields) -> AwardDecline:
    """Record a declined award and announce it once committed (the credit system counts a
    decline that was the agency's own doing)."""
    decline = AwardDecline.objects.create(**fields)
    award_declined.send_after_commit(AwardDecline, decline_id=decline.pk)
    return decline


@transaction.atomic
def award_decline(
    *, actor: User, purchase_request: PurchaseRequest, reason: str = ""
) -> PurchaseRequest:
    """The selected agency declines. It is recorded (the credit issue counts it as a
    violation) and the next result follows the method's rules.

    Raises ApplicationError when there is no award to decline ("no_award") or the actor does
    not administer the selected agency ("not_agency_admin")."""
    purchase_request = purchase_request_lock(purchase_request)
    if purchase_request.status != Status.AWARDED or purchase_request.winner is None:
        raise ApplicationError(_("There is no award to decline."), code="no_award")
    require(
        "agencies.act_for_agency",
        actor,
        purchase_request.winner,
        message=_("Only the selected agency may decline the award."),
    )
    _decline_record(
        purchase_request=purchase_request, agency=purchase_request.winner, reason=reason.strip()
    )
    public_log.log_decline(
        purchase_request, purchase_request.winner.selection_key, by_objection=False
    )
    return _next_after_decline(purchase_request, actor=actor, now=timezone.now())


@transaction.atomic
def objection_file(*, actor: User, purchase_request: PurchaseRequest, text: str) -> Objection:
    """An objection (质疑) during the publicity period, by the owner or a quoting agency; it
    holds the award until a regulator answers. Raises ApplicationError outside the period
    ("not_in_publicity"), for anyone else ("may_not_object"), or without a text
    ("text_required")."""
    purchase_request = purchase_request_lock(purchase_request)
    if not purchase_request.publicity_open:
        raise ApplicationError(
            _("Objections are taken only during the publicity period."), code="not_in_publicity"
        )
    quoting = (
        actor.organisation_id is not None
        and purchase_request.quotes.filter(agency__organisation_id=actor.organisation_id).exists()
    )
    if not quoting and actor.organisation_id != purchase_request.project.owner_id:
        raise ApplicationError(
            _("Only the owner and the agencies that quoted may object."), code="may_not_object"
        )
    if not (text or "").strip():
        message = _("Please say what the objection is.")
        raise ApplicationError(message, code="text_required", extra={"text": [message]})
    return Objection.objects.create(
        purchase_request=purchase_request, filed_by=actor, text=text.strip()
    )


@transaction.atomic
def objection_answer(*, actor: User, objection: Objection, upheld: bool, answer: str) -> Objection:
    """A regulator's answer. Upheld: the award is set aside and the next result follows, as
    when a winner declines. Raises ApplicationError for anyone but a regulator
    ("not_regulator"), an objection already answered ("already_answered"), or an empty
    answer ("answer_required")."""
    require("accounts.regulate", actor, message=_("Only a regulator answers objections."))
    purchase_request = purchase_request_lock(objection.purchase_request)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.status != Objection.Status.PENDING:
        raise ApplicationError(
            _("This objection has already been answered."), code="already_answered"
        )
    if not (answer or "").strip():
        message = _("The answer is published; please write it.")
        raise ApplicationError(message, code="answer_required", extra={"answer": [message]})
    objection.status = Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED
    objection.answer, objection.answered_by, objection.answered_at = (
        answer.strip(),
        actor,
        timezone.now(),
    )
    objection.save()
    if upheld and purchase_request.status == Status.AWARDED and purchase_request.winner:
        _decline_record(
            purchase_request=purchase_request,
            agency=purchase_request.winner,
            reason=answer.strip(),
            by_objection=True,
        )
        public_log.log_decline(
            purchase_request, purchase_request.winner.selection_key, by_objection=True
        )
        _next_after_decline(purchase_request, actor=actor, now=timezone.now())
    return objection
