"""Rating a finished service (好差评, R12). The owner rates quality, timeliness, attitude, fees
and conduct, the approval department quality and timeliness, each from 1 to 5, once per
contract, after the work is accepted. A poor rating needs its reason and waits for a
regulator before it counts, so an owner cannot sink an agency with a grudge, nor an agency
escape a fair complaint by silence: the regulator's decision and note are on the record. The
agency may reply once; the rater may change the rating for RATING_FROZEN_DAYS."""

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import allowed, require
from contracts.models import Contract
from core.exceptions import ApplicationError
from core.status import lock_for_update
from credit.models import ASPECTS, Rating
from credit.signals import credit_inputs_changed

Rater = Rating.Rater
# What each rater scores.
RATER_ASPECTS = {
    Rater.OWNER: ASPECTS,
    Rater.DEPARTMENT: ("quality", "timeliness"),
}
RATER_RULE = {Rater.OWNER: "contracts.act_for_owner", Rater.DEPARTMENT: "credit.rate_as_department"}
_FINISHED = (Contract.Status.ACCEPTED, Contract.Status.CLOSED)


def _checked_scores(rater: Rater, scores: dict[str, Any]) -> dict[str, int]:
    """Every aspect the rater scores, each a whole number from 1 to 5; all problems at once."""
    checked: dict[str, int] = {}
    errors: dict[str, list[str]] = {}
    for aspect in RATER_ASPECTS[rater]:
        value = scores.get(aspect)
        try:
            number = int(str(value).strip())
        except (TypeError, ValueError):
            number = 0
        if not 1 <= number <= 5 or str(value).strip() != str(number):
            errors[aspect] = [_("Give a score from 1 to 5.")]
        else:
            checked[aspect] = number
    if errors:
        raise ApplicationError(
            _("Each aspect needs a score from 1 to 5."), code="score_out_of_range", extra=errors
        )
    return checked


def _is_poor(scores: dict[str, int]) -> bool:
    return any(value <= settings.RATING_POOR_AT for value in scores.values())


def poor_reason_message() -> str:
    return _(
        "A score of %(poor)d or less needs its reason: the agency and the regulator read it."
    ) % {"poor": settings.RATING_POOR_AT}


def _require_reason_if_poor(scores: dict[str, int], reason: str) -> None:
    if _is_poor(scores) and not reason:
        message = poor_reason_message()
        raise ApplicationError(message, code="reason_required", extra={"reason": [message]})


def _score_inputs_changed(rating: Rating) -> None:
    """The agency's score is made from its counted ratings: recompute it once this commits."""
    credit_inputs_changed.send_after_commit(Rating, agency_id=rating.agency_id)


def frozen_after(rating: Rating) -> datetime.datetime:
    return rating.rated_at + datetime.timedelta(days=settings.RATING_FROZEN_DAYS)


@transaction.atomic
def rating_submit(
    *,
    actor: User,
    contract: Contract,
    rater: str,
    scores: dict[str, Any],
    comment: str = "",
    reason: str = "",
) -> Rating:
    """Rate the contract's service as `rater` ("owner" or "department").

    Raises ApplicationError: the rater's rule refusal ("not_owner_admin",
    "not_contract_department"), "not_finished" (the work is not accepted), "already_rated",
    "score_out_of_range" (with field errors), "reason_required" (a poor rating without one)."""
    rater = Rater(rater)
    contract = lock_for_update(contract, "agency", "purchase_request__service_item")
    require(RATER_RULE[rater], actor, contract)
    if contract.status not in _FINISHED:
        raise ApplicationError(
            _("A service is rated once its work is accepted."), code="not_finished"
        )
    if Rating.objects.filter(contract=contract, rater=rater).exists():
        raise ApplicationError(_("This service is already rated by you."), code="already_rated")
    checked = _checked_scores(rater, scores)
    reason = (reason or "").strip()
    _require_reason_if_poor(checked, reason)
    rating = Rating.objects.create(
        contract=contract,
        rater=rater,
        organisation=contract.owner
        if rater == Rater.OWNER
        else contract.purchase_request.service_item.approval_department,
        agency=contract.agency,
        comment=(comment or "").strip(),
        reason=reason,
        status=Rating.Status.UNDER_REVIEW if _is_poor(checked) else Rating.Status.COUNTED,
        rated_by=actor,
        rated_at=timezone.now(),
        **checked,
    )
    _score_inputs_changed(rating)
    return rating


