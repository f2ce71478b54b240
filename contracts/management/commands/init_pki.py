"""Make the demo's certificate authority: `python manage.py init_pki [--force]`."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from contracts.pki import init_pki


class Command(BaseCommand):
    help = (
        "Make the platform's certificate authority in PKI_DIR: the root certificate, the "
        "timestamp authority's certificate and the first revocation list. What exists is kept; "
        "--force makes a new root, after which every certificate issued under the old one is "
        "worthless and organisations get new ones."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="replace an existing CA with a new one"
        )

    def handle(self, *args, force: bool, **options) -> None:
        try:
            report = init_pki(force=force)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        for line in report.made:
            self.stdout.write(f"made {line}")
        for line in report.kept:
            self.stdout.write(f"kept {line}")
        if not report.made:
            self.stdout.write("The certificate authority already exists; nothing was changed.")
        self.stdout.write(f"CA: {report.ca_subject}")
        self.stdout.write(f"CA SHA-256 fingerprint: {report.ca_fingerprint}")
