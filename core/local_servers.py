"""The small HTTP servers the demo and the tests run on 127.0.0.1 in place of outside services
(the randomness beacon, core/beacon_server.py; the timestamp authority,
contracts/tsa_server.py): how a command serves one, and how a command that needs one before
`make demo` has started it serves it for its own length."""

import contextlib
import threading
from collections.abc import Callable, Iterator
from http.server import HTTPServer
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser


def url_port(url: str) -> int:
    """The port a URL names, or its scheme's."""
    address = urlsplit(url)
    return address.port or (443 if address.scheme == "https" else 80)


@contextlib.contextmanager
def served_while_needed(make_server: Callable[[], HTTPServer]) -> Iterator[None]:
    """Serve `make_server()` in a thread for the length of the block. Nothing starts when its
    port is taken: something (the demo's own process) already serves there."""
    try:
        server = make_server()
    except OSError:
        yield
        return
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


class LocalServerCommand(BaseCommand):
    """`python manage.py run_… [--port N]`: serve one local server in the foreground, on
    127.0.0.1 at the port of the setting `url_setting` unless told another."""

    url_setting: str

    def service(self) -> Any:
        """What the server serves; raises ImproperlyConfigured when it cannot be had."""
        raise NotImplementedError

    def server(self, service: Any, port: int) -> HTTPServer:
        raise NotImplementedError

    def describe(self, service: Any) -> str:
        """What follows the address in the line printed at start."""
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port",
            type=int,
            default=None,
            help=f"the port to listen on (default: {self.url_setting}'s)",
        )

    def handle(self, *args, port: int | None, **options) -> None:
        try:
            service = self.service()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        if port is None:
            port = url_port(getattr(settings, self.url_setting))
        try:
            server = self.server(service, port)
        except OSError as error:
            raise CommandError(f"Cannot listen on 127.0.0.1:{port}: {error}") from error
        host, bound_port = server.socket.getsockname()[:2]
        self.stdout.write(f"{self.describe(service)} on http://{host}:{bound_port}/")
        self.stdout.flush()  # honcho reads a pipe: show the line now, not at exit
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
