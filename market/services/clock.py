"""The moves time makes on a purchase request, by the server clock:

- published → quoting, when quoting opens;
- quoting → closed, when the deadline passes — and at once the quotes are opened and the
  quotes that enter the draw fixed;
- selecting → awarded, where the method decides by itself, once the draw's beacon round is
  published (market/services/selection.py);
- awarded → confirmed, when the publicity period has ended with no objection waiting for an
  answer (an objection answered later lets the next run confirm it).

They are made by the scheduled task every minute (`purchase_requests_advance_due`), and by a
write service that needs the request's true state — a quote, a withdrawal, a cancellation —
under the request's row lock. A page never makes them: it shows what the clock implies
(market.selectors.purchase_request_shown_status).
"""

import contextlib
import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.beacon import BeaconError, fetch_round_kept
from core.status import status_move
from core.workdays import add_workdays
from market.models import Objection, PurchaseRequest
from market.services.locks import purchase_request_lock
from market.services.selection import DRAWN_AT_OPENING, draw_due, draw_if_due, open_and_select

Status = PurchaseRequest.Status


def _pending_objection(purchase_request: PurchaseRequest) -> bool:
    return purchase_request.objections.filter(status=Objection.Status.PENDING).exists()


def advance_locked(purchase_request: PurchaseRequest, *, now: datetime.datetime) -> PurchaseRequest:
    """Make the moves the clock has made due, on a request whose row the caller holds
    locked. Safe to repeat: a move already made is not made again."""
    opens = purchase_request.quote_opens_at
    if purchase_request.status == Status.PUBLISHED and opens is not None and now >= opens:
        status_move(purchase_request, Status.QUOTING)
    deadline = purchase_request.quote_deadline
    if purchase_request.status == Status.QUOTING and deadline is not None and now >= deadline:
        status_move(purchase_request, Status.CLOSED, note=_("The quote deadline passed."))
    if purchase_request.status == Status.CLOSED:
        open_and_select(purchase_request, now=now)
    else:
        draw_if_due(purchase_request, now=now)
    ends = purchase_request.publicity_ends_on
    if (
        purchase_request.status == Status.AWARDED
        and ends is not None
        and timezone.localdate(now) > ends
        and not _pending_objection(purchase_request)
    ):
        status_move(
            purchase_request,
            Status.CONFIRMED,
            note=_("The publicity period ended with no objection outstanding."),
        )
    return purchase_request


@transaction.atomic
def purchase_request_advance(
    *, purchase_request: PurchaseRequest, now: datetime.datetime | None = None
) -> PurchaseRequest:
    """Bring one request up to the server clock, under its row lock."""
    return advance_locked(purchase_request_lock(purchase_request), now=now or timezone.now())


def purchase_requests_due(now: datetime.datetime):
    """The requests with a move of the clock's due now."""
    pending = Objection.objects.filter(
        purchase_request=OuterRef("pk"), status=Objection.Status.PENDING
    )
    return (
        PurchaseRequest.objects.filter(
            Q(status=Status.PUBLISHED, quote_opens_at__lte=now)
            | Q(status__in=[Status.PUBLISHED, Status.QUOTING], quote_deadline__lte=now)
            | Q(status=Status.CLOSED)
            | Q(
                status=Status.SELECTING,
                selection_method__in=DRAWN_AT_OPENING,
                draw_record__isnull=True,
            )
            | Q(status=Status.AWARDED, publicity_ends_on__lt=timezone.localdate(now))
        )
        .exclude(Q(status=Status.AWARDED) & Exists(pending))
        .order_by("pk")
    )


def purchase_requests_advance_due(*, now: datetime.datetime | None = None) -> int:
    """The scheduled sweep: every request with a move due, each in its own transaction, so
    one failure leaves the others done; running it twice, or late, changes nothing more.
    Returns how many requests it advanced."""
    now = now or timezone.now()
    count = 0
    for purchase_request in purchase_requests_due(now):
        _beacon_fetched(purchase_request)
        purchase_request_advance(purchase_request=purchase_request, now=now)
        count += 1
    return count


def _beacon_fetched(purchase_request: PurchaseRequest) -> None:
    """Ask the beacon for a waiting draw's round before the row lock is taken, so no lock is
    held while the network answers; the draw then reads the kept round."""
    if not (draw_due(purchase_request) and purchase_request.beacon_round):
        return
    with contextlib.suppress(BeaconError):  # the draw keeps waiting, and says so
        fetch_round_kept(purchase_request.beacon_round)


@transaction.atomic
def publicity_ends_recompute(*, year: int) -> int:
    """Once a year's calendar is confirmed, recompute the publicity periods computed for it
    provisionally, from the day of the award. Returns how many changed."""
    changed = 0
    for purchase_request in PurchaseRequest.objects.select_for_update().filter(
        status=Status.AWARDED, publicity_ends_on__year=year
    ):
        awarded = purchase_request.status_events.filter(to_status=Status.AWARDED).last()
        if awarded is None:
            continue
        ends = add_workdays(
            timezone.localdate(awarded.created_at), settings.AWARD_PUBLICITY_WORKDAYS
        )
        if ends != purchase_request.publicity_ends_on:
            purchase_request.publicity_ends_on = ends
            purchase_request.save(update_fields=["publicity_ends_on"])
            changed += 1
    return changed
