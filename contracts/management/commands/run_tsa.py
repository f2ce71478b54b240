"""Serve the demo's timestamp authority: `python manage.py run_tsa [--port 8732]`."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from contracts.tsa import local_authority
from contracts.tsa_server import tsa_port, tsa_server


class Command(BaseCommand):
    help = (
        "Serve the local RFC 3161 timestamp authority (PKI_DIR's TSA certificate) on 127.0.0.1 "
        "for the demo; production asks the real TSA at TSA_URL instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port", type=int, default=None, help="the port to listen on (default: TSA_URL's)"
        )

    def handle(self, *args, port: int | None, **options) -> None:
        try:
            authority = local_authority()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        if port is None:
            port = tsa_port(settings.TSA_URL)
        try:
            server = tsa_server(authority, port=port)
        except OSError as error:
            raise CommandError(f"Cannot listen on 127.0.0.1:{port}: {error}") from error
        host, bound_port = server.socket.getsockname()[:2]
        self.stdout.write(
            f"Local timestamp authority on http://{host}:{bound_port}/ "
            f"({authority.certificate.subject.human_friendly})"
        )
        self.stdout.flush()  # honcho reads a pipe: show the line now, not at exit
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
