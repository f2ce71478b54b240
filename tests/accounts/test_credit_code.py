import pytest
from django.core.exceptions import ValidationError

from accounts.validators import credit_code_derive, validate_credit_code


def test_a_published_example_code_is_valid():
    # The worked example from GB 32100-2015.
    validate_credit_code("91350100M000100Y43")


@pytest.mark.parametrize(
    ("code", "error_code"),
    [
        ("91350100M000100Y4", "credit_code_length"),
        ("91350100M000100Y433", "credit_code_length"),
        ("91350100M000100Y4I", "credit_code_characters"),  # I is not in the alphabet
        ("91350100m000100Y43", "credit_code_characters"),  # lower case is not either
        ("91350100M000100Y44", "credit_code_check"),
    ],
)
def test_malformed_codes_are_refused_with_a_specific_reason(code, error_code):
    with pytest.raises(ValidationError) as caught:
        validate_credit_code(code)
    assert caught.value.code == error_code


def test_derived_codes_validate():
    for seed in ("甲", "乙", "四川某某环保科技有限公司"):
        validate_credit_code(credit_code_derive("91511403", seed))
