"""Eligibility held at every moment, not only at the gate (R3, R4): a quote whose agency —
or a member of its consortium — stops being eligible before the deadline becomes invalid,
with the reason, and the agency is told; one that becomes eligible again counts again. The
decision is market.selectors.eligible_agencies, the same rule the invitation and the quote
submission ask."""

import datetime

from django.db import transaction
from django.utils import timezone

from agencies.models import Agency
from market.models import PurchaseRequest, Quote
from market.selectors import agency_ineligibility_reasons
from market.services.locks import purchase_request_lock
from market.signals import quote_invalidated

Status = PurchaseRequest.Status
# Before the deadline a quote's validity follows its agency; after it, it is fixed.
OPEN_STATUSES = (Status.PUBLISHED, Status.QUOTING)


def quote_eligibility_reasons(quote: Quote) -> list[str]:
    """Why a quote cannot count: its lead agency's reasons, then each member's."""
    purchase_request = quote.purchase_request
    reasons = agency_ineligibility_reasons(agency=quote.agency, purchase_request=purchase_request)
    for member in quote.members.select_related("agency__organisation"):
        for reason in agency_ineligibility_reasons(
            agency=member.agency, purchase_request=purchase_request
        ):
            reasons.append(f"{member.agency}: {reason}")
    return reasons


def quotes_recheck_locked(purchase_request: PurchaseRequest) -> list[Quote]:
    """Re-ask the rule for every submitted quote of a request whose row the caller holds
    locked; returns the quotes that became invalid. Each one is announced once the
    transaction commits (the agency is mailed, market/receivers.py)."""
    invalidated = []
    quotes = purchase_request.quotes.filter(status=Quote.Status.SUBMITTED).select_related(
        "agency__organisation", "purchase_request__service_item"
    )
    for quote in quotes:
        reasons = quote_eligibility_reasons(quote)
        valid, reason = not reasons, "；".join(reasons)
        if (quote.valid, quote.invalid_reason) == (valid, reason):
            continue
        quote.valid, quote.invalid_reason = valid, reason
        quote.save(update_fields=["valid", "invalid_reason"])
        if not valid:
            invalidated.append(quote)
            quote_invalidated.send_after_commit(Quote, quote_id=quote.pk)
    return invalidated


def quotes_recheck_for_agency(*, agency_id: int, now: datetime.datetime | None = None) -> int:
    """After a change to an agency (status, certificates, ties, people, the staff register),
    re-ask the rule for every request it has quoted on or joined that is still open. Each
    request in its own transaction, under its lock. Returns how many quotes became invalid."""
    now = now or timezone.now()
    agency = Agency.objects.get(pk=agency_id)
    open_requests = (
        PurchaseRequest.objects.filter(status__in=OPEN_STATUSES, quote_deadline__gt=now)
        .filter(quotes__status=Quote.Status.SUBMITTED)
        .filter(quotes__agency=agency)
        | PurchaseRequest.objects.filter(
            status__in=OPEN_STATUSES, quote_deadline__gt=now, quotes__members__agency=agency
        )
    ).distinct()
    count = 0
    for purchase_request in open_requests:
        with transaction.atomic():
            count += len(quotes_recheck_locked(purchase_request_lock(purchase_request)))
    return count
