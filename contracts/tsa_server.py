"""The local timestamp authority over HTTP, as RFC 3161 §3.4 has it: POST a DER TimeStampReq
with Content-Type application/timestamp-query, get a DER TimeStampResp back as
application/timestamp-reply. Any path is accepted, as many public TSAs do. The server listens on
127.0.0.1 only; production points TSA_URL at a real TSA and never runs this.
"""

import contextlib
import logging
from collections.abc import Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from django.conf import settings

from contracts.tsa import TimestampAuthority, local_authority, timestamp_response
from core.local_servers import served_while_needed, url_port

logger = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
_MAX_BODY_BYTES = 4096


class TimestampHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, authority: TimestampAuthority, port: int) -> None:
        self.authority = authority
        super().__init__((LOOPBACK, port), _TimestampRequestHandler)


def tsa_server(authority: TimestampAuthority, *, port: int = 0) -> TimestampHTTPServer:
    """A server for `authority`, bound to 127.0.0.1:`port` (0: any free port), not yet
    serving: call its `serve_forever()`, in a thread if need be, and `shutdown()` to stop it."""
    return TimestampHTTPServer(authority, port)


@contextlib.contextmanager
def local_tsa_while_needed() -> Iterator[None]:
    """Serve the local timestamp authority on TSA_URL's port for the length of a command that
    signs before `make demo` has started its own TSA process (seeding the demo's contracts).
    Nothing starts when TSA_URL is not on this machine (a real TSA), or when something already
    listens there. Needs PKI_DIR's TSA certificate (init_pki)."""
    if urlsplit(settings.TSA_URL).hostname not in (LOOPBACK, "localhost"):
        yield
        return
    with served_while_needed(
        lambda: tsa_server(local_authority(), port=url_port(settings.TSA_URL))
    ):
        yield


class _TimestampRequestHandler(BaseHTTPRequestHandler):
    server: TimestampHTTPServer
    server_version = "zjcs-local-tsa"

    def do_POST(self) -> None:
        content_type = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type != QUERY_TYPE:
            self._send_text(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, f"Send {QUERY_TYPE}")
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self._send_text(HTTPStatus.LENGTH_REQUIRED, "Content-Length required")
            return
        if not 0 < length <= _MAX_BODY_BYTES:
            self._send_text(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "Request too large")
            return
        body = self.rfile.read(length)
        answer = timestamp_response(body, authority=self.server.authority)
        self._send(HTTPStatus.OK, answer, REPLY_TYPE)

    def do_GET(self) -> None:
        self._send_text(HTTPStatus.METHOD_NOT_ALLOWED, f"POST an {QUERY_TYPE}", allow="POST")

    def _send_text(self, status: HTTPStatus, text: str, *, allow: str = "") -> None:
        self._send(status, f"{text}\n".encode(), "text/plain; charset=utf-8", allow=allow)

    def _send(self, status: HTTPStatus, body: bytes, content_type: str, *, allow: str = "") -> None:
        self.send_response(status)
        if allow:
            self.send_header("Allow", allow)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        logger.debug("tsa request: " + format, *args)
