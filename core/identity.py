"""Chinese resident ID numbers (居民身份证号码, GB 11643-1999). They are checked, then
reduced at once to a keyed hash and the last four characters; the number itself is never
stored, logged or shown."""

import hashlib
import hmac
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


def normalise_id_number(value: str) -> str:
    return (value or "").strip().upper()


def validate_id_number(value: str) -> None:
    number = normalise_id_number(value)
    if not _SHAPE.match(number):
        raise ValidationError(
            _("An ID number has 17 digits followed by a digit or X."), code="id_number_shape"
        )
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _WEIGHTS, strict=True))
    if _CHECK[total % 11] != number[17]:
        raise ValidationError(
            _("The check character of this ID number is wrong; please re-check it."),
            code="id_number_check",
        )


def id_number_hash(value: str) -> str:
    """HMAC-SHA256 under ID_NUMBER_HASH_KEY: equal numbers give equal hashes, so the staff
    register can be matched, but the hash cannot be reversed without the key."""
    key = settings.ID_NUMBER_HASH_KEY.encode()
    return hmac.new(key, normalise_id_number(value).encode(), hashlib.sha256).hexdigest()


def id_number_last4(value: str) -> str:
    return normalise_id_number(value)[-4:]
