"""Sealed quotes: submit, revise, withdraw — only before the deadline, by the server clock.

Amounts exist in clear only in the submitting agency's own request and in the opened quote
after the deadline. The service never logs them and returns them to no one else."""

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require
from agencies.models import Agency, Practitioner
from agencies.selectors import agency_for_member
from catalogue.models import FeeMode
from core.exceptions import ApplicationError
from core.uploads import PDF, validate_upload
from market import sealing
from market.models import Invitation, PurchaseRequest, Quote, QuoteMember, QuoteReceipt
from market.selectors import agency_ineligibility_reasons, eligible_agencies
from market.services import public_log
from market.services.clock import advance_locked
from market.services.locks import purchase_request_lock

Status = PurchaseRequest.Status
NONCE_SHAPE = re.compile(r"\A[0-9a-f]{32}\Z")


@dataclass(frozen=True)
class MemberShare:
    agency: Agency
    share: str


def acting_agency(actor: User) -> Agency:
    """The agency the actor acts for: they must administer it.

    Raises ApplicationError ("not_agency_admin")."""
    agency = agency_for_member(user=actor)
    require(
        "agencies.act_for_agency",
        actor,
        agency,
        message=_("Only an agency's administrators may quote for it."),
    )
    return cast(Agency, agency)  # require() refuses a missing agency


def _deadline_checked(purchase_request: PurchaseRequest, now: datetime.datetime) -> None:
    deadline = purchase_request.quote_deadline
    if deadline is not None and now >= deadline:
        raise ApplicationError(
            _("Quotes are accepted only while quoting is open; the deadline was %(deadline)s.")
            % {"deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")},
            code="deadline_passed",
        )


def _quoting_open(purchase_request: PurchaseRequest, now: datetime.datetime) -> None:
    """On the locked request, by the server clock read after the lock was granted."""
    # Past the deadline the answer is no before anything else: the refusal rolls the
    # transaction back, so closing and opening the request here would be work thrown away,
    # done under the row lock every late sender waits for (the sweep makes those moves).
    _deadline_checked(purchase_request, now)
    advance_locked(purchase_request, now=now)
    if purchase_request.status != Status.QUOTING:
        raise ApplicationError(_("This request is not open for quotes."), code="not_quoting")


def _answered(purchase_request: PurchaseRequest, agency: Agency, key: str) -> Quote | None:
    """The agency's quote when this very submission (its `key`) was already recorded."""
    if not key:
        return None
    return Quote.objects.filter(
        purchase_request=purchase_request, agency=agency, submission_key=key
    ).first()


def _priced(
    purchase_request: PurchaseRequest, amount, discount_rate
) -> tuple[Decimal, Decimal | None]:
    """The amount the quote stands for, checked against the fee standard (R2) and budget."""
    item = purchase_request.service_item
    try:
        if item.fee_mode == FeeMode.GOVERNMENT_SET and item.fee_amount is not None:
            # A government-set price is quoted as a discount on it, never above it.
            rate = sealing.parse_discount_rate(discount_rate)
            value = sealing.parse_amount((item.fee_amount * rate / 100).quantize(Decimal("0.01")))
        else:
            rate = None
            value = sealing.parse_amount(amount)
    except ValueError as exc:
        field = "discount_rate" if item.fee_mode == FeeMode.GOVERNMENT_SET else "amount"
        raise ApplicationError(str(exc), code="bad_amount", extra={field: [str(exc)]}) from None
    ceiling = item.fee_ceiling
    if item.fee_mode == FeeMode.GOVERNMENT_GUIDANCE and ceiling is not None and value > ceiling:
        message = _("The amount is above the government guidance ceiling of %(ceiling)s yuan.") % {
            "ceiling": ceiling
        }
        raise ApplicationError(message, code="above_ceiling", extra={"amount": [message]})
    if value > purchase_request.budget:
        message = _("The amount is above the owner's budget of %(budget)s yuan.") % {
            "budget": purchase_request.budget
        }
        raise ApplicationError(message, code="above_budget", extra={"amount": [message]})
    return value, rate


def _justification_checked(
    purchase_request: PurchaseRequest, value: Decimal, justification: str
) -> str:
    """R2: an amount outside the item's published reference range needs a written
    justification; it is sealed with the quote and flagged to regulators at opening."""
    item = purchase_request.service_item
    low, high = item.reference_price_low, item.reference_price_high
    justification = (justification or "").strip()
    outside = item.fee_mode == FeeMode.MARKET and low and high and not (low <= value <= high)
    if outside and not justification:
        message = _(
            "The amount is outside the published reference range of %(low)s–%(high)s yuan: "
            "say why it is justified. The reason is sealed with the quote and published at "
            "opening."
        ) % {"low": low, "high": high}
        raise ApplicationError(
            message, code="justification_required", extra={"justification": [message]}
        )
    return justification if outside else ""


