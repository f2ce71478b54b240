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


# What the check looks at, for a reader: each line says what was checked and which problems
# (draw_proof's codes) make its answer "no". A line that does not apply yet (nothing opened,
# no draw) is shown as such rather than as a pass. The explanations say what a "yes" proves.
CHECKS = (
    (
        "log",
        _("The request's steps are in the public log"),
        _(
            "Publication, every receipt, the opening and the draw are entries of the public "
            "transparency log, whose checkpoints the platform signs; each entry's proof of "
            "inclusion checks out, so none was added, changed or removed afterwards."
        ),
        {"format", "no_log", "checkpoint_signature", "not_in_log"},
    ),
    (
        "publication",
        _("The draw was committed to before any quote"),
        _(
            "The commitment to the secret seed was logged at publication, before the first "
            "receipt, so the seed could not be chosen once the quotes were known."
        ),
        {"no_publication", "commitment_changed", "order"},
    ),
    (
        "receipts",
        _("Every receipt was logged before the deadline"),
        _("No quote was added or replaced after quoting closed."),
        {"late_receipt"},
    ),
    (
        "opening",
        _("The opened quotes are the sealed ones"),
        _(
            "Each opened quote gives back the receipt its agency was given when it quoted, and "
            "exactly the quotes in force at the deadline were opened."
        ),
        {"receipt_mismatch", "opened_quote_changed", "receipts_changed"},
    ),
    (
        "inputs",
        _("The draw used the public inputs"),
        _(
            "The revealed secret matches the commitment, and the draw took the valid quotes "
            "with their opened amounts, nothing else."
        ),
        {"secret_changed", "candidates_changed", "prices_changed"},
    ),
    (
        "beacon",
        _("The public random number is genuine and came after the quotes"),
        _(
            "The beacon round announced at publication was used; its signature verifies, and "
            "it was published only after the quotes were fixed, so nobody could know it in "
            "advance."
        ),
        {"beacon_round_changed", "beacon_chain_changed", "beacon_signature", "fixed_after_beacon"},
    ),
    (
        "draw",
        _("Recomputing the draw gives the same result"),
        _("From these inputs the draw is computed again here and matches the logged record."),
        {"record_malformed", "record_changed", "draw_mismatch"},
    ),
    (
        "winner",
        _("The winner shown follows from the result"),
        _(
            "The agency the notice shows as selected is the one the result gives, after the "
            "declines on the log."
        ),
        {"winner_changed", "declines_changed"},
    ),
)


@dataclass(frozen=True)
class CheckLine:
    label: str
    explanation: str
    #: "yes", "no", "not_yet" (the step has not happened yet) or "not_applicable" (it never
    #: will: the request was cancelled or failed, or the owner chooses without a draw).
    state: str


@dataclass(frozen=True)
class AgencyLine:
    """One opened quote as the page lists it: who, its code, the amount, and how it fared."""

    name: str
    code: str
    amount: str
    discount_rate: str | None
    receipt: str
    valid: bool
    invalid_reason: str
    #: Place in the ranking (1 = first), or None where the method ranks nobody.
    place: int | None
    shortlisted: bool
    declined: bool
    selected: bool


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

    @property
    def lines(self) -> list[CheckLine]:
        """Each check as a line that says yes or no, or why it was not made."""
        failed = {code for code, _text in self.report.problems}
        document = self.document
        applies = {
            "log": True,
            "publication": True,
            "receipts": True,
            "opening": bool(document["quotes"]),
            "inputs": bool(document["record"]),
            "beacon": bool(document["record"] and document["beacon_round"]),
            "draw": bool(document["record"]),
            "winner": bool(document["shown_winner"]),
        }
        ended = document["status"] in (
            PurchaseRequest.Status.CANCELLED,
            PurchaseRequest.Status.FAILED,
        )
        # Opened, no draw and none awaited: the owner chooses among the valid quotes.
        owner_chooses = bool(
            document["quotes"] and not document["record"] and not document["beacon_waiting"]
        )

        def state(key: str, codes: set[str]) -> str:
            if codes & failed:
                return "no"
            if applies[key]:
                return "yes"
            if ended or (owner_chooses and key in ("inputs", "beacon", "draw")):
                return "not_applicable"
            return "not_yet"

        return [
            CheckLine(label=str(label), explanation=str(explanation), state=state(key, codes))
            for key, label, explanation, codes in CHECKS
        ]

    @property
    def agencies(self) -> list[AgencyLine]:
        """The opened quotes with their agencies' names and codes, in the result's order
        where the method ranks them, else by name."""
        record = self.document["record"] or {}
        result = record.get("result", {})
        ranking = result.get("ranking", [])
        shortlist = set(result.get("shortlist", []))
        declined = set(self.document["declined"])
        winner = self.document["shown_winner"]
        lines = [
            AgencyLine(
                name=quote["name"],
                code=quote["agency"],
                amount=quote["amount"],
                discount_rate=quote["discount_rate"],
                receipt=quote["receipt"],
                valid=quote["valid"],
                invalid_reason=quote["invalid_reason"],
                place=ranking.index(quote["agency"]) + 1 if quote["agency"] in ranking else None,
                shortlisted=quote["agency"] in shortlist,
                declined=quote["agency"] in declined,
                selected=quote["agency"] == winner,
            )
            for quote in self.document["quotes"]
        ]
        return sorted(lines, key=lambda line: (line.place is None, line.place or 0, line.name))


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
