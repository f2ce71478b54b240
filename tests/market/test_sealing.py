"""Sealed quotes: encryption at rest under keys outside the database, receipts that commit to the
quote, amount checks, and a logging filter that keeps sealed values out of logs."""

import base64
import hashlib
import io
import json
import logging
from decimal import Decimal

import pytest
import structlog
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from market.sealing import (
    Opened,
    RedactSealedFilter,
    SealBroken,
    generate_key,
    open_sealed,
    open_text,
    parse_amount,
    parse_discount_rate,
    receipt_for,
    seal,
    seal_text,
    verify_receipt,
)

QUOTE = {
    "request_number": "CG-2026-0001",
    "agency_code": "91511422MA6XXXXXX1",
    "revision": 1,
    "amount": Decimal("1250.00"),
    "discount_rate": Decimal("95.5"),
    "nonce": "0123456789abcdef0123456789abcdef",  # the bidder's browser makes it
}


@pytest.fixture
def key(settings):
    fresh = generate_key()
    settings.QUOTE_SEALING_KEYS = [fresh]
    return fresh


def _fernet_plaintext_free(token: str) -> bytes:
    """The raw bytes of a Fernet token, as they sit in the database column."""
    return base64.urlsafe_b64decode(token.encode("ascii"))


# --- sealing and opening ----------------------------------------------------------------------


def test_round_trip(key):
    sealed = seal(**QUOTE)

    opened = open_sealed(sealed.ciphertext)

    assert opened.request_number == "CG-2026-0001"
    assert opened.agency_code == "91511422MA6XXXXXX1"
    assert opened.revision == 1
    assert opened.amount == Decimal("1250.00")
    assert str(opened.amount) == "1250.00"
    assert str(opened.discount_rate) == "95.50"
    assert len(opened.nonce) == 32
    int(opened.nonce, 16)


def test_round_trip_without_discount_rate_and_with_a_non_canonical_amount(key):
    sealed = seal(
        request_number="CG-2026-0002",
        agency_code="A-7",
        revision=3,
        amount=Decimal("99.5"),
        nonce="f" * 32,
    )

    opened = open_sealed(sealed.ciphertext)

    assert str(opened.amount) == "99.50"
    assert opened.discount_rate is None
    assert receipt_for(opened) == sealed.receipt


def test_the_receipt_verifies_against_the_opened_quote(key):
    sealed = seal(**QUOTE)
    opened = open_sealed(sealed.ciphertext)

    assert receipt_for(opened) == sealed.receipt
    assert verify_receipt(receipt=sealed.receipt, **vars(opened))
    # Amounts typed as text, and an upper-case receipt, are the same thing.
    assert verify_receipt(
        receipt=sealed.receipt.upper(),
        request_number=opened.request_number,
        agency_code=opened.agency_code,
        revision=opened.revision,
        amount="1250",
        discount_rate="95.500",
        nonce=opened.nonce,
    )


@pytest.mark.parametrize(
    "change",
    [
        {"amount": Decimal("1250.01")},
        {"discount_rate": None},
        {"discount_rate": Decimal("95.51")},
        {"revision": 2},
        {"agency_code": "91511422MA6XXXXXX2"},
        {"request_number": "CG-2026-0009"},
        {"nonce": "0" * 32},
        {"nonce": "not hex"},
        {"amount": "abc"},
    ],
)
def test_any_change_to_the_quote_fails_the_receipt(key, change):
    sealed = seal(**QUOTE)
    fields = {**vars(open_sealed(sealed.ciphertext)), **change}

    assert not verify_receipt(receipt=sealed.receipt, **fields)


def test_a_wrong_receipt_fails(key):
    opened = open_sealed(seal(**QUOTE).ciphertext)

    assert not verify_receipt(receipt="0" * 64, **vars(opened))
    assert not verify_receipt(receipt="", **vars(opened))
    assert not verify_receipt(receipt="收据", **vars(opened))


