"""Opening the quotes and selecting an agency, by each of the six methods (docs/selection.md).

Every random step goes through market.draws with the seed derived from the request's secret
(committed to when the notice was published) and the sorted quote receipts; the record of
the draw is kept so anyone can recompute it (manage.py verify_draw, /verify/draw/<number>/)."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from agencies.models import Agency
from catalogue.models import FeeMode
from core.exceptions import ApplicationError
from core.workdays import add_workdays
from market import draws, sealing
from market.models import (
    AwardDecline,
    Objection,
    PurchaseRequest,
    Quote,
    SelectionMethod,
)
from market.services.requests import lock, move, owner_check

Status = PurchaseRequest.Status
# Methods whose result follows from the quotes alone, decided at opening.
AUTOMATIC = {
    SelectionMethod.RANDOM_DRAW,
    SelectionMethod.LOWEST_PRICE,
    SelectionMethod.OPTIMAL_PRICE,
}
CREDIT_LONGLIST_SIZE = 5
CREDIT_SHORTLIST_SIZE = 3


def min_quotes(request: PurchaseRequest) -> int:
    """How many valid quotes the method needs (a setting; defaults in docs/selection.md)."""
    by_funding = settings.SELECTION_MIN_QUOTES.get(request.project.funding, {})
    return by_funding.get(request.selection_method, by_funding.get("default", 1))


def _key(quote: Quote) -> str:
    # Every agency registers with its credit code; the fallback only keeps keys unique.
    return quote.agency.organisation.credit_code or f"agency-{quote.agency_id}"


def _open(quote: Quote, request: PurchaseRequest) -> None:
    opened = sealing.open_sealed(quote.sealed)
    if sealing.receipt_for(opened) != quote.receipt:
        # Never expected; if it happens the quote cannot be trusted, and says why in public.
        quote.valid, quote.invalid_reason = False, _("The opened quote does not match its receipt.")
    quote.opened_amount = opened.amount
    quote.opened_discount_rate = opened.discount_rate
    quote.opened_nonce = opened.nonce
    item = request.service_item
    low, high = item.reference_price_low, item.reference_price_high
    if item.fee_mode == FeeMode.MARKET and low is not None and high is not None:
        quote.outside_reference_range = not (low <= opened.amount <= high)
    if quote.agency.status != Agency.Status.ACTIVE:
        quote.valid = False
        quote.invalid_reason = _("The agency is no longer active on the roster.")


def open_and_select(request: PurchaseRequest, *, now: datetime.datetime) -> PurchaseRequest:
    """Open the sealed quotes of a closed (and locked) request, then select where the method
    decides by itself, or leave the choice to the owner. Fewer valid quotes than the method
    needs → failed (流标)."""
    quotes = list(
        request.quotes.filter(status=Quote.Status.SUBMITTED).select_related("agency__organisation")
    )
    for quote in quotes:
        _open(quote, request)
    Quote.objects.bulk_update(
        quotes,
        [
            "opened_amount",
            "opened_discount_rate",
            "opened_nonce",
            "outside_reference_range",
            "valid",
            "invalid_reason",
        ],
    )
    secret = sealing.open_text(request.draw_secret_sealed)
    move(request, Status.SELECTING, actor=None, opened_at=now, note=_("Quotes opened."))
    valid = [quote for quote in quotes if quote.valid]
    needed = min_quotes(request)
    if len(valid) < needed:
        return _fail(
            request,
            _("Only %(count)d valid quotes; this method needs at least %(needed)d.")
            % {"count": len(valid), "needed": needed},
            secret=secret,
        )
    if request.selection_method in AUTOMATIC:
        record = _draw(request, secret, valid, _price_parameters(valid))
        return _award_key(request, record.result["winner"], actor=None, now=now)
    if request.selection_method == SelectionMethod.CREDIT_MERIT:
        scores = {_key(quote): str(quote.agency.credit_score) for quote in valid}
        _draw(
            request,
            secret,
            valid,
            {
                "credit_scores": scores,
                "longlist_size": min(CREDIT_LONGLIST_SIZE, len(valid)),
                "k": min(CREDIT_SHORTLIST_SIZE, len(valid)),
            },
        )
    return request


def _price_parameters(valid: list[Quote]) -> dict:
    return {"prices": {_key(quote): str(quote.opened_amount) for quote in valid}}


def _draw(
    request: PurchaseRequest, secret: str, valid: list[Quote], parameters: dict
) -> draws.DrawRecord:
    receipts = [quote.receipt for quote in request.quotes.filter(status=Quote.Status.SUBMITTED)]
    record = draws.make_record(
        request.selection_method, secret, receipts, [_key(quote) for quote in valid], parameters
    )
    # The secret is revealed as soon as it has served: from now on anyone can re-check.
    request.draw_record, request.draw_secret = record.to_dict(), secret
    request.save(update_fields=["draw_record", "draw_secret"])
    return record


def _fail(request: PurchaseRequest, reason: str, *, secret: str) -> PurchaseRequest:
    return move(
        request,
        Status.FAILED,
        actor=None,
        note=reason,
        outcome_note=reason,
        draw_secret=secret,
    )


def _award(
    request: PurchaseRequest, agency: Agency, *, actor: User | None, now, note=""
) -> PurchaseRequest:
    publicity = add_workdays(timezone.localdate(now), settings.AWARD_PUBLICITY_WORKDAYS)
    request = move(
        request,
        Status.AWARDED,
        actor=actor,
        note=note,
        winner=agency,
        publicity_ends_on=publicity,
        draw_secret=sealing.open_text(request.draw_secret_sealed),
    )
    from market.tasks import award_notify

    transaction.on_commit(lambda: award_notify.delay(request.pk))
    return request


def _award_key(request: PurchaseRequest, key: str, *, actor, now) -> PurchaseRequest:
    agency = Agency.objects.get(organisation__credit_code=key)
    return _award(request, agency, actor=actor, now=now)


# The owner's part -----------------------------------------------------------------------------


def _declined_keys(request: PurchaseRequest) -> set[str]:
    codes = request.declines.values_list("agency__organisation__credit_code", flat=True)
    return {code for code in codes if code}


def _valid_quotes(request: PurchaseRequest) -> list[Quote]:
    return list(
        request.quotes.filter(status=Quote.Status.SUBMITTED, valid=True).select_related(
            "agency__organisation"
        )
    )


@transaction.atomic
def selection_choose(*, actor: User, request: PurchaseRequest, agency: Agency) -> PurchaseRequest:
    """The owner's own choice: among all valid quotes (direct selection) or the drawn short
    list (credit merit). Never a department's (R4).

    Raises ApplicationError when the actor is not the owner, the request is not awaiting a
    choice, or the agency may not be chosen."""
    request = lock(request)
    owner_check(actor=actor, project=request.project)
    if request.status != Status.SELECTING or request.selection_method not in (
        SelectionMethod.DIRECT,
        SelectionMethod.CREDIT_MERIT,
    ):
        raise ApplicationError(_("This request is not waiting for the owner's choice."))
    allowed = {_key(quote) for quote in _valid_quotes(request)} - _declined_keys(request)
    if request.selection_method == SelectionMethod.CREDIT_MERIT:
        allowed &= set((request.draw_record or {}).get("result", {}).get("shortlist", []))
    if agency.organisation.credit_code not in allowed:
        raise ApplicationError(_("This agency cannot be chosen for this request."))
    return _award(request, agency, actor=actor, now=timezone.now(), note=_("Chosen by the owner."))


@transaction.atomic
def selection_scored_decide(
    *, actor: User, request: PurchaseRequest, scores: dict[int, dict[str, Decimal]]
) -> PurchaseRequest:
    """Scored evaluation: the evaluators' marks (0–100 per criterion, except price, which is
    computed: the lowest price scores 100, others lowest ÷ theirs × 100) are weighted as fixed
    when publishing; highest total wins, ties by draw.

    `scores` maps each valid quote's id to its marks. Raises ApplicationError when a valid
    quote or a criterion is missing, or a mark is outside 0–100."""
    request = lock(request)
    owner_check(actor=actor, project=request.project)
    if request.status != Status.SELECTING or request.selection_method != SelectionMethod.SCORED:
        raise ApplicationError(_("This request is not waiting for scores."))
    valid = [
        quote for quote in _valid_quotes(request) if _key(quote) not in _declined_keys(request)
    ]
    criteria = {c["name"]: Decimal(c["weight"]) for c in request.scoring_criteria}
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
                        % {"criterion": name}
                    )
            total += mark * weight / 100
        totals[_key(quote)] = str(total.quantize(Decimal("0.01")))
    secret = sealing.open_text(request.draw_secret_sealed)
    record = _draw(request, secret, valid, {"totals": totals})
    return _award_key(request, record.result["winner"], actor=actor, now=timezone.now())


# After the award ------------------------------------------------------------------------------


def _next_after_decline(request: PurchaseRequest, *, actor: User | None, now) -> PurchaseRequest:
    """Back to selecting, then on to the next result by the method's own rule."""
    move(request, Status.SELECTING, actor=actor, winner=None, publicity_ends_on=None)
    declined = _declined_keys(request)
    valid_keys = {_key(quote) for quote in _valid_quotes(request)}
    ranking = (request.draw_record or {}).get("result", {}).get("ranking")
    if ranking:
        remaining = [key for key in ranking if key in valid_keys and key not in declined]
        if not remaining:
            return move(
                request, Status.FAILED, actor=None, outcome_note=_("No agency left to select.")
            )
        return _award_key(request, remaining[0], actor=None, now=now)
    if not (valid_keys - declined):
        return move(request, Status.FAILED, actor=None, outcome_note=_("No agency left to select."))
    return request  # the owner chooses again


