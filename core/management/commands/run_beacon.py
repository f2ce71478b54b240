"""Serve the demo's randomness beacon: `python manage.py run_beacon [--port 8731]`."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.beacon import local_beacon
from core.beacon_server import beacon_port, beacon_server


class Command(BaseCommand):
    help = (
        "Serve the local randomness beacon (drand's HTTP API, quicknet's scheme) on 127.0.0.1 "
        "for the demo; production reads drand's public chain instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port", type=int, default=None, help="the port to listen on (default: BEACON_URL's)"
        )

    def handle(self, *args, port: int | None, **options) -> None:
        try:
            beacon = local_beacon()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        if port is None:
            port = beacon_port(settings.BEACON_URL)
        try:
            server = beacon_server(beacon, port=port)
        except OSError as error:
            raise CommandError(f"Cannot listen on 127.0.0.1:{port}: {error}") from error
        host, bound_port = server.socket.getsockname()[:2]
        chain = beacon.chain()
        self.stdout.write(
            f"Local beacon {chain.chain_hash} on http://{host}:{bound_port}/ "
            f"(a round every {chain.period} s since {chain.genesis.isoformat()})"
        )
        self.stdout.flush()  # honcho reads a pipe: show the line now, not at exit
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