def test_the_receipt_is_the_documented_hash(key):
    """The format in docs/sealing.md, recomputed with nothing but hashlib."""
    sealed = seal(**QUOTE)
    nonce = open_sealed(sealed.ciphertext).nonce

    line = f"zjcs-quote-v1|CG-2026-0001|91511422MA6XXXXXX1|1|1250.00|95.50|{nonce}"

    assert sealed.receipt == hashlib.sha256(line.encode("utf-8")).hexdigest()
    no_rate = seal(**{**QUOTE, "discount_rate": None})
    nonce = open_sealed(no_rate.ciphertext).nonce
    line = f"zjcs-quote-v1|CG-2026-0001|91511422MA6XXXXXX1|1|1250.00||{nonce}"
    assert no_rate.receipt == hashlib.sha256(line.encode("utf-8")).hexdigest()


def test_two_seals_of_the_same_quote_differ(key):
    # Two submissions of the same amount come with two nonces from the browser.
    first = seal(**QUOTE)
    second = seal(**{**QUOTE, "nonce": "1" * 32})

    assert first.ciphertext != second.ciphertext
    assert first.receipt != second.receipt
    assert open_sealed(first.ciphertext).nonce != open_sealed(second.ciphertext).nonce
    # Even with the same nonce the ciphertext differs (Fernet's random IV).
    assert seal(**QUOTE).ciphertext != first.ciphertext


def test_the_ciphertext_does_not_reveal_the_amount(key):
    sealed = seal(**{**QUOTE, "amount": Decimal("987654.32")})

    for text in ("987654.32", "987654", "98765432"):
        assert text not in sealed.ciphertext
        assert text.encode() not in _fernet_plaintext_free(sealed.ciphertext)
    assert "987654" not in repr(sealed)
    assert sealed.ciphertext not in repr(sealed)


def test_the_ciphertext_length_does_not_reveal_the_amount_size(key):
    small = seal(**{**QUOTE, "amount": Decimal("1"), "discount_rate": None})
    large = seal(**{**QUOTE, "amount": Decimal("9999999999.99"), "discount_rate": None})
    with_rate = seal(**{**QUOTE, "amount": Decimal("1"), "discount_rate": Decimal("100")})

    assert len(small.ciphertext) == len(large.ciphertext) == len(with_rate.ciphertext)


def test_a_tampered_token_is_a_broken_seal(key):
    token = seal(**QUOTE).ciphertext
    middle = len(token) // 2
    tampered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]

    with pytest.raises(SealBroken) as caught:
        open_sealed(tampered)
    assert tampered not in str(caught.value)


@pytest.mark.parametrize("garbage", ["", "not a token", "gAAAAA", "密封", b"\x00\x01", None, 42])
def test_garbage_is_a_broken_seal(key, garbage):
    with pytest.raises(SealBroken):
        open_sealed(garbage)


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"\xff\xfe",
        b"[]",
        json.dumps({"v": 2}).encode(),
        json.dumps(
            {
                "v": 1,
                "kind": "quote",
                "nonce": "0" * 32,
                "request_number": "R",
                "agency_code": "A",
                "revision": 1,
                "amount": "1e3",
                "discount_rate": None,
            }
        ).encode(),
        json.dumps(
            {
                "v": 1,
                "kind": "quote",
                "nonce": "xyz",
                "request_number": "R",
                "agency_code": "A",
                "revision": 1,
                "amount": "1.00",
                "discount_rate": None,
            }
        ).encode(),
    ],
)
def test_a_genuine_token_with_an_unreadable_payload_is_a_broken_seal(key, payload):
    with pytest.raises(SealBroken):
        open_sealed(Fernet(key).encrypt(payload).decode())


def test_a_wrong_key_is_a_broken_seal(settings, key):
    token = seal(**QUOTE).ciphertext
    settings.QUOTE_SEALING_KEYS = [generate_key()]

    with pytest.raises(SealBroken):
        open_sealed(token)


