"""Sealed quotes (密封报价): before the deadline nobody but the submitting agency can learn an
amount — not the owner, regulators, other agencies, the public, the admin, the API, search,
e-mails or logs.

An amount is encrypted at once (Fernet: AES-128-CBC + HMAC-SHA256) under a key that lives in the
environment (`QUOTE_SEALING_KEYS`), never in the database, so a copy of the database alone reveals
nothing. Each seal also yields a *receipt*: the SHA-256 of a commitment string that binds the
quote to a random nonce. The nonce travels inside the ciphertext and is revealed only at opening,
so the receipt cannot be brute-forced for a low-entropy amount before then; after opening,
anyone can recompute it with nothing but `hashlib` (see `docs/sealing.md`).

This module holds no models and touches no database: the caller stores `Sealed.ciphertext` and
`Sealed.receipt`, hands the receipt to the agency, and calls `open_sealed` only once the deadline
has passed.

The receipt commits to the UTF-8 bytes of (one line, no spaces added)::

    zjcs-quote-v1|{request_number}|{agency_code}|{revision}|{amount}|{discount_rate}|{nonce}

- `revision`: the revision number in decimal, no sign, no leading zeros;
- `amount`: yuan with exactly two decimal places, no exponent, no thousands separator
  (`1250.00`);
- `discount_rate`: the same two-place form, or the empty string when there is none;
- `nonce`: 32 lowercase hex characters (16 random bytes);
- receipt: the lowercase hex SHA-256 digest (64 characters) of that string.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

__all__ = [
    "MAX_AMOUNT",
    "RECEIPT_VERSION",
    "Opened",
    "RedactSealedFilter",
    "SealBroken",
    "Sealed",
    "commitment_string",
    "generate_key",
    "open_sealed",
    "open_text",
    "parse_amount",
    "parse_discount_rate",
    "receipt_for",
    "seal",
    "seal_text",
    "verify_receipt",
]

RECEIPT_VERSION = "zjcs-quote-v1"
PAYLOAD_VERSION = 1
MAX_AMOUNT = Decimal(10) ** 10  # yuan; anything above is a typing slip, not a quote
MAX_DISCOUNT_RATE = Decimal(100)  # percent of the government-set price
NONCE_BYTES = 16  # made by the bidder's browser (static/js/quote-nonce.js)

_TWO_PLACES = Decimal("0.01")
_NONCE_SHAPE = re.compile(r"^[0-9a-f]{32}$")
_CANONICAL_DECIMAL = re.compile(r"^(0|[1-9][0-9]*)\.[0-9]{2}$")
# The widest the secret fields can be in the payload: amount "10000000000.00" (14 characters)
# plus discount rate "\"100.00\"" (8 characters, quotes included). Every payload is padded to
# this width so the ciphertext's length says nothing about the amount's size.
_SECRET_WIDTH = 14 + 8
_FIELD_DELIMITER = "|"
_KIND_QUOTE = "quote"
_KIND_TEXT = "text"


class SealBroken(Exception):
    """A sealed quote cannot be opened: the token is not one of ours, was altered, was sealed
    under a key that is no longer configured, or holds a payload this module does not read.
    The message never contains the token or any plaintext."""


@dataclass(frozen=True)
class Sealed:
    """What a submission stores: the Fernet token and the receipt handed to the agency."""

    ciphertext: str
    receipt: str

    def __repr__(self) -> str:
        return f"Sealed(receipt={self.receipt!r}, ciphertext=[sealed])"


@dataclass(frozen=True)
class Opened:
    """A quote after opening, with the nonce that lets anyone recompute the receipt."""

    request_number: str
    agency_code: str
    revision: int
    amount: Decimal
    discount_rate: Decimal | None
    nonce: str


# --- keys -----------------------------------------------------------------------------------


def generate_key() -> str:
    """A fresh Fernet key (url-safe base64 of 32 random bytes), for operators setting
    `QUOTE_SEALING_KEYS`."""
    return Fernet.generate_key().decode("ascii")


def _configured_keys() -> list[str]:
    raw = getattr(settings, "QUOTE_SEALING_KEYS", None)
    if isinstance(raw, (str, bytes)):
        # Tolerate the environment variable's comma-separated form reaching us unsplit.
        raw = (raw.decode("ascii", "replace") if isinstance(raw, bytes) else raw).split(",")
    keys = [
        (key.decode("ascii", "replace") if isinstance(key, bytes) else str(key)).strip()
        for key in raw or ()
    ]
    keys = [key for key in keys if key]
    if not keys:
        raise ImproperlyConfigured(
            "QUOTE_SEALING_KEYS is not set: quotes cannot be sealed or opened. Set the environment "
            "variable QUOTE_SEALING_KEYS to one or more comma-separated Fernet keys (the first "
            "encrypts, all decrypt). Make one with: "
            'python -c "from market.sealing import generate_key; print(generate_key())"'
        )
    return keys


def _cipher() -> MultiFernet:
    """A MultiFernet over the configured keys, read afresh each call so a rotated setting takes
    effect at once."""
    ciphers = []
    for position, key in enumerate(_configured_keys(), start=1):
        try:
            ciphers.append(Fernet(key))
        except (ValueError, TypeError):
            # Never echo the key itself.
            raise ImproperlyConfigured(
                f"QUOTE_SEALING_KEYS entry {position} is not a Fernet key "
                "(url-safe base64 of 32 bytes)."
            ) from None
    return MultiFernet(ciphers)


# --- values ---------------------------------------------------------------------------------


def _to_decimal(value: object) -> Decimal:
    """A Decimal from a Decimal, int or string; ValueError with a message for anything else."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise ValueError(_("Enter the amount as a number of yuan, for example 1250.00."))
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, ValueError):
        raise ValueError(_("Enter the amount as a number of yuan, for example 1250.00.")) from None
    if not number.is_finite():
        raise ValueError(_("Enter the amount as a number of yuan, for example 1250.00."))
    return number


