"""Checking a contract's PDF for anyone, at /verify/contract/ (R11): what each signature in the
file proves (contracts/signing.py), and whether the file is exactly one of the revisions the
platform made of a contract in force — the file as it stood after a party's signature.

The file is read in memory and forgotten: nothing of it is stored, and only its digest may
appear in a log line. docs/signatures.md explains what the signature checks mean.
"""

import hashlib
from dataclasses import dataclass

from contracts.selectors import PlatformRevision, contract_public_revision
from contracts.signing import SignatureReport, pdf_signatures

# The largest file the page checks: a signed contract is a few hundred kilobytes.
VERIFY_MAX_BYTES = 20 * 1024 * 1024


class Verdict:
    """What the file is, in one word for the template; the order of the checks in
    `PdfCheck.verdict` decides which one a file gets."""

    TAMPERED = "tampered"  # a signature no longer matches the bytes it signed
    UNREADABLE = "unreadable"  # a signature cannot be read at all
    EXACT = "exact"  # exactly the final file of a contract version signed on the platform
    EXACT_PARTIAL = "exact_partial"  # exactly an earlier revision: not every party signed yet
    NOT_OURS = "not_ours"  # signatures intact, but not a file the platform made
    UNSIGNED = "unsigned"  # no signature, and not a file the platform made


@dataclass(frozen=True)
class PdfCheck:
    sha256: str
    size: int
    signatures: list[SignatureReport]
    revision: PlatformRevision | None

    @property
    def verdict(self) -> str:
        if any(report.tampered and report.certificate_serial for report in self.signatures):
            return Verdict.TAMPERED
        if any(not report.certificate_serial for report in self.signatures):
            return Verdict.UNREADABLE
        if self.revision is not None:
            return Verdict.EXACT if self.revision.final else Verdict.EXACT_PARTIAL
        return Verdict.NOT_OURS if self.signatures else Verdict.UNSIGNED


def pdf_check(pdf: bytes) -> PdfCheck:
    """The signatures in `pdf` and the platform's revision it is exactly, if any. Raises
    NotAPdf (`not_a_pdf`, `pdf_damaged`, `pdf_encrypted`) for a file that is not a readable
    PDF; nothing is looked up for such a file."""
    signatures = pdf_signatures(pdf)
    sha256 = hashlib.sha256(pdf).hexdigest()
    return PdfCheck(
        sha256=sha256,
        size=len(pdf),
        signatures=signatures,
        revision=contract_public_revision(sha256=sha256),
    )
