"""The larger-text mode (适老化): a reader's choice kept in a cookie on their own browser, so it
needs no account, is never stored on our side, and shows on the very first paint of every page
(core.context_processors.preferences puts a class on <html>, no script involved)."""

from django.http import HttpRequest, HttpResponseRedirect
from django.views.decorators.http import require_POST

from core.redirects import next_path

LARGER_TEXT_COOKIE = "zjcs_larger_text"
# A year: a reader who needs larger text should not have to ask again every visit.
LARGER_TEXT_COOKIE_AGE = 365 * 24 * 60 * 60


def larger_text_requested(request: HttpRequest) -> bool:
    return request.COOKIES.get(LARGER_TEXT_COOKIE) == "1"


@require_POST
def larger_text(request: HttpRequest) -> HttpResponseRedirect:
    # Back to the page the reader was on.
    response = HttpResponseRedirect(next_path(request, "/"))
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
