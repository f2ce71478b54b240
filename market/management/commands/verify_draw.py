"""Re-check a request's draw from public data: `python manage.py verify_draw ZJCG-2026-0001`.
Exit 0 when the public record is consistent — a draw that matches, or a request that had no
draw and says why; exit 1 on any problem."""

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from market.models import PurchaseRequest
from market.verification import verify_request_draw


class Command(BaseCommand):
    help = "Recompute a purchase request's draw from public data and say whether it matches."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("number", help="the notice number, e.g. ZJCG-2026-0001")
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help="print the verification document as JSON",
        )

    def handle(self, *args, number: str, as_json: bool, **options) -> None:
        purchase_request = PurchaseRequest.objects.filter(number=number).first()
        if purchase_request is None or purchase_request.published_at is None:
            raise CommandError(f"No published purchase request numbered {number}.")
        check = verify_request_draw(purchase_request)
        if as_json:
            self.stdout.write(json.dumps(check.document, ensure_ascii=False, indent=2))
        for note in check.report.notes:
            self.stdout.write(f"  ({note})")
        if check.ok:
            self.stdout.write(self.style.SUCCESS(f"{number}: {check.report.outcome}"))
            return
        for _code, problem in check.report.problems:
            self.stderr.write(f"  - {problem}")
        raise CommandError(f"{number}: the draw does NOT match.")
