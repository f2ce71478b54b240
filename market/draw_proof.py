"""Checking a purchase's draw from its public verification document alone.

The document (`/verify/draw/<number>.json`, built by market/verification.py) holds everything
public about one request: the notice's commitment and beacon round, the opened quotes, the draw
record, the winner the notice shows and the declines, and the request's entries on the
transparency log with their inclusion proofs. :func:`check_document` re-derives every receipt
from the opened data, checks that the log holds the commitment before any receipt, every
receipt before the deadline and the quotes that count before the beacon round existed,
recomputes the draw with the beacon's value and compares the winner shown.

Standard library only, like market/draws.py and core/merkle.py: the site runs this module on
its own pages and in `manage.py verify_draw`, and anyone can run the very same code without
Django or our database (tools/zjcs_verify.py). Two checks need cryptography the standard
library lacks — the beacon's BLS signature and the log checkpoint's Ed25519 signature — so
the caller passes them in.
"""

import datetime
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core import merkle
from market import draws

FORMAT = "zjcs-draw-check-v1"
RECEIPT_VERSION = "zjcs-quote-v1"

#: (round, signature hex) → randomness hex; raises on a bad signature.
BeaconVerifier = Callable[[int, str], str]
#: checkpoint document → whether its signature is the log's.
CheckpointVerifier = Callable[[dict[str, Any]], bool]


@dataclass
class Report:
    """What the check found: `problems` as (code, English text), and `outcome`, a short
    statement of what happened (a draw, no draw, not yet opened)."""

    outcome: str = ""
    problems: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def problem(self, code: str, text: str) -> None:
        self.problems.append((code, text))


def receipt_of(number: str, quote: dict[str, Any]) -> str:
    """A quote's receipt recomputed from its opened data (docs/sealing.md)."""
    line = "|".join(
        [
            RECEIPT_VERSION,
            number,
            quote["agency"],
            str(quote["revision"]),
            quote["amount"],
            quote["discount_rate"] or "",
            quote["nonce"],
        ]
    )
    return hashlib.sha256(line.encode("utf-8")).hexdigest()


