"""Re-check the whole transparency log: `python manage.py verify_log`, and with
`--checkpoint kept.json` also that today's log still extends a checkpoint someone kept."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.transparency import verify_kept_checkpoint, verify_log


class Command(BaseCommand):
    help = (
        "Recompute every leaf hash, checkpoint root and signature, the consistency of "
        "successive checkpoints and every entry's inclusion; exit 1 on any problem."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoint",
            type=Path,
            help="a checkpoint saved from /transparency/checkpoint.json, to check against today",
        )

    def handle(self, *args, checkpoint: Path | None, **options) -> None:
        report = verify_log()
        problems = list(report.problems)
        if checkpoint is not None:
            try:
                kept = json.loads(checkpoint.read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                raise CommandError(f"Cannot read {checkpoint}: {error}") from None
            problems += verify_kept_checkpoint(kept)
        for problem in problems:
            self.stderr.write(f"  - {problem}")
        if problems:
            raise CommandError(f"The log does NOT verify: {len(problems)} problem(s).")
        self.stdout.write(
            self.style.SUCCESS(
                f"The log verifies: {report.size} entries, {report.checkpoints} checkpoints."
            )
        )
