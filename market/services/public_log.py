"""The public facts of a purchase, appended to the transparency log (core/transparency.py) in
the same transaction as the change they record — so a fact is on the log exactly when it is
true in the database, never one without the other.

Each function writes one kind of entry; docs/transparency.md lists what each holds. Nothing
here is secret at the moment it is logged: a receipt reveals nothing before opening (its nonce
is sealed), amounts and nonces are logged only at opening, the draw secret only with the draw.
"""

import datetime
from typing import Any, cast

from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from core.beacon import configured_chain
from core.models import LogEntry
from core.transparency import log_append, register_entry_kinds, utc_text
from market.models import PurchaseRequest, Quote, QuoteReceipt

PUBLICATION = "publication"
RECEIPT = "receipt"
WITHDRAWAL = "withdrawal"
OPENING = "opening"
DRAW = "draw"
AWARD = "award"
DECLINE = "decline"
FAILURE = "failure"
CANCELLATION = "cancellation"

register_entry_kinds(
    {
        PUBLICATION: _("Published, with the draw commitment"),
        RECEIPT: _("Quote receipt"),
        WITHDRAWAL: _("Quote withdrawn"),
        OPENING: _("Quotes opened; the quotes that enter the draw"),
        DRAW: _("Draw record"),
        AWARD: _("Award"),
        DECLINE: _("Award declined or set aside"),
        FAILURE: _("Failed (流标)"),
        CANCELLATION: _("Cancelled"),
    }
)


def _append(purchase_request: PurchaseRequest, kind: str, data: dict[str, Any]) -> LogEntry:
    return log_append(kind=kind, subject=purchase_request.number, data=data)


def log_publication(purchase_request: PurchaseRequest) -> LogEntry:
    previous = purchase_request.republished_from
    chain = configured_chain()
    # Publishing has fixed all three; only a draft may lack them.
    beacon_round = cast(int, purchase_request.beacon_round)
    opens = cast(datetime.datetime, purchase_request.quote_opens_at)
    deadline = cast(datetime.datetime, purchase_request.quote_deadline)
    return _append(
        purchase_request,
        PUBLICATION,
        {
            "commitment": purchase_request.draw_commitment,
            "beacon": {
                "chain_hash": chain.chain_hash,
                "round": beacon_round,
                "round_time": utc_text(chain.round_time(beacon_round)),
            },
            "selection_method": purchase_request.selection_method,
            "service_item": purchase_request.service_item.code,
            "quote_opens_at": utc_text(opens),
            "quote_deadline": utc_text(deadline),
            "republished_from": previous.number if previous else None,
        },
    )


def log_receipt(receipt: QuoteReceipt, replaces: str | None) -> LogEntry:
    """A receipt as it is handed out; `replaces` is the receipt a revision supersedes (it
    leaves the draw), so anyone can tell from the log alone which receipts are in force."""
    entry = _append(
        receipt.quote.purchase_request,
        WITHDRAWAL if receipt.withdrawn else RECEIPT,
        {"receipt": receipt.receipt}
        if receipt.withdrawn
        else {"receipt": receipt.receipt, "replaces": replaces},
    )
    receipt.log_index = entry.index
    receipt.save(update_fields=["log_index"])
    return entry


def log_opening(purchase_request: PurchaseRequest, quotes: list[Quote]) -> LogEntry:
    """Every submitted quote as opened — the data that recomputes its receipt — and whether it
    enters the draw, with the reason when it does not."""
    return _append(
        purchase_request,
        OPENING,
        {"quotes": [opened_quote(quote) for quote in sorted(quotes, key=lambda q: q.receipt)]},
    )


def opened_quote(quote: Quote) -> dict[str, Any]:
    """An opened quote as the log and the draw check hold it: what recomputes its receipt
    (docs/sealing.md), and whether it counts."""
    return {
        "agency": quote.agency.selection_key,
        "revision": quote.revision,
        "amount": str(quote.opened_amount),
        "discount_rate": (
            None if quote.opened_discount_rate is None else str(quote.opened_discount_rate)
        ),
        "nonce": quote.opened_nonce,
        "receipt": quote.receipt,
        "valid": quote.valid,
        "invalid_reason": str(quote.invalid_reason or ""),
    }


def log_draw(purchase_request: PurchaseRequest, record: dict[str, Any]) -> LogEntry:
    return _append(purchase_request, DRAW, record)


def log_award(purchase_request: PurchaseRequest, note: str = "") -> LogEntry:
    winner = cast(Agency, purchase_request.winner)  # the award has just named it
    return _append(
        purchase_request,
        AWARD,
        {"agency": winner.selection_key, "name": winner.organisation.name, "note": str(note)},
    )


def log_decline(purchase_request: PurchaseRequest, agency_key: str, *, by_objection: bool):
    return _append(purchase_request, DECLINE, {"agency": agency_key, "by_objection": by_objection})


def log_failure(purchase_request: PurchaseRequest, reason: str) -> LogEntry:
    return _append(purchase_request, FAILURE, {"reason": str(reason)})


def log_cancellation(purchase_request: PurchaseRequest, reason: str) -> LogEntry:
    return _append(purchase_request, CANCELLATION, {"reason": str(reason)})
