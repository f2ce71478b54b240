"""The password rules (AUTH_PASSWORD_VALIDATORS) are stated before they are broken, and every
refusal is in the interface's language (issue 13: one of them came out in English, a gap in
Django's Chinese catalogue that ours fills: core/translation_gaps.py)."""

import re

import pytest
from django.contrib.auth.password_validation import (
    get_default_password_validators,
    password_validators_help_texts,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.models import User

pytestmark = pytest.mark.django_db

LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def _refusals(password: str, user: User | None = None) -> list[ValidationError]:
    with pytest.raises(ValidationError) as caught:
        validate_password(password, user)
    return caught.value.error_list


def test_every_configured_refusal_comes_out_in_chinese():
    user = User(username="zhangsan2026", email="zhangsan2026@example.com")
    with translation.override("zh-hans"):
        refusals = _refusals("12345", user) + _refusals("zhangsan2026", user)
    codes = {error.code for error in refusals}
    assert {"password_too_short", "password_entirely_numeric", "password_too_similar"} <= codes
    for error in refusals:
        assert not LATIN_WORD.search(error.messages[0]), error.messages[0]


def test_the_registration_page_states_every_configured_rule_before_the_password(client):
    with translation.override("zh-hans"):
        rules = password_validators_help_texts()
    page = client.get("/agencies/register/").content.decode()

    help_start = page.index('id="id_password_helptext"')
    help_text = page[help_start : page.index("</div>", help_start)]
    assert help_start < page.index('id="id_password"')
    assert len(rules) == len(get_default_password_validators())
    for rule in rules:
        assert rule in help_text