def _time(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _round_time(chain: dict[str, Any], round_number: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(
        chain["genesis_time"] + (round_number - 1) * chain["period"], tz=datetime.UTC
    )


def _log_facts(document: dict[str, Any], report: Report, verify_checkpoint) -> list[dict]:
    """The request's log entries whose inclusion in the signed checkpoint checks out."""
    log = document.get("log") or {}
    checkpoint = log.get("checkpoint")
    if not checkpoint:
        report.problem("no_log", "The document holds no log checkpoint.")
        return []
    if verify_checkpoint is None:
        report.notes.append("The checkpoint's signature was not checked.")
    elif not verify_checkpoint(checkpoint):
        report.problem("checkpoint_signature", "The log checkpoint's signature does not verify.")
    root = bytes.fromhex(checkpoint["root_hash"])
    facts = []
    for entry in log.get("entries", []):
        leaf = merkle.leaf_hash(entry["body"].encode("utf-8"))
        proof = [bytes.fromhex(node) for node in entry["inclusion_proof"]]
        if leaf.hex() != entry["leaf_hash"] or not merkle.verify_inclusion(
            leaf, entry["index"], checkpoint["size"], proof, root
        ):
            report.problem(
                "not_in_log",
                f"Log entry {entry['index']} is not in the log as its checkpoint states.",
            )
            continue
        body = json.loads(entry["body"])
        if body.get("subject") != document["number"] or body.get("index") != entry["index"]:
            report.problem("not_in_log", f"Log entry {entry['index']} is about something else.")
            continue
        facts.append(body)
    return sorted(facts, key=lambda body: body["index"])


def check_document(
    document: dict[str, Any],
    *,
    verify_beacon: BeaconVerifier,
    verify_checkpoint: CheckpointVerifier | None = None,
) -> Report:
    report = Report()
    if document.get("format") != FORMAT:
        report.problem("format", f"This is not a {FORMAT} document.")
        return report
    number = document["number"]
    facts = _log_facts(document, report, verify_checkpoint)
    kinds = [fact["kind"] for fact in facts]

    # Publication: the commitment and the beacon round, on the log before any receipt.
    publications = [fact for fact in facts if fact["kind"] == "publication"]
    if not publications:
        report.problem("no_publication", "The log holds no publication of this request.")
        return report
    published = publications[0]["data"]
    if published["commitment"] != document["commitment"]:
        report.problem(
            "commitment_changed",
            "The commitment on the notice is not the one logged at publication.",
        )
    beacon_logged = published.get("beacon") or {}
    if beacon_logged.get("round") != document.get("beacon_round"):
        report.problem(
            "beacon_round_changed",
            "The beacon round on the notice is not the one logged at publication.",
        )
    if kinds.index("publication") != 0:
        report.problem("order", "Something was logged for this request before its publication.")

    # Receipts: which are in force, each logged before the deadline.
    deadline = _time(published["quote_deadline"])
    in_force: set[str] = set()
    for fact in facts:
        data = fact["data"]
        if fact["kind"] == "receipt":
            if _time(fact["logged_at"]) > deadline:
                report.problem("late_receipt", f"Receipt {data['receipt']} was logged late.")
            in_force.discard(data.get("replaces"))
            in_force.add(data["receipt"])
        elif fact["kind"] == "withdrawal":
            in_force.discard(data["receipt"])

    openings = [fact for fact in facts if fact["kind"] == "opening"]
    cancellations = [fact for fact in facts if fact["kind"] == "cancellation"]
    if cancellations:
        report.outcome = (
            f"No draw: cancelled before opening ({cancellations[0]['data']['reason']})."
        )
        return report
    if not openings:
        report.outcome = "Not opened yet: quoting is open or the deadline has just passed."
        return report
    opening = openings[0]
    opened = opening["data"]["quotes"]
    shown = {quote["receipt"]: quote for quote in document.get("quotes", [])}

    # Opening: the quotes shown are those logged, each matching its receipt, and exactly the
    # receipts in force at the deadline.
    for quote in opened:
        if receipt_of(number, quote) != quote["receipt"]:
            report.problem(
                "receipt_mismatch",
                f"The opened quote of {quote['agency']} does not match its receipt.",
            )
        page = shown.get(quote["receipt"])
        keys = ("agency", "revision", "amount", "discount_rate", "nonce", "valid")
        if page is None or any(page.get(key) != quote[key] for key in keys):
            report.problem(
                "opened_quote_changed",
                f"The notice does not show the quote with receipt {quote['receipt']} as opened.",
            )
    for quote in shown.values():
        if receipt_of(number, quote) != quote["receipt"]:
            report.problem(
                "receipt_mismatch",
                f"The quote of {quote['agency']} as the notice shows it does not match its "
                "receipt.",
            )
    for receipt in set(shown) - {quote["receipt"] for quote in opened}:
        report.problem("opened_quote_changed", f"The notice shows a quote never opened: {receipt}.")
    if {quote["receipt"] for quote in opened} != in_force:
        report.problem(
            "receipts_changed",
            "The opened quotes are not exactly the receipts in force at the deadline.",
        )

    valid = sorted(quote["agency"] for quote in opened if quote["valid"])
    record = document.get("record")
    failures = [fact for fact in facts if fact["kind"] == "failure"]
    if record is None:
        if failures and not any(fact["kind"] == "award" for fact in facts):
            report.outcome = f"No draw: {failures[0]['data']['reason']}"
        elif document.get("beacon_waiting"):
            report.outcome = "Opened; the draw waits for its beacon round."
        else:
            report.outcome = "No draw: the owner chooses among the valid quotes."
            _check_chosen(document, facts, valid, report)
        return report

    # The draw: its inputs are the public ones, its beacon round the one fixed at publication,
    # published only after the quotes that count were on the log.
    try:
        drawn = draws.DrawRecord.from_json(json.dumps(record))
    except ValueError as error:
        report.problem("record_malformed", f"The draw record is malformed: {error}")
        return report
    if drawn.commitment != document["commitment"]:
        report.problem("commitment_changed", "The draw record's commitment is not the notice's.")
    if drawn.secret != document.get("secret"):
        report.problem("secret_changed", "The secret the notice reveals is not the draw's.")
    if sorted(drawn.receipts) != sorted(in_force):
        report.problem("receipts_changed", "The draw did not use exactly the receipts in force.")
    if drawn.candidates != valid:
        report.problem("candidates_changed", "The draw's candidates are not the valid quotes.")
    prices = drawn.parameters.get("prices")
    if prices is not None and prices != {
        quote["agency"]: quote["amount"] for quote in opened if quote["valid"]
    }:
        report.problem("prices_changed", "The draw's prices are not the opened amounts.")
    if document.get("beacon_round") is not None:
        _check_beacon(document, drawn, opening, verify_beacon, report)
    result = draws.verify(drawn, published_commitment=document["commitment"])
    for text in result.problems:
        report.problem("draw_mismatch", text)
    logged_draws = [fact["data"] for fact in facts if fact["kind"] == "draw"]
    if logged_draws[-1:] != [record]:
        report.problem("record_changed", "The draw record is not the one logged at the draw.")
    _check_winner(document, facts, drawn, report)
    if not report.problems:
        report.outcome = f"The draw matches ({drawn.method})."
    return report


def _check_beacon(document, drawn, opening, verify_beacon, report: Report) -> None:
    beacon = drawn.beacon or {}
    chain = document["beacon_chain"]
    if beacon.get("round") != document["beacon_round"]:
        report.problem("beacon_round_changed", "The draw used another beacon round.")
        return
    if beacon.get("chain_hash") != chain["chain_hash"]:
        report.problem("beacon_chain_changed", "The draw used another beacon chain.")
    try:
        randomness = verify_beacon(beacon["round"], beacon["signature"])
    except Exception as error:
        report.problem("beacon_signature", f"The beacon round's signature does not verify: {error}")
        return
    if randomness != beacon.get("randomness"):
        report.problem("beacon_signature", "The beacon randomness is not the signed round's.")
    if _time(opening["logged_at"]) >= _round_time(chain, beacon["round"]):
        report.problem(
            "fixed_after_beacon",
            "The quotes that count were logged after the beacon round was published.",
        )


def _declined(facts: list[dict]) -> list[str]:
    return [fact["data"]["agency"] for fact in facts if fact["kind"] == "decline"]


def _check_winner(document, facts, drawn: draws.DrawRecord, report: Report) -> None:
    declined = _declined(facts)
    if document.get("declined", []) != declined:
        report.problem("declines_changed", "The declines shown are not those on the log.")
    shown = document.get("shown_winner")
    ranking = drawn.result.get("ranking")
    if ranking is not None:
        remaining = [key for key in ranking if key not in declined]
        expected = remaining[0] if remaining else None
        if shown != expected:
            report.problem(
                "winner_changed",
                f"The notice shows {shown or 'no winner'}; the draw gives {expected or 'none'}.",
            )
    elif shown is not None and shown not in drawn.result.get("shortlist", []):
        report.problem("winner_changed", f"The notice shows {shown}, who is not on the short list.")
    _check_awards(document, facts, report)


def _check_chosen(document, facts, valid: list[str], report: Report) -> None:
    shown = document.get("shown_winner")
    if shown is not None and shown not in valid:
        report.problem("winner_changed", f"The notice shows {shown}, who has no valid quote.")
    _check_awards(document, facts, report)


def _check_awards(document, facts, report: Report) -> None:
    awards = [fact["data"]["agency"] for fact in facts if fact["kind"] == "award"]
    shown = document.get("shown_winner")
    if shown is not None and awards[-1:] != [shown]:
        report.problem("winner_changed", "The winner shown is not the last award on the log.")