@transaction.atomic
def award_decline(*, actor: User, request: PurchaseRequest, reason: str = "") -> PurchaseRequest:
    """The selected agency declines. It is recorded (the credit issue counts it as a
    violation) and the next result follows the method's rules.

    Raises ApplicationError when the actor does not administer the selected agency."""
    request = lock(request)
    if request.status != Status.AWARDED or request.winner is None:
        raise ApplicationError(_("There is no award to decline."))
    organisation = request.winner.organisation
    if actor.organisation_id != organisation.pk or not actor.has_perm(
        "accounts.change_organisation", organisation
    ):
        raise ApplicationError(_("Only the selected agency may decline the award."))
    AwardDecline.objects.create(request=request, agency=request.winner, reason=reason.strip())
    return _next_after_decline(request, actor=actor, now=timezone.now())


@transaction.atomic
def objection_file(*, actor: User, request: PurchaseRequest, text: str) -> Objection:
    """An objection (质疑) during the publicity period, by the owner or a quoting agency; it
    holds the award until a regulator answers. Raises ApplicationError outside the period,
    for anyone else, or without a text."""
    request = lock(request)
    today = timezone.localdate()
    if (
        request.status != Status.AWARDED
        or not request.publicity_ends_on
        or today > request.publicity_ends_on
    ):
        raise ApplicationError(_("Objections are taken only during the publicity period."))
    quoting = (
        actor.organisation_id is not None
        and request.quotes.filter(agency__organisation_id=actor.organisation_id).exists()
    )
    if not quoting and actor.organisation_id != request.project.owner_id:
        raise ApplicationError(_("Only the owner and the agencies that quoted may object."))
    if not (text or "").strip():
        raise ApplicationError(
            _("Please say what the objection is."),
            extra={"text": [_("Please say what the objection is.")]},
        )
    return Objection.objects.create(request=request, filed_by=actor, text=text.strip())