def _has_at_most_two_places(number: Decimal) -> bool:
    return number == number.quantize(_TWO_PLACES)


def parse_amount(value: object) -> Decimal:
    """A quoted amount in yuan, checked: a finite number, above zero, at most two decimal places
    (fen), not above 10^10 yuan. Returns it with exactly two places; raises ValueError with a
    message fit for the user otherwise. Floats are refused: money is typed, not approximated."""
    number = _to_decimal(value)
    if number <= 0:
        raise ValueError(_("The amount must be greater than zero."))
    if number > MAX_AMOUNT:
        raise ValueError(_("The amount must not exceed 10,000,000,000 yuan."))
    if not _has_at_most_two_places(number):
        raise ValueError(_("The amount may have at most two decimal places (fen)."))
    return number.quantize(_TWO_PLACES)


def parse_discount_rate(value: object) -> Decimal:
    """A discount rate: the percentage of a government-set price that is quoted (95.00 quotes
    95 % of it). Checked: a finite number above 0 and at most 100, with at most two decimal
    places. Returns it with exactly two places; raises ValueError with a message otherwise."""
    try:
        number = _to_decimal(value)
    except ValueError:
        raise ValueError(_("Enter the discount rate as a percentage, for example 95.")) from None
    if number <= 0 or number > MAX_DISCOUNT_RATE:
        raise ValueError(_("The discount rate must be above 0 and at most 100 (percent)."))
    if not _has_at_most_two_places(number):
        raise ValueError(_("The discount rate may have at most two decimal places."))
    return number.quantize(_TWO_PLACES)


def _canonical(number: Decimal) -> str:
    return format(number, "f")


