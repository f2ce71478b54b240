"""The certificate authority's public files: its root certificate, which anyone who checks a
signed contract needs to trust, and its current revocation list, the address every certificate
names as its CRL distribution point. A GET only reads: the CRL is reissued by init_pki, by
certificate_revoke and by the daily task, never by a request."""

from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from contracts import pki

# Caches may keep them an hour: a revocation shows here within the hour of being made.
_CACHE_CONTROL = "public, max-age=3600"


def _file(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = _CACHE_CONTROL
    return response


@require_GET
def ca_pem(request: HttpRequest) -> HttpResponse:
    try:
        data = pki.ca_certificate_pem()
    except ImproperlyConfigured as error:  # no CA made yet on this server
        raise Http404 from error
    return _file(data, "application/x-pem-file", "zjcs-ca.pem")


@require_GET
def crl_der(request: HttpRequest) -> HttpResponse:
    try:
        data = pki.crl_der()
    except ImproperlyConfigured as error:
        raise Http404 from error
    return _file(data, "application/pkix-crl", "zjcs.crl")  # RFC 2585's type