def test_key_rotation(settings):
    old, new = generate_key(), generate_key()
    settings.QUOTE_SEALING_KEYS = [old]
    before = seal(**QUOTE)

    settings.QUOTE_SEALING_KEYS = [new, old]
    after = seal(**QUOTE)

    # Quotes sealed before the rotation still open.
    assert open_sealed(before.ciphertext).amount == Decimal("1250.00")
    assert receipt_for(open_sealed(before.ciphertext)) == before.receipt
    # New quotes are sealed under the new key alone.
    Fernet(new.encode()).decrypt(after.ciphertext.encode())
    with pytest.raises(InvalidToken):
        Fernet(old.encode()).decrypt(after.ciphertext.encode())
    # Once the old key is retired, its quotes no longer open.
    settings.QUOTE_SEALING_KEYS = [new]
    assert open_sealed(after.ciphertext).amount == Decimal("1250.00")
    with pytest.raises(SealBroken):
        open_sealed(before.ciphertext)


def test_re_sealing_under_a_new_key_keeps_the_receipt(settings):
    old, new = generate_key(), generate_key()
    settings.QUOTE_SEALING_KEYS = [old]
    sealed = seal(**QUOTE)

    settings.QUOTE_SEALING_KEYS = [new]
    rotated = MultiFernet([Fernet(new), Fernet(old)]).rotate(sealed.ciphertext.encode()).decode()

    assert receipt_for(open_sealed(rotated)) == sealed.receipt


def test_keys_may_arrive_as_one_comma_separated_string(settings):
    old, new = generate_key(), generate_key()
    settings.QUOTE_SEALING_KEYS = old
    token = seal(**QUOTE).ciphertext

    settings.QUOTE_SEALING_KEYS = f"{new}, {old}"

    assert open_sealed(token).amount == Decimal("1250.00")


def test_generate_key_gives_a_fernet_key():
    fresh = generate_key()

    assert isinstance(fresh, str)
    assert len(base64.urlsafe_b64decode(fresh)) == 32
    Fernet(fresh)
    assert generate_key() != fresh


def test_the_configured_default_key_is_a_valid_key():
    from django.conf import settings

    assert settings.QUOTE_SEALING_KEYS
    for configured in settings.QUOTE_SEALING_KEYS:
        Fernet(configured)


@pytest.mark.parametrize("configured", [None, [], [""], "", " , "])
def test_no_key_is_improperly_configured(settings, configured):
    settings.QUOTE_SEALING_KEYS = configured

    with pytest.raises(ImproperlyConfigured, match="QUOTE_SEALING_KEYS"):
        seal(**QUOTE)
    with pytest.raises(ImproperlyConfigured, match="QUOTE_SEALING_KEYS"):
        open_sealed("gAAAAAB-anything")


def test_a_missing_setting_is_improperly_configured(settings):
    del settings.QUOTE_SEALING_KEYS

    with pytest.raises(ImproperlyConfigured, match="QUOTE_SEALING_KEYS"):
        seal(**QUOTE)


def test_an_invalid_key_is_improperly_configured_without_echoing_it(settings):
    settings.QUOTE_SEALING_KEYS = [generate_key(), "secret-but-not-a-fernet-key"]

    with pytest.raises(ImproperlyConfigured, match="entry 2") as caught:
        seal(**QUOTE)
    assert "secret-but-not-a-fernet-key" not in str(caught.value)


@pytest.mark.parametrize(
    "change",
    [
        {"request_number": "CG|2026"},
        {"agency_code": "A|B"},
        {"request_number": ""},
        {"revision": -1},
        {"revision": True},
        {"amount": Decimal("0")},
        {"amount": 12.5},
        {"discount_rate": Decimal("-0.1")},
        {"discount_rate": Decimal("0")},
        {"discount_rate": Decimal("100.01")},
        {"discount_rate": Decimal("95.555")},
        {"discount_rate": "abc"},
    ],
)
def test_seal_refuses_bad_values(key, change):
    with pytest.raises(ValueError):
        seal(**{**QUOTE, **change})


