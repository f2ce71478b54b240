"""统一社会信用代码 (unified social credit code, GB 32100-2015)."""

import hashlib

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The standard's alphabet: digits and upper-case letters without I, O, S, V, Z.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_character(first_17: str) -> str:
    """The 18th character the standard derives from the first seventeen."""
    total = sum(
        CREDIT_CODE_ALPHABET.index(char) * w for char, w in zip(first_17, _WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    if len(value) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(count)d."),
            code="credit_code_length",
            params={"count": len(value)},
        )
    bad = sorted({char for char in value if char not in CREDIT_CODE_ALPHABET})
    if bad:
        raise ValidationError(
            _("A unified social credit code cannot contain %(chars)s."),
            code="credit_code_characters",
            params={"chars": "、".join(bad)},
        )
    if credit_code_check_character(value[:17]) != value[17]:
        raise ValidationError(
            _(
                "The check character of this unified social credit code is wrong; "
                "please re-check the code."
            ),
            code="credit_code_check",
        )


def credit_code_derive(prefix: str, seed: str) -> str:
    """A well-formed code for demo and benchmark data: the 8-character prefix (registering
    authority, kind, region), nine characters taken from a hash of `seed`, and the check
    character. Real organisations always bring their own code."""
    digest = hashlib.sha256(seed.encode()).digest()
    body = "".join(CREDIT_CODE_ALPHABET[byte % 31] for byte in digest[:9])
    first_17 = prefix + body
    return first_17 + credit_code_check_character(first_17)
