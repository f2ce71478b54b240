"""Asserting which refusal a service gave, not only that it refused: a test that expects an
ApplicationError names its code, so it cannot pass for the wrong reason."""

from contextlib import contextmanager

import pytest

from core.exceptions import ApplicationError


@contextmanager
def refused(code: str):
    """`with refused("not_owner") as caught:` — like pytest.raises(ApplicationError), and the
    error's code must be `code`."""
    with pytest.raises(ApplicationError) as caught:
        yield caught
    assert caught.value.code == code, (
        f"refused with {caught.value.code!r} ({caught.value.message}), expected {code!r}"
    )


@contextmanager
def refused_validation(code: str):
    """The same for a ValidationError (form-level checks such as core.uploads and
    core.tabular), whose code must be `code`."""
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        yield caught
    assert caught.value.code == code, f"refused with {caught.value.code!r}, expected {code!r}"