def test_seal_checks_values_before_the_configuration(settings):
    # A bad amount is the user's error to fix, whatever the keys.
    settings.QUOTE_SEALING_KEYS = []

    with pytest.raises(ValueError):
        seal(**{**QUOTE, "amount": Decimal("-5")})


# --- other secrets ---------------------------------------------------------------------------


def test_seal_text_round_trip(key):
    secret = "ab" * 32

    token = seal_text(secret)

    assert secret not in token
    assert open_text(token) == secret
    assert open_text(seal_text("密封")) == "密封"


def test_a_quote_and_a_text_do_not_open_as_each_other(key):
    with pytest.raises(SealBroken):
        open_text(seal(**QUOTE).ciphertext)
    with pytest.raises(SealBroken):
        open_sealed(seal_text("ab" * 32))


def test_a_sealed_text_under_a_wrong_key_is_a_broken_seal(settings, key):
    token = seal_text("ab" * 32)
    settings.QUOTE_SEALING_KEYS = [generate_key()]

    with pytest.raises(SealBroken):
        open_text(token)


# --- amounts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "0",
        "0.00",
        "-1",
        "abc",
        "",
        "1e20",
        "1.234",
        "0.001",
        "NaN",
        "sNaN",
        "Infinity",
        "-Infinity",
        "10000000000.01",
        "1,000",
        Decimal("NaN"),
        Decimal("-0"),
        0,
        1.5,
        True,
        None,
    ],
)
def test_parse_amount_refuses(value):
    with pytest.raises(ValueError) as caught:
        parse_amount(value)
    assert str(caught.value)  # a message the user can read


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1250", "1250.00"),
        (" 1250.5 ", "1250.50"),
        ("0.01", "0.01"),
        ("1.230", "1.23"),
        ("1E+3", "1000.00"),
        ("10000000000", "10000000000.00"),
        (Decimal("99.9"), "99.90"),
        (7, "7.00"),
    ],
)
def test_parse_amount_accepts_and_makes_canonical(value, expected):
    assert str(parse_amount(value)) == expected


@translation.override("en")
def test_parse_amount_messages_say_what_is_wrong():
    with pytest.raises(ValueError, match="greater than zero"):
        parse_amount("-1")
    with pytest.raises(ValueError, match="two decimal places"):
        parse_amount("1.234")
    with pytest.raises(ValueError, match="exceed"):
        parse_amount("1e20")
    with pytest.raises(ValueError, match="number"):
        parse_amount("abc")


@pytest.mark.parametrize(
    ("value", "expected"), [("0.01", "0.01"), ("85.5", "85.50"), ("100", "100.00"), (95, "95.00")]
)
def test_parse_discount_rate_accepts(value, expected):
    assert str(parse_discount_rate(value)) == expected


@pytest.mark.parametrize("value", ["0", "-0", "-5", "100.01", "95.555", "NaN", "abc", 0.95, None])
def test_parse_discount_rate_refuses(value):
    with pytest.raises(ValueError) as caught:
        parse_discount_rate(value)
    assert str(caught.value)


# --- logging ----------------------------------------------------------------------------------

TOKEN = "gAAAAABmZXh0cmVtZWx5LXNlY3JldC10b2tlbi1mb3ItdGVzdHM_abc-123=="


