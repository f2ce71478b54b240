"""The Content Security Policy for the part of the site whose markup is not ours."""

from collections.abc import Callable
from typing import Any

from csp.decorators import csp
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase


class AdminContentSecurityPolicyMiddleware:
    """Serves the paths under `ADMIN_CONTENT_SECURITY_POLICY["URL_PREFIXES"]` (Wagtail's
    admin) with that policy instead of `CONTENT_SECURITY_POLICY`.

    Wagtail's admin writes inline scripts and style attributes we cannot change, and its many
    views cannot be decorated one by one, so this applies django-csp's own per-view override
    (the `csp` decorator) to every response under the prefix. django-csp's `CSPMiddleware`
    still writes the header, which is why this comes after it in MIDDLEWARE: it must see the
    response first.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        policy: dict[str, Any] = settings.ADMIN_CONTENT_SECURITY_POLICY
        self.get_response = get_response
        self.url_prefixes = tuple(policy["URL_PREFIXES"])
        self.get_admin_response = csp(policy["DIRECTIVES"])(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path_info.startswith(self.url_prefixes):
            return self.get_admin_response(request)
        return self.get_response(request)
