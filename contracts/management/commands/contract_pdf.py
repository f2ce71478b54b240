"""Write a contract's stored PDF to a file, for operators:
`python manage.py contract_pdf ZJHT-2025-0001 [--version N] --out contract.pdf`."""

import hashlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from contracts.models import Contract, ContractVersion


class Command(BaseCommand):
    help = (
        "Write the stored PDF of a contract's version (the latest unless --version is given) "
        "to a file, exactly as the platform keeps it: with every signature it has so far. The "
        "file's SHA-256 is checked against the one recorded."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs) -> CommandParser:
        # Django's own --version (the framework's version) gives way to the contract's.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("number", help="the contract number, e.g. ZJHT-2025-0001")
        parser.add_argument(
            "--version",
            type=int,
            dest="version_number",
            metavar="N",
            help="the version (1 is the contract)",
        )
        parser.add_argument(
            "--out", required=True, type=Path, metavar="FILE", help="the file to write"
        )
        parser.add_argument("--force", action="store_true", help="overwrite the file if it exists")

    def handle(
        self, *args, number: str, version_number: int | None, out: Path, force: bool, **options
    ) -> None:
        contract = Contract.objects.filter(number=number).first()
        if contract is None:
            raise CommandError(f"No contract has the number {number!r}.")
        versions = ContractVersion.objects.filter(contract=contract).defer("text")
        if version_number is None:
            version = versions.order_by("-number").first()
        else:
            version = versions.filter(number=version_number).first()
        if version is None:
            known = ", ".join(str(n) for n in versions.values_list("number", flat=True))
            raise CommandError(
                f"Contract {number} has no version {version_number}; "
                f"its versions are: {known or 'none'}."
            )
        if not version.pdf or not version.pdf_sha256:
            raise CommandError(
                f"Version {version.number} of contract {number} has no PDF yet (still rendering)."
            )
        with version.pdf.open("rb") as handle:
            data = handle.read()
        digest = hashlib.sha256(data).hexdigest()
        if digest != version.pdf_sha256:
            raise CommandError(
                f"The stored file of {number} version {version.number} does not match its "
                f"recorded SHA-256 ({version.pdf_sha256}); it was changed outside the platform. "
                "Nothing was written."
            )
        if out.exists() and not force:
            raise CommandError(f"{out} exists; give --force to overwrite it.")
        try:
            out.write_bytes(data)
        except OSError as error:
            raise CommandError(f"Cannot write {out}: {error}") from error
        signed = version.signatures.count()
        self.stdout.write(
            f"Wrote {out}: contract {number}, version {version.number}, {len(data)} bytes, "
            f"{signed} signature(s), SHA-256 {digest}."
        )
