"""Limits on what a request may send."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body is larger than settings.REQUEST_MAX_BYTES before
    a byte of it is read (413). Django's own limits apply only once the body is being parsed,
    and not to files; the proxy enforces the same limit in front (docs/deployment.md). A body
    without a declared length is not parsed by Django at all."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > settings.REQUEST_MAX_BYTES:
            return HttpResponse(
                render_to_string("413.html", {"limit": settings.REQUEST_MAX_BYTES}),
                status=413,
            )
        return self.get_response(request)