def _time_limit_checked(purchase_request: PurchaseRequest, agency: Agency, days: int) -> None:
    """R10: a quote's time limit is at most the statutory one, the owner's requirement and the
    agency's own published commitment for the item."""
    limits = [
        (
            purchase_request.service_item.statutory_time_limit_days,
            "bad_time_limit",
            _("The committed time limit must be between 1 and %(days)d working days."),
        )
    ]
    if purchase_request.wanted_time_limit_days:
        limits.append(
            (
                purchase_request.wanted_time_limit_days,
                "time_limit_above_wanted",
                _("The owner requires the work within %(days)d working days."),
            )
        )
    commitment = (
        agency.scope.filter(service_item=purchase_request.service_item)
        .values_list("committed_time_limit_days", flat=True)
        .first()
    )
    if commitment:
        limits.append(
            (
                commitment,
                "time_limit_above_commitment",
                _("Your agency's published commitment for this service is %(days)d working days."),
            )
        )
    for limit, code, message in limits:
        if not (1 <= int(days or 0) <= limit):
            text = message % {"days": limit}
            raise ApplicationError(text, code=code, extra={"committed_time_limit_days": [text]})


def _members_checked(
    purchase_request: PurchaseRequest, lead: Agency, members: Sequence[MemberShare]
) -> None:
    if not members:
        return
    eligible = set(
        eligible_agencies(purchase_request=purchase_request)
        .filter(pk__in=[member.agency.pk for member in members])
        .values_list("pk", flat=True)
    )
    seen: set[int] = set()
    for member in members:
        if member.agency.pk in seen:
            raise ApplicationError(
                _("%(agency)s is named twice: name each member once.") % {"agency": member.agency},
                code="member_repeated",
                extra={"members": [str(member.agency)]},
            )
        seen.add(member.agency.pk)
        if member.agency.pk == lead.pk or member.agency.pk not in eligible:
            raise ApplicationError(
                _("%(agency)s cannot join this quote: each member must itself be eligible.")
                % {"agency": member.agency},
                code="member_not_eligible",
                extra={"members": [str(member.agency)]},
            )
        if not member.share.strip():
            raise ApplicationError(
                _("Say what share of the work %(agency)s takes.") % {"agency": member.agency},
                code="member_share_required",
                extra={"members": [str(member.agency)]},
            )