@pytest.fixture
def captured():
    """A logger whose one handler carries the filter, as the root handler will in settings."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSealedFilter())
    handler.setFormatter(logging.Formatter("%(message)s %(detail)s"))
    logger = logging.getLogger("tests.market.sealing")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, handler, stream
    logger.removeHandler(handler)
    logger.propagate = True


def test_the_filter_redacts_tokens_in_a_plain_message(captured):
    logger, _, stream = captured

    logger.info("stored quote %s for %s", TOKEN, "CG-2026-0001", extra={"detail": f"t={TOKEN}"})

    line = stream.getvalue()
    assert TOKEN not in line
    assert "gAAAAA" not in line
    assert line == "stored quote [sealed] for CG-2026-0001 t=[sealed]\n"


def test_the_filter_redacts_a_structlog_style_dict_record(captured):
    logger, handler, _ = captured
    seen: list[logging.LogRecord] = []
    handler.emit = seen.append  # look at the record as a formatter would receive it

    logger.info(
        {
            "event": "quote_submitted",
            "request_number": "CG-2026-0001",
            "amount": "1250.00",
            "discount_rate": "0.85",
            "quote": {"price": 1250, "ciphertext": TOKEN, "receipt": "ab" * 32},
            "rows": [{"bid_amount": "99.00"}],
        }
    )

    assert seen[0].msg == {
        "event": "quote_submitted",
        "request_number": "CG-2026-0001",
        "amount": "[sealed]",
        "discount_rate": "[sealed]",
        "quote": {"price": "[sealed]", "ciphertext": "[sealed]", "receipt": "ab" * 32},
        "rows": [{"bid_amount": "[sealed]"}],
    }


def test_the_filter_redacts_named_arguments(captured):
    logger, _, stream = captured

    logger.info(
        "quote of %(amount)s for %(request)s",
        {"amount": "1250.00", "request": "CG-1"},
        extra={"detail": ""},
    )

    assert stream.getvalue().startswith("quote of [sealed] for CG-1")


def test_the_filter_never_drops_a_record(captured):
    logger, handler, _ = captured
    seen: list[logging.LogRecord] = []
    handler.emit = seen.append

    logger.info("nothing sealed here")

    assert [record.getMessage() for record in seen] == ["nothing sealed here"]


def test_the_filter_redacts_a_real_structlog_logger():
    """End to end through structlog's stdlib bridge and its JSON renderer, as settings run it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSealedFilter())
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.JSONRenderer(),
            ]
        )
    )
    stdlib_logger = logging.getLogger("tests.market.sealing.structlog")
    stdlib_logger.addHandler(handler)
    stdlib_logger.setLevel(logging.INFO)
    stdlib_logger.propagate = False
    log = structlog.wrap_logger(
        stdlib_logger,
        processors=[structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        wrapper_class=structlog.stdlib.BoundLogger,
    )
    try:
        log.info("quote_submitted", amount="1250.00", ciphertext=TOKEN, request_number="CG-1")
    finally:
        stdlib_logger.removeHandler(handler)
        stdlib_logger.propagate = True

    line = json.loads(stream.getvalue())
    assert line == {
        "event": "quote_submitted",
        "amount": "[sealed]",
        "ciphertext": "[sealed]",
        "request_number": "CG-1",
    }


def test_opened_quotes_are_plain_data():
    opened = Opened(
        request_number="R",
        agency_code="A",
        revision=0,
        amount=Decimal("1.00"),
        discount_rate=None,
        nonce="0" * 32,
    )

    assert verify_receipt(receipt=receipt_for(opened), **vars(opened))


def test_the_receipt_is_computed_from_the_bidders_own_nonce():
    # The platform never chooses the nonce: the same nonce gives the same receipt, another
    # nonce another receipt, and the opened quote carries the nonce the bidder sent.
    first, again = seal(**QUOTE), seal(**QUOTE)
    other = seal(**{**QUOTE, "nonce": "f" * 32})
    assert first.receipt == again.receipt != other.receipt
    assert open_sealed(first.ciphertext).nonce == QUOTE["nonce"]


@pytest.mark.parametrize("nonce", ["", "0" * 31, "0" * 33, "G" * 32, "A" * 32, None])
def test_a_nonce_that_is_not_32_lowercase_hex_characters_is_refused(nonce):
    with pytest.raises(ValueError, match="nonce must be 32 lowercase hex characters"):
        seal(**{**QUOTE, "nonce": nonce})
