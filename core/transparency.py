"""The public transparency log: every public fact of a purchase, appended to a Merkle tree in
the style of Certificate Transparency (RFC 6962 / RFC 9162), with signed checkpoints.

Why: a record kept only in our database can be rewritten whole — secret, commitment, receipts
and winner together — and still look consistent. Here each fact becomes a leaf the moment it
happens, and each append ends with a checkpoint (size, root hash, time) signed with the log's
Ed25519 key. Whoever keeps a checkpoint — an agency its receipt's, a monitor any — can later ask
for a consistency proof from it to the current log; a history rewritten after that checkpoint
cannot produce one. An inclusion proof shows that a fact was in the log at a checkpoint's time.

The formats (docs/transparency.md) follow the public ones, so that outside tools can check us:

- An entry's leaf is the UTF-8 canonical JSON (keys sorted, no spaces, UTF-8 unescaped) of
  ``{"index", "kind", "subject", "logged_at", "data"}``; its hash is RFC 6962's leaf hash.
- A checkpoint's signed text is a C2SP ``tlog-checkpoint`` body — origin, size and base64 root
  hash on three lines — with one extension line ``time <UTC, RFC 3339>``; the signature is
  Ed25519 over those bytes, base64.

This module is the only writer of LogEntry, LogCheckpoint and LogHead. Callers append inside
their own transaction, so a fact and its entry are saved together or not at all; appends are
serialised on the LogHead row.
"""

import base64
import datetime
import json
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import merkle
from core.models import LogCheckpoint, LogEntry, LogHead

__all__ = [
    "canonical_json",
    "checkpoint_document",
    "checkpoint_text",
    "consistency_document",
    "inclusion_document",
    "log_append",
    "log_tree",
    "public_key",
    "register_entry_kinds",
    "verify_checkpoint",
    "verify_kept_checkpoint",
    "verify_log",
]


# What each kind of entry is, in words, for the log's page. The apps that append register their
# kinds (core cannot import them); an unregistered kind shows as its code.
ENTRY_KINDS: dict[str, Any] = {}


def register_entry_kinds(labels: dict[str, Any]) -> None:
    ENTRY_KINDS.update(labels)


def entry_kind_label(kind: str) -> Any:
    return ENTRY_KINDS.get(kind, kind)


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def utc_text(moment: datetime.datetime) -> str:
    """RFC 3339 in UTC with microseconds, the one way times are written in the log."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# Keys -----------------------------------------------------------------------------------------


def _signing_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(settings.TRANSPARENCY_LOG_KEY))


def public_key() -> str:
    """The log's public key: base64 of its 32 raw Ed25519 bytes."""
    raw = _signing_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode()


# Appending ------------------------------------------------------------------------------------


def checkpoint_text(size: int, root_hash: str, made_at: datetime.datetime) -> str:
    root = base64.b64encode(bytes.fromhex(root_hash)).decode()
    return f"{settings.TRANSPARENCY_LOG_ORIGIN}\n{size}\n{root}\ntime {utc_text(made_at)}\n"


# No savepoint of its own: an append that fails fails the caller's whole change, which must
# not be saved without its entry, and every quote appends (docs/benchmarks.md, the burst).
@transaction.atomic(savepoint=False)
def log_append(*, kind: str, subject: str, data: dict[str, Any]) -> LogEntry:
    """Append one public fact; it is on the log, with a signed checkpoint, when the caller's
    transaction commits."""
    head, _created = LogHead.objects.select_for_update().get_or_create(pk=1)
    now = timezone.now()
    body = canonical_json(
        {
            "index": head.size,
            "kind": kind,
            "subject": subject,
            "logged_at": utc_text(now),
            "data": data,
        }
    )
    leaf = merkle.leaf_hash(body.encode())
    entry = LogEntry.objects.create(
        index=head.size,
        kind=kind,
        subject=subject,
        body=body,
        leaf_hash=leaf.hex(),
        logged_at=now,
    )
    frontier = merkle.frontier_append(
        [bytes.fromhex(node) for node in head.frontier], head.size, leaf
    )
    head.size += 1
    head.frontier = [node.hex() for node in frontier]
    head.save(update_fields=["size", "frontier"])
    root = merkle.frontier_root(frontier).hex()
    LogCheckpoint.objects.create(
        size=head.size,
        root_hash=root,
        made_at=now,
        signature=base64.b64encode(
            _signing_key().sign(checkpoint_text(head.size, root, now).encode())
        ).decode(),
    )
    return entry


# Reading and proving --------------------------------------------------------------------------


def log_tree(size: int | None = None) -> merkle.Tree:
    """The tree of the first `size` entries (all of them by default), from their stored leaf
    hashes."""
    hashes = LogEntry.objects.order_by("index").values_list("leaf_hash", flat=True)
    if size is not None:
        hashes = hashes[:size]
    return merkle.Tree([bytes.fromhex(value) for value in hashes])


def checkpoint_document(checkpoint: LogCheckpoint) -> dict[str, Any]:
    return {
        "origin": settings.TRANSPARENCY_LOG_ORIGIN,
        "size": checkpoint.size,
        "root_hash": checkpoint.root_hash,
        "time": utc_text(checkpoint.made_at),
        "text": checkpoint_text(checkpoint.size, checkpoint.root_hash, checkpoint.made_at),
        "signature": checkpoint.signature,
        "public_key": public_key(),
    }


