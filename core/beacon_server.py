"""The local beacon over HTTP, in the shape of drand's API, so that the client in core/beacon.py
talks to the demo's beacon exactly as it talks to drand's quicknet in production.

    GET /info, /{chain hash}/info                chain info (drand's v1 /info JSON)
    GET /{chain hash}/public/latest              the latest round
    GET /{chain hash}/public/{round}             one round: {"round", "randomness", "signature"}
    (and /public/… without the chain hash, as drand serves its default chain)

A round whose time has not come is answered 425 "Requested future beacon", as drand's HTTP
relay (drand/http-relay, which serves api.drand.sh) answers it; a drand node answers 404,
which the client takes the same way. Unlike them, the local beacon never holds a request open
until the next round is out. The server listens on 127.0.0.1 only.
"""

import contextlib
import json
import logging
import re
from collections.abc import Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from core.beacon import LocalBeacon, RoundNotReached, local_beacon
from core.local_servers import served_while_needed, url_port

logger = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
_MAX_ROUND = 2**64 - 1
_ROUND_PATH = re.compile(r"/public/([^/]+)")
_DIGITS = re.compile(r"[0-9]{1,20}")
# As drand: a published round never changes; the answers that may are never cached.
_IMMUTABLE = "public, max-age=604800, immutable"
_NO_CACHE = "must-revalidate, no-cache, max-age=0"


class BeaconHTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, beacon: LocalBeacon, port: int) -> None:
        self.beacon = beacon
        super().__init__((LOOPBACK, port), _BeaconRequestHandler)


def beacon_server(beacon: LocalBeacon, *, port: int = 0) -> BeaconHTTPServer:
    """A server for `beacon`, bound to 127.0.0.1:`port` (0: any free port), not yet serving:
    call its `serve_forever()`, in a thread if need be, and `shutdown()` to stop it."""
    return BeaconHTTPServer(beacon, port)


class _BeaconRequestHandler(BaseHTTPRequestHandler):
    server: BeaconHTTPServer
    server_version = "zjcs-local-beacon"

    def do_GET(self) -> None:
        beacon = self.server.beacon
        chain = beacon.chain()
        path = urlsplit(self.path).path
        prefix = f"/{chain.chain_hash}/"
        if path.startswith(prefix):
            path = path[len(prefix) - 1 :]
        if path == "/info":
            self._send_json(beacon.info(), cache_control=_IMMUTABLE)
            return
        match = _ROUND_PATH.fullmatch(path)
        if match is None:
            self._send_text(HTTPStatus.NOT_FOUND, "404 page not found", cache_control=_NO_CACHE)
            return
        if match[1] == "latest":
            self._send_round(chain.round_at(timezone.now()), latest=True)
            return
        if not _DIGITS.fullmatch(match[1]) or int(match[1]) > _MAX_ROUND:
            self._send_text(
                HTTPStatus.BAD_REQUEST, "Failed to parse round", cache_control=_NO_CACHE
            )
            return
        number = int(match[1])
        self._send_round(number, latest=number == 0)  # drand reads round 0 as "latest"

    def _send_round(self, number: int, *, latest: bool) -> None:
        if number < 1:  # "latest" before genesis
            self._send_text(HTTPStatus.NOT_FOUND, "No round yet", cache_control=_NO_CACHE)
            return
        try:
            signed = self.server.beacon.sign(number)
        except RoundNotReached:
            self._send_text(
                HTTPStatus.TOO_EARLY, "Requested future beacon", cache_control=_NO_CACHE
            )
            return
        answer = {
            "round": signed.round,
            "randomness": signed.randomness,
            "signature": signed.signature,
        }
        self._send_json(answer, cache_control=_NO_CACHE if latest else _IMMUTABLE)

    def _send_json(self, payload: dict, *, cache_control: str) -> None:
        self._send(HTTPStatus.OK, json.dumps(payload).encode(), "application/json", cache_control)

    def _send_text(self, status: HTTPStatus, text: str, *, cache_control: str) -> None:
        self._send(status, f"{text}\n".encode(), "text/plain; charset=utf-8", cache_control)

    def _send(self, status: HTTPStatus, body: bytes, content_type: str, cache_control: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache_control)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        logger.debug("beacon request: " + format, *args)


@contextlib.contextmanager
def local_beacon_while_needed() -> Iterator[None]:
    """Serve the local beacon on BEACON_URL's port for the length of a command that needs
    rounds before `make demo` has started its own beacon process (seeding the demo's draws).
    Nothing starts when something already listens there, or when there is no local key
    (production reads drand's chain)."""
    if not settings.BEACON_LOCAL_SECRET_KEY:
        yield
        return
    with served_while_needed(
        lambda: beacon_server(local_beacon(), port=url_port(settings.BEACON_URL))
    ):
        yield
