"""Where to send a person back to after a form: the `next` they came with, when it is a path
on this site. Anything else (another host, a scheme, a control character) would let a link on
a hostile page use our forms as an open redirect."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def next_path(request: HttpRequest, default: str) -> str:
    """The request's `next` (form field, else query string) if it is a path on this site,
    else `default`."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if (
        candidate.startswith("/")
        and candidate.isprintable()
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return default
