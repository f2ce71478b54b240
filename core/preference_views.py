"""The larger-text mode (适老化): a reader's choice kept in a cookie on their own browser, so it
needs no account, is never stored on our side, and shows on the very first paint of every page
(core.context_processors.preferences puts a class on <html>, no script involved)."""

from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

LARGER_TEXT_COOKIE = "zjcs_larger_text"
# A year: a reader who needs larger text should not have to ask again every visit.
LARGER_TEXT_COOKIE_AGE = 365 * 24 * 60 * 60


def larger_text_requested(request: HttpRequest) -> bool:
    return request.COOKIES.get(LARGER_TEXT_COOKIE) == "1"


def _safe_next(request: HttpRequest) -> str:
    """Back to the page the reader was on; anywhere else (another site, a scheme) would let a
    link on a hostile page use this form as an open redirect, so that falls back home."""
    candidate = request.POST.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


@require_POST
def larger_text(request: HttpRequest) -> HttpResponseRedirect:
    response = HttpResponseRedirect(_safe_next(request))
    if request.POST.get("larger_text") == "1":
        response.set_cookie(
            LARGER_TEXT_COOKIE,
            "1",
            max_age=LARGER_TEXT_COOKIE_AGE,
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
    else:
        response.delete_cookie(LARGER_TEXT_COOKIE, samesite="Lax")
    return response