@transaction.atomic
def quote_submit(
    *,
    actor: User,
    purchase_request: PurchaseRequest,
    committed_time_limit_days: int,
    amount: object = None,
    discount_rate: object = None,
    practitioners: Sequence[Practitioner] = (),
    proposal: UploadedFile | None = None,
    members: Sequence[MemberShare] = (),
    nonce: str,
    idempotency_key: str = "",
    justification: str = "",
) -> Quote:
    """Submit or revise the actor's agency's quote and return it with its new receipt.

    The same `idempotency_key` twice (a double click, a retried request) returns the quote
    as the first call left it. Raises ApplicationError when the actor does not administer an
    agency ("not_agency_admin"), quoting is not open by the server clock ("deadline_passed",
    "not_quoting"), the agency is not eligible ("not_eligible"), the amount is zero,
    negative or absurd ("bad_amount"), above a government ceiling ("above_ceiling", R2) or
    the budget ("above_budget"), the time limit is out of range ("bad_time_limit") or above
    the owner's requirement or the agency's own commitment ("time_limit_above_wanted",
    "time_limit_above_commitment", R10), a
    practitioner is not the agency's ("foreign_practitioner"), a member is not eligible (an
    agency active on the roster and eligible for the request, not the lead itself), is named
    twice or has no share ("member_not_eligible", "member_repeated",
    "member_share_required"), an amount outside the
    published reference range comes without a justification ("justification_required", R2),
    or the proposal is not a PDF ("bad_proposal"), or the nonce is not the 32 hex characters
    the agency's browser makes ("bad_nonce"). The nonce is the agency's own: the platform never
    chooses it (docs/selection.md)."""
    agency = acting_agency(actor)
    existing = _answered(purchase_request, agency, idempotency_key)
    if existing is not None:
        return existing
    # Every quote for the request waits on its row lock, most of them in the last seconds
    # before the deadline: what depends only on the agency, the request's fixed terms and the
    # form is checked before taking it, so the lock is held for what it guards — the clock's
    # moves, the deadline, and the agency's one quote row. The deadline is looked at first
    # too, so a late sender hears that and not a complaint about the form.
    _deadline_checked(purchase_request, timezone.now())
    reasons = agency_ineligibility_reasons(agency=agency, purchase_request=purchase_request)
    if reasons:
        raise ApplicationError(
            _("Your agency is not eligible to quote for this request: %(reasons)s")
            % {"reasons": "；".join(str(reason) for reason in reasons)},
            code="not_eligible",
        )
    value, rate = _priced(purchase_request, amount, discount_rate)
    justification = _justification_checked(purchase_request, value, justification)
    _time_limit_checked(purchase_request, agency, committed_time_limit_days)
    foreign = [p for p in practitioners if p.agency_id != agency.pk or not p.active]
    if foreign:
        raise ApplicationError(
            _("Only your agency's current practitioners can be named."),
            code="foreign_practitioner",
            extra={"practitioners": [str(p) for p in foreign]},
        )
    _members_checked(purchase_request, agency, members)
    if proposal is not None:
        try:
            validate_upload(proposal, kinds=(PDF,))
        except ValidationError as exc:
            raise ApplicationError(
                exc.messages[0], code="bad_proposal", extra={"proposal": exc.messages}
            ) from None

    if not isinstance(nonce, str) or not NONCE_SHAPE.match(nonce):
        message = _(
            "Your browser did not make the quote's random number: reload the page with "
            "JavaScript on."
        )
        raise ApplicationError(message, code="bad_nonce", extra={"nonce": [message]})

    purchase_request = purchase_request_lock(purchase_request)
    now = timezone.now()
    # Again under the lock: the same form sent twice at once is answered once.
    existing = Quote.objects.filter(purchase_request=purchase_request, agency=agency).first()
    if idempotency_key and existing and existing.submission_key == idempotency_key:
        return existing
    _quoting_open(purchase_request, now)
    revision = existing.revision + 1 if existing else 1
    sealed = sealing.seal(
        request_number=purchase_request.number,
        agency_code=agency.selection_key,
        revision=revision,
        amount=value,
        nonce=nonce,
        discount_rate=rate,
    )
    replaces = existing.receipt if existing and existing.status == Quote.Status.SUBMITTED else None
    quote = existing or Quote(purchase_request=purchase_request, agency=agency)
    quote.status = Quote.Status.SUBMITTED
    quote.revision = revision
    quote.sealed = sealed.ciphertext
    quote.receipt = sealed.receipt
    quote.committed_time_limit_days = committed_time_limit_days
    quote.submitted_at = now
    quote.submission_key = idempotency_key
    quote.justification_sealed = sealing.seal_text(justification) if justification else ""
    if proposal is not None:
        quote.proposal = proposal
    quote.save()
    # A first quote has no named people to replace: nothing to read or delete.
    if existing is not None or practitioners:
        quote.practitioners.set(practitioners)
    if existing is not None:
        quote.members.all().delete()
    QuoteMember.objects.bulk_create(
        QuoteMember(quote=quote, agency=member.agency, share=member.share.strip())
        for member in members
    )
    # An agency that became eligible after publication has no invitation yet: its credit
    # standing for this request is recorded now, once.
    Invitation.objects.get_or_create(
        purchase_request=purchase_request,
        agency=agency,
        defaults={"credit_score": agency.credit_score, "credit_grade": agency.credit_grade},
    )
    _invitation_read(purchase_request, agency, now)
    # Last: appending locks the public log's head, which every request's quotes share, until
    # the commit.
    public_log.log_receipt(
        QuoteReceipt.objects.create(quote=quote, revision=revision, receipt=sealed.receipt),
        replaces,
    )
    return quote


@transaction.atomic
def quote_withdraw(*, actor: User, purchase_request: PurchaseRequest) -> Quote:
    """Withdraw the actor's agency's quote before the deadline. Raises ApplicationError
    after the deadline ("deadline_passed") or when there is no quote to withdraw
    ("no_quote")."""
    purchase_request = purchase_request_lock(purchase_request)
    now = timezone.now()
    agency = acting_agency(actor)
    _quoting_open(purchase_request, now)
    quote = Quote.objects.filter(
        purchase_request=purchase_request, agency=agency, status=Quote.Status.SUBMITTED
    ).first()
    if quote is None:
        raise ApplicationError(_("There is no quote to withdraw."), code="no_quote")
    quote.status = Quote.Status.WITHDRAWN
    quote.save(update_fields=["status"])
    public_log.log_receipt(
        QuoteReceipt.objects.create(
            quote=quote, revision=quote.revision, receipt=quote.receipt, withdrawn=True
        ),
        None,
    )
    return quote


def _invitation_read(
    purchase_request: PurchaseRequest, agency: Agency, now: datetime.datetime
) -> None:
    Invitation.objects.filter(
        purchase_request=purchase_request, agency=agency, read_at__isnull=True
    ).update(read_at=now)


@transaction.atomic
def invitation_mark_read(*, actor: User, purchase_request: PurchaseRequest) -> None:
    """The agency has opened its invitation to this request (its in-app inbox). Any member
    of the agency may mark it; nothing happens for anyone else."""
    agency = agency_for_member(user=actor)
    if agency is not None:
        _invitation_read(purchase_request, agency, timezone.now())