def rating_changeable(*, actor: User, rating: Rating) -> bool:
    """Whether `actor` may still change the rating: its rater's rule, before it is frozen —
    the two checks rating_change makes, for the page to offer the change."""
    return timezone.now() < frozen_after(rating) and allowed(
        RATER_RULE[Rater(rating.rater)], actor, rating.contract
    )


@transaction.atomic
def rating_change(
    *,
    actor: User,
    rating: Rating,
    scores: dict[str, Any],
    comment: str = "",
    reason: str = "",
) -> Rating:
    """Change a rating within RATING_FROZEN_DAYS of giving it; a poor one goes back to the
    regulator. Raises ApplicationError as rating_submit, and "rating_frozen" after that."""
    rating = lock_for_update(rating, "contract__agency", "contract__purchase_request")
    rater = Rater(rating.rater)
    require(RATER_RULE[rater], actor, rating.contract)
    if timezone.now() >= frozen_after(rating):
        raise ApplicationError(
            _("A rating is frozen %(days)d days after it is given.")
            % {"days": settings.RATING_FROZEN_DAYS},
            code="rating_frozen",
        )
    checked = _checked_scores(rater, scores)
    reason = (reason or "").strip()
    _require_reason_if_poor(checked, reason)
    for aspect, value in checked.items():
        setattr(rating, aspect, value)
    rating.comment = (comment or "").strip()
    rating.reason = reason
    rating.status = Rating.Status.UNDER_REVIEW if _is_poor(checked) else Rating.Status.COUNTED
    rating.reviewed_by, rating.reviewed_at, rating.review_note = None, None, ""
    rating.changed_at = timezone.now()
    rating.save()
    _score_inputs_changed(rating)
    return rating


@transaction.atomic
def rating_review(*, actor: User, rating: Rating, upheld: bool, note: str = "") -> Rating:
    """A regulator upholds a poor rating (it counts) or sets it aside (it does not), with a
    note that is required when setting aside.

    Raises ApplicationError: "not_regulator", "not_under_review", "note_required"."""
    require("accounts.regulate", actor)
    rating = lock_for_update(rating)
    if rating.status != Rating.Status.UNDER_REVIEW:
        raise ApplicationError(
            _("Only a poor rating waiting for review can be decided."), code="not_under_review"
        )
    note = (note or "").strip()
    if not upheld and not note:
        message = _("Say why the rating is set aside: the owner reads it.")
        raise ApplicationError(message, code="note_required", extra={"note": [message]})
    rating.status = Rating.Status.COUNTED if upheld else Rating.Status.SET_ASIDE
    rating.reviewed_by, rating.reviewed_at, rating.review_note = actor, timezone.now(), note
    rating.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    _score_inputs_changed(rating)
    return rating


@transaction.atomic
def rating_reply(*, actor: User, rating: Rating, text: str) -> Rating:
    """The agency's one public reply to a rating. Raises ApplicationError: "not_agency_admin",
    "already_replied", "reply_required"."""
    rating = lock_for_update(rating, "contract__agency")
    require("contracts.act_for_agency", actor, rating.contract)
    if rating.replied_at is not None:
        raise ApplicationError(
            _("The agency has already replied to this rating."), code="already_replied"
        )
    text = (text or "").strip()
    if not text:
        message = _("Write the reply.")
        raise ApplicationError(message, code="reply_required", extra={"text": [message]})
    rating.reply, rating.replied_at = text, timezone.now()
    rating.save(update_fields=["reply", "replied_at"])
    return rating
