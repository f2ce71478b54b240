"""Re-checking a purchase request's draw from public data alone, for `manage.py verify_draw`,
the page /verify/draw/<number>/ and its JSON /verify/draw/<number>.json.

The document gathers what the notice publishes — the commitment, the beacon round, the opened
quotes, the secret and draw record once revealed, the winner shown and the declines — with
the request's entries on the transparency log and their inclusion proofs. It is checked by
market/draw_proof.py, the same standard-library code anyone runs on a copy of the JSON with
tools/zjcs_verify.py; only the two signature checks come from here.
"""

import json
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from core.beacon import BeaconError, configured_chain, verify_round
from core.models import LogCheckpoint, LogEntry
from core.transparency import checkpoint_document, log_tree, verify_checkpoint
from market import draw_proof, draws
from market.models import PurchaseRequest, Quote
from market.selectors import declined_keys_in_order
from market.services.public_log import opened_quote
from market.services.selection import draw_due

# What each problem means, in the reader's language (draw_proof speaks English only).
PROBLEMS = {
    "format": _("The document is not a draw check."),
    "no_log": _("The transparency log holds nothing for this request."),
    "checkpoint_signature": _("The log checkpoint's signature does not verify."),
    "not_in_log": _("An entry of this request is not in the transparency log as stated."),
    "no_publication": _("The log holds no publication of this request."),
    "commitment_changed": _("The commitment is not the one logged at publication."),
    "beacon_round_changed": _("The beacon round is not the one logged at publication."),
    "beacon_chain_changed": _("The draw used another beacon chain."),
    "secret_changed": _("The secret the notice reveals is not the one the draw used."),
    "order": _("Something was logged for this request before its publication."),
    "late_receipt": _("A receipt was logged after the deadline."),
    "receipt_mismatch": _("An opened quote does not match its receipt."),
    "opened_quote_changed": _("The opened quotes shown are not those logged at opening."),
    "receipts_changed": _("The draw did not use exactly the receipts in force at the deadline."),
    "candidates_changed": _("The draw's candidates are not the valid quotes."),
    "prices_changed": _("The draw's prices are not the opened amounts."),
    "record_malformed": _("The draw record is malformed."),
    "record_changed": _("The draw record is not the one logged at the draw."),
    "beacon_signature": _("The beacon round's signature does not verify."),
    "fixed_after_beacon": _(
        "The quotes that count were logged after the beacon round was published."
    ),
    "draw_mismatch": _("Recomputed from its inputs, the draw gives another result."),
    "declines_changed": _("The declines shown are not those on the log."),
    "winner_changed": _("The winner shown is not the one the draw and the declines give."),
}


@dataclass(frozen=True)
class DrawCheck:
    purchase_request: PurchaseRequest
    document: dict[str, Any]
    report: draw_proof.Report

    @property
    def ok(self) -> bool:
        return self.report.ok

    @property
    def record(self) -> draws.DrawRecord | None:
        record = self.document.get("record")
        return draws.DrawRecord.from_json(json.dumps(record)) if record else None

    @property
    def problems(self) -> list[str]:
        """The problems in words, each once."""
        seen = dict.fromkeys(str(PROBLEMS.get(code, code)) for code, _text in self.report.problems)
        return list(seen)


def draw_document(purchase_request: PurchaseRequest) -> dict[str, Any]:
    """Every public input of the request's draw, and its result, in one JSON document."""
    chain = configured_chain()
    opened = purchase_request.opened_at is not None
    quotes = (
        list(
            purchase_request.quotes.filter(status=Quote.Status.SUBMITTED)
            .select_related("agency__organisation")
            .order_by("receipt")
        )
        if opened
        else []
    )
    winner = purchase_request.winner
    return {
        "format": draw_proof.FORMAT,
        "number": purchase_request.number,
        "selection_method": purchase_request.selection_method,
        "status": purchase_request.status,
        "commitment": purchase_request.draw_commitment,
        "secret": purchase_request.draw_secret or None,
        "beacon_round": purchase_request.beacon_round,
        "beacon_chain": {
            "public_key": chain.public_key,
            "period": chain.period,
            "genesis_time": chain.genesis_time,
            "chain_hash": chain.chain_hash,
            "scheme": chain.scheme,
        },
        "beacon_waiting": draw_due(purchase_request),
        "quotes": [
            {**opened_quote(quote), "name": quote.agency.organisation.name} for quote in quotes
        ],
        "record": purchase_request.draw_record if purchase_request.draw_secret else None,
        "shown_winner": winner.selection_key if winner else None,
        "shown_winner_name": winner.organisation.name if winner else None,
        "declined": declined_keys_in_order(purchase_request),
        "log": _log_part(purchase_request),
    }


def _log_part(purchase_request: PurchaseRequest) -> dict[str, Any]:
    checkpoint = LogCheckpoint.objects.order_by("-size").first()
    if checkpoint is None:
        return {"checkpoint": None, "entries": []}
    tree = log_tree(checkpoint.size)
    entries = LogEntry.objects.filter(
        subject=purchase_request.number, index__lt=checkpoint.size
    ).order_by("index")
    return {
        "checkpoint": checkpoint_document(checkpoint),
        "entries": [
            {
                "index": entry.index,
                "body": entry.body,
                "leaf_hash": entry.leaf_hash,
                "inclusion_proof": [node.hex() for node in tree.inclusion_proof(entry.index)],
            }
            for entry in entries
        ],
    }


def beacon_randomness(round_number: int, signature: str) -> str:
    """The configured chain's verified randomness for a round; raises when it does not verify."""
    return verify_round(configured_chain(), round_number, signature).randomness


def check_document(document: dict[str, Any]) -> draw_proof.Report:
    def verify_beacon(round_number: int, signature: str) -> str:
        try:
            return beacon_randomness(round_number, signature)
        except BeaconError as error:
            raise ValueError(str(error)) from error

    return draw_proof.check_document(
        document, verify_beacon=verify_beacon, verify_checkpoint=verify_checkpoint
    )


def verify_request_draw(purchase_request: PurchaseRequest) -> DrawCheck:
    document = draw_document(purchase_request)
    return DrawCheck(purchase_request, document, check_document(document))
