"""Limits on the password-reset page, counted in Django's cache by django-ratelimit: at most
PASSWORD_RESET_LIMIT_PER_ACCOUNT requests for one e-mail address and
PASSWORD_RESET_LIMIT_PER_ADDRESS requests from one client address an hour (each counter's
hour is a fixed window). The client address is core.client_address's, the one django-axes
counts sign-in failures by."""

import hashlib
import logging

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import is_ratelimited

from core.client_address import client_ip_address

logger = logging.getLogger(__name__)

GROUP_BY_ACCOUNT = "accounts.password_reset.account"
GROUP_BY_ADDRESS = "accounts.password_reset.address"


def _per_hour(limit: int) -> str:
    return f"{limit}/h"


def password_reset_throttled(request: HttpRequest, *, email: str) -> bool:
    """Count one reset request for `email` from this client and say whether it is over
    either limit. Over it, the caller sends no mail but answers as if it had, so the page
    tells nobody whether the address has an account or a limit was reached; the refusal is
    logged (with a digest of the address asked for, never the address itself)."""
    client = client_ip_address(request) or "unknown"
    account = email.strip().lower()
    over = None
    if is_ratelimited(
        request,
        group=GROUP_BY_ADDRESS,
        key=lambda _group, _request: client,
        rate=_per_hour(settings.PASSWORD_RESET_LIMIT_PER_ADDRESS),
        increment=True,
    ):
        over = "address"
    elif is_ratelimited(
        request,
        group=GROUP_BY_ACCOUNT,
        key=lambda _group, _request: account,
        rate=_per_hour(settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT),
        increment=True,
    ):
        over = "account"
    if over is None:
        return False
    logger.warning(
        "Password reset refused, over the per-%s limit: no mail sent (client %s, "
        "address asked for sha256:%s).",
        over,
        client,
        hashlib.sha256(account.encode()).hexdigest()[:16],
    )
    return True