@transaction.atomic
def objection_answer(*, actor: User, objection: Objection, upheld: bool, answer: str) -> Objection:
    """A regulator's answer. Upheld: the award is set aside and the next result follows, as
    when a winner declines. Raises ApplicationError for anyone but a regulator, an objection
    already answered, or an empty answer."""
    if actor.role != Role.REGULATOR:
        raise ApplicationError(_("Only a regulator answers objections."))
    request = lock(objection.request)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.status != Objection.Status.PENDING:
        raise ApplicationError(_("This objection has already been answered."))
    if not (answer or "").strip():
        raise ApplicationError(
            _("The answer is published; please write it."),
            extra={"answer": [_("The answer is published; please write it.")]},
        )
    objection.status = Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED
    objection.answer, objection.answered_by, objection.answered_at = (
        answer.strip(),
        actor,
        timezone.now(),
    )
    objection.save()
    if upheld and request.status == Status.AWARDED and request.winner is not None:
        AwardDecline.objects.create(
            request=request, agency=request.winner, reason=answer.strip(), by_objection=True
        )
        _next_after_decline(request, actor=actor, now=timezone.now())
    return objection


def award_is_held(request: PurchaseRequest) -> bool:
    """An award with an objection awaiting its answer cannot proceed to a contract."""
    return request.objections.filter(status=Objection.Status.PENDING).exists()
