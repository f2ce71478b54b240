#!/usr/bin/env python3
"""Check a purchase's draw without trusting the platform, on a saved copy of its public data.

    curl -o draw.json https://<site>/verify/draw/ZJCG-2026-0001.json
    python3 tools/zjcs_verify.py draw.json [--log-key <base64 Ed25519 key>]

Exit status 0 when the public record is consistent (a draw that matches, or a request that had
no draw and says why), 1 on any problem.

What it needs: Python 3.11 and this repository's three standard-library modules
(market/draw_proof.py, market/draws.py, core/merkle.py — no Django, no database), plus the
`drand-verify` package for the beacon round's BLS signature. With the `cryptography` package it
also checks the log checkpoint's Ed25519 signature. Pin the keys you trust: --beacon-key (the
public drand chain's) and --log-key (published at /transparency/); without them the keys inside
the document are the ones trusted.
"""

import argparse
import base64
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from market import draw_proof

_HEX = re.compile(r"[0-9a-f]*")


def beacon_verifier(public_key: str):
    try:
        import drand_verify
    except ImportError:
        sys.exit("The beacon's signature needs drand-verify: pip install drand-verify")

    def verify(round_number: int, signature: str) -> str:
        # drand-verify aborts (not raises) on malformed input, so shape is checked first.
        if not (_HEX.fullmatch(signature) and len(signature) == 96):
            raise ValueError("the signature is not 48 bytes of hex")
        if not (_HEX.fullmatch(public_key) and len(public_key) == 192):
            raise ValueError("the chain's public key is not 96 bytes of hex")
        try:
            return drand_verify.verify_bls_unchained_g1_rfc9380(round_number, signature, public_key)
        except BaseException as error:
            raise ValueError(f"verification failed: {error}") from None

    return verify


def checkpoint_verifier(pinned_key: str | None):
    try:
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        return None  # reported as "not checked"

    def verify(checkpoint: dict) -> bool:
        root = base64.b64encode(bytes.fromhex(checkpoint["root_hash"])).decode()
        text = f"{checkpoint['origin']}\n{checkpoint['size']}\n{root}\ntime {checkpoint['time']}\n"
        key = pinned_key or checkpoint["public_key"]
        try:
            Ed25519PublicKey.from_public_bytes(base64.b64decode(key)).verify(
                base64.b64decode(checkpoint["signature"]), text.encode()
            )
        except (InvalidSignature, ValueError):
            return False
        return text == checkpoint["text"]

    return verify


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("document", type=Path, help="the saved /verify/draw/<number>.json")
    parser.add_argument("--log-key", help="the transparency log's public key, as published")
    parser.add_argument(
        "--beacon-key",
        help="the beacon chain's public key (drand quicknet's, in production); "
        "by default the one inside the document",
    )
    arguments = parser.parse_args(argv)
    document = json.loads(arguments.document.read_text(encoding="utf-8"))
    report = draw_proof.check_document(
        document,
        verify_beacon=beacon_verifier(
            arguments.beacon_key or document["beacon_chain"]["public_key"]
        ),
        verify_checkpoint=checkpoint_verifier(arguments.log_key),
    )
    print(f"{document.get('number')}: ", end="")
    for note in report.notes:
        print(f"({note}) ", end="")
    if report.ok:
        print(report.outcome)
        return 0
    print("the record does NOT check out:")
    for _code, problem in report.problems:
        print(f"  - {problem}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