def _check_identifier(name: str, value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string.")
    if _FIELD_DELIMITER in value:
        # The commitment string is '|'-separated: a '|' inside a field would make two different
        # quotes commit to the same string.
        raise ValueError(f"{name} must not contain '{_FIELD_DELIMITER}'.")
    return value


def _check_revision(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("revision must be a non-negative integer.")
    return value


# --- receipts -------------------------------------------------------------------------------


def commitment_string(
    *,
    request_number: str,
    agency_code: str,
    revision: int,
    amount: Decimal,
    discount_rate: Decimal | None,
    nonce: str,
) -> str:
    """The exact string a receipt hashes (see the module docstring). Inputs must already be
    canonical; `seal`, `receipt_for` and `verify_receipt` make sure of it."""
    return _FIELD_DELIMITER.join(
        (
            RECEIPT_VERSION,
            request_number,
            agency_code,
            str(revision),
            _canonical(amount),
            "" if discount_rate is None else _canonical(discount_rate),
            nonce,
        )
    )


def _digest(commitment: str) -> str:
    return hashlib.sha256(commitment.encode("utf-8")).hexdigest()


def receipt_for(opened: Opened) -> str:
    """The receipt an opened quote should match."""
    return _digest(
        commitment_string(
            request_number=opened.request_number,
            agency_code=opened.agency_code,
            revision=opened.revision,
            amount=opened.amount,
            discount_rate=opened.discount_rate,
            nonce=opened.nonce,
        )
    )


def verify_receipt(
    *,
    receipt: str,
    request_number: str,
    agency_code: str,
    revision: int,
    amount: Decimal | str,
    discount_rate: Decimal | str | None,
    nonce: str,
) -> bool:
    """Whether an opened quote matches the receipt given at submission. Amounts may be given as
    Decimal or string ("1250", "1250.00" and Decimal("1250.0") are the same amount). Malformed
    input is a mismatch, never an error. The comparison takes constant time."""
    if not isinstance(receipt, str) or not isinstance(nonce, str):
        return False
    nonce = nonce.strip().lower()
    if not _NONCE_SHAPE.match(nonce):
        return False
    try:
        commitment = commitment_string(
            request_number=_check_identifier("request_number", request_number),
            agency_code=_check_identifier("agency_code", agency_code),
            revision=_check_revision(revision),
            amount=parse_amount(amount),
            discount_rate=(
                None
                if discount_rate is None or discount_rate == ""
                else parse_discount_rate(discount_rate)
            ),
            nonce=nonce,
        )
    except ValueError:
        return False
    expected = _digest(commitment).encode("ascii")
    given = receipt.strip().lower().encode("utf-8")
    return hmac.compare_digest(expected, given)


# --- sealing and opening --------------------------------------------------------------------


def _payload(
    *,
    nonce: str,
    request_number: str,
    agency_code: str,
    revision: int,
    amount: str,
    discount_rate: str | None,
) -> bytes:
    secret_width = len(amount) + len(json.dumps(discount_rate))
    body = {
        "v": PAYLOAD_VERSION,
        "kind": _KIND_QUOTE,
        "nonce": nonce,
        "request_number": request_number,
        "agency_code": agency_code,
        "revision": revision,
        "amount": amount,
        "discount_rate": discount_rate,
        # Padding keeps the plaintext's length, and so the token's, independent of the amount.
        "pad": "0" * (_SECRET_WIDTH - secret_width),
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def seal(
    *,
    request_number: str,
    agency_code: str,
    revision: int,
    amount: Decimal,
    nonce: str,
    discount_rate: Decimal | None = None,
) -> Sealed:
    """Encrypt a quote under the first configured key and commit to it with a receipt.

    The nonce is the bidder's own (its browser makes it, docs/selection.md): the platform never
    chooses it, so it cannot pick one that gives a receipt of its liking.

    Raises ValueError (with a user-readable message for the amount and discount rate) when a
    value is not acceptable, and ImproperlyConfigured when no key is set."""
    request_number = _check_identifier("request_number", request_number)
    agency_code = _check_identifier("agency_code", agency_code)
    revision = _check_revision(revision)
    amount = parse_amount(amount)
    rate = None if discount_rate is None else parse_discount_rate(discount_rate)
    if not isinstance(nonce, str) or not _NONCE_SHAPE.match(nonce):
        raise ValueError("nonce must be 32 lowercase hex characters")
    cipher = _cipher()  # fail on configuration before doing anything else
    token = cipher.encrypt(
        _payload(
            nonce=nonce,
            request_number=request_number,
            agency_code=agency_code,
            revision=revision,
            amount=_canonical(amount),
            discount_rate=None if rate is None else _canonical(rate),
        )
    ).decode("ascii")
    receipt = _digest(
        commitment_string(
            request_number=request_number,
            agency_code=agency_code,
            revision=revision,
            amount=amount,
            discount_rate=rate,
            nonce=nonce,
        )
    )
    return Sealed(ciphertext=token, receipt=receipt)


def _decimal_field(body: dict[str, Any], name: str) -> Decimal:
    value = body.get(name)
    if not isinstance(value, str) or not _CANONICAL_DECIMAL.match(value):
        raise SealBroken(f"The sealed quote's {name} is not in canonical form.")
    return Decimal(value)


def _decrypt(ciphertext: str, *, kind: str) -> dict[str, Any]:
    """The JSON body of a token of our own, checked for version and kind."""
    cipher = _cipher()
    if not isinstance(ciphertext, (str, bytes)):
        raise SealBroken("A sealed value is a text token.")
    try:
        token = ciphertext.encode("ascii") if isinstance(ciphertext, str) else ciphertext
        plaintext = cipher.decrypt(token)
    except (InvalidToken, UnicodeError, TypeError, ValueError):
        raise SealBroken(
            "The sealed value cannot be opened: it was altered, or sealed under a key that is "
            "not configured."
        ) from None
    try:
        body = json.loads(plaintext.decode("utf-8"))
    except (UnicodeError, ValueError):
        raise SealBroken("The sealed value's contents are not readable.") from None
    if not isinstance(body, dict) or body.get("v") != PAYLOAD_VERSION:
        raise SealBroken("The sealed value's contents have an unknown version.")
    if body.get("kind") != kind:
        raise SealBroken(f"The sealed value is not a {kind}.")
    return body


def open_sealed(ciphertext: str) -> Opened:
    """Decrypt a sealed quote with any configured key. Call only after the deadline.

    Raises SealBroken when the token is unknown, altered or unreadable (or holds something other
    than a quote), and ImproperlyConfigured when no key is set."""
    body = _decrypt(ciphertext, kind=_KIND_QUOTE)
    nonce = body.get("nonce")
    if not isinstance(nonce, str) or not _NONCE_SHAPE.match(nonce):
        raise SealBroken("The sealed quote's nonce is malformed.")
    try:
        request_number = _check_identifier("request_number", body.get("request_number"))
        agency_code = _check_identifier("agency_code", body.get("agency_code"))
        revision = _check_revision(body.get("revision"))
    except ValueError:
        raise SealBroken("The sealed quote's identifiers are malformed.") from None
    return Opened(
        request_number=request_number,
        agency_code=agency_code,
        revision=revision,
        amount=_decimal_field(body, "amount"),
        discount_rate=(
            None if body.get("discount_rate") is None else _decimal_field(body, "discount_rate")
        ),
        nonce=nonce,
    )


def seal_text(text: str) -> str:
    """Encrypt a short secret that is not a quote (a draw secret, say) under the first key.
    No receipt: the caller publishes its own commitment. The token's length follows the
    text's, so use it for secrets whose length is public (fixed-size hex, say)."""
    if not isinstance(text, str):
        raise TypeError("seal_text seals a str.")
    body = {"v": PAYLOAD_VERSION, "kind": _KIND_TEXT, "text": text}
    payload = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return _cipher().encrypt(payload.encode("utf-8")).decode("ascii")


def open_text(ciphertext: str) -> str:
    """The text sealed by `seal_text`. Raises SealBroken as `open_sealed` does; a sealed quote
    is not a text and does not open here."""
    text = _decrypt(ciphertext, kind=_KIND_TEXT).get("text")
    if not isinstance(text, str):
        raise SealBroken("The sealed text is malformed.")
    return text


# --- logging --------------------------------------------------------------------------------

SEALED_MARK = "[sealed]"
# Fernet tokens start with version byte 0x80 and a big-endian timestamp whose top bytes are
# zero for centuries: in url-safe base64 that is "gAAAAA".
_FERNET_TOKEN = re.compile(r"gAAAAA[A-Za-z0-9_\-]+=*")
_FERNET_TOKEN_BYTES = re.compile(rb"gAAAAA[A-Za-z0-9_\-]+=*")
_SEALED_KEY = re.compile(r"(?:^|_)(?:amount|price|discount_rate|justification)$", re.IGNORECASE)
# Attributes every LogRecord has that never carry caller data.
_PLAIN_ATTRIBUTES = frozenset(
    {
        "name",
        "levelname",
        "levelno",
        "pathname",
        "filename",
        "module",
        "exc_info",
        "lineno",
        "funcName",
        "created",
        "msecs",
        "relativeCreated",
        "thread",
        "threadName",
        "processName",
        "process",
        "taskName",
    }
)


def _redact(value: Any) -> Any:
    """A copy of `value` with Fernet tokens and sealed-named entries replaced; objects that are
    not strings, bytes or containers are returned unchanged (never stringified)."""
    if isinstance(value, str):
        return _FERNET_TOKEN.sub(SEALED_MARK, value)
    if isinstance(value, bytes):
        return _FERNET_TOKEN_BYTES.sub(SEALED_MARK.encode("ascii"), value)
    if isinstance(value, dict):
        return {
            key: SEALED_MARK if isinstance(key, str) and _SEALED_KEY.search(key) else _redact(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_redact(item) for item in value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(_redact(item) for item in value)
    return value


class RedactSealedFilter(logging.Filter):
    """Keeps sealed values out of logs. It never drops a record; it rewrites it:

    - any Fernet token (text starting "gAAAAA") in the message, its arguments, `extra=`
      attributes or already-formatted exception text becomes "[sealed]";
    - in structlog event dicts (`record.msg` is a dict when structlog hands a record to
      `ProcessorFormatter`), `%(name)s`-style argument dicts and dict-valued extras, every entry
      whose key is `amount`, `price` or `discount_rate` (or ends in `_amount`, `_price`,
      `_discount_rate`) becomes "[sealed]", at any depth.

    Attach it to the root handler in settings (LOGGING["handlers"]["console"]["filters"]), so it
    sees every record, ours and third parties', before any formatter. It cannot recognise an
    amount passed bare as a positional argument (`log.info("quote %s", amount)`): log sealed
    values under a name."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in list(vars(record).items()):
            if name in _PLAIN_ATTRIBUTES or value is None:
                continue
            redacted = _redact(value)
            if redacted is not value:
                setattr(record, name, redacted)
        return True