def inclusion_document(entry: LogEntry, checkpoint: LogCheckpoint) -> dict[str, Any]:
    """The entry, its leaf hash, and the audit path that proves it in `checkpoint`'s tree."""
    proof = log_tree(checkpoint.size).inclusion_proof(entry.index)
    return {
        "index": entry.index,
        "body": entry.body,
        "leaf_hash": entry.leaf_hash,
        "checkpoint": checkpoint_document(checkpoint),
        "inclusion_proof": [node.hex() for node in proof],
    }


def consistency_document(first: LogCheckpoint, second: LogCheckpoint) -> dict[str, Any]:
    proof = log_tree(second.size).consistency_proof(first.size)
    return {
        "first": checkpoint_document(first),
        "second": checkpoint_document(second),
        "consistency_proof": [node.hex() for node in proof],
    }


# Verifying ------------------------------------------------------------------------------------


def verify_checkpoint(document: dict[str, Any], key: str | None = None) -> bool:
    """Is the document's text the checkpoint it states, signed by the log key (or `key`)?"""
    try:
        made_at = datetime.datetime.fromisoformat(document["time"].replace("Z", "+00:00"))
        text = checkpoint_text(int(document["size"]), document["root_hash"], made_at)
        Ed25519PublicKey.from_public_bytes(base64.b64decode(key or public_key())).verify(
            base64.b64decode(document["signature"]), text.encode()
        )
    except (InvalidSignature, KeyError, TypeError, ValueError):
        return False
    return True


@dataclass
class LogReport:
    size: int
    checkpoints: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_log() -> LogReport:
    """Re-check the whole log from its entries' bodies: each leaf hash, the order and the
    fields of every entry, every checkpoint's root and signature, consistency between
    successive checkpoints, and every entry's inclusion in the latest checkpoint."""
    problems: list[str] = []
    entries = list(LogEntry.objects.order_by("index"))
    leaves = []
    for position, entry in enumerate(entries):
        leaf = merkle.leaf_hash(entry.body.encode())
        leaves.append(leaf)
        if entry.index != position:
            problems.append(
                _("Entry %(index)s stands where entry %(position)s should be.")
                % {"index": entry.index, "position": position}
            )
        if leaf.hex() != entry.leaf_hash:
            problems.append(
                _("Entry %(index)s: its body does not match its leaf hash.")
                % {"index": entry.index}
            )
        if not _body_agrees(entry, position):
            problems.append(
                _("Entry %(index)s: its body disagrees with its kind, subject, time or place.")
                % {"index": entry.index}
            )
    tree = merkle.Tree(leaves)
    checkpoints = list(LogCheckpoint.objects.order_by("size"))
    previous = None
    for checkpoint in checkpoints:
        if checkpoint.size > len(tree):
            problems.append(
                _("Checkpoint %(size)s is larger than the log.") % {"size": checkpoint.size}
            )
            continue
        if tree.root(checkpoint.size).hex() != checkpoint.root_hash:
            problems.append(
                _("Checkpoint %(size)s: the log's first %(size)s entries have another root.")
                % {"size": checkpoint.size}
            )
        if not verify_checkpoint(checkpoint_document(checkpoint)):
            problems.append(
                _("Checkpoint %(size)s: the signature does not verify.") % {"size": checkpoint.size}
            )
        if previous is not None:
            if checkpoint.made_at < previous.made_at:
                problems.append(
                    _("Checkpoint %(size)s is older than the one before it.")
                    % {"size": checkpoint.size}
                )
            proof = tree.consistency_proof(previous.size, checkpoint.size)
            if not merkle.verify_consistency(
                previous.size,
                checkpoint.size,
                bytes.fromhex(previous.root_hash),
                bytes.fromhex(checkpoint.root_hash),
                proof,
            ):
                problems.append(
                    _("Checkpoints %(first)s and %(second)s are not consistent.")
                    % {"first": previous.size, "second": checkpoint.size}
                )
        previous = checkpoint
    if entries and (previous is None or previous.size != len(entries)):
        problems.append(_("No checkpoint covers the whole log."))
    elif previous is not None:
        root = bytes.fromhex(previous.root_hash)
        for index, leaf in enumerate(leaves):
            if not merkle.verify_inclusion(
                leaf, index, previous.size, tree.inclusion_proof(index, previous.size), root
            ):
                problems.append(
                    _("Entry %(index)s is not included in the latest checkpoint.")
                    % {"index": index}
                )
    return LogReport(size=len(entries), checkpoints=len(checkpoints), problems=problems)


def _body_agrees(entry: LogEntry, position: int) -> bool:
    try:
        body = json.loads(entry.body)
    except ValueError:
        return False
    return (
        isinstance(body, dict)
        and body.get("index") == position
        and body.get("kind") == entry.kind
        and body.get("subject") == entry.subject
        and body.get("logged_at") == utc_text(entry.logged_at)
    )


def verify_kept_checkpoint(document: dict[str, Any]) -> list[str]:
    """Check a checkpoint someone kept against today's log: its signature, and that today's
    log still begins with exactly the entries it covered (a consistency proof from it to the
    latest checkpoint)."""
    if not verify_checkpoint(document):
        return [_("The kept checkpoint's signature does not verify.")]
    latest = LogCheckpoint.objects.order_by("-size").first()
    size = int(document["size"])
    if latest is None or size > latest.size:
        return [_("The log is shorter than the kept checkpoint: entries were removed.")]
    proof = log_tree(latest.size).consistency_proof(size, latest.size) if size else []
    if not merkle.verify_consistency(
        size,
        latest.size,
        bytes.fromhex(document["root_hash"]),
        bytes.fromhex(latest.root_hash),
        proof,
    ):
        return [_("Today's log does not extend the kept checkpoint: its history was rewritten.")]
    return []
