"""Re-check a request's draw from public data: `python manage.py verify_draw ZJCG-2026-0001`."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from market.models import PurchaseRequest
from market.verification import verify_request_draw


class Command(BaseCommand):
    help = "Recompute a purchase request's draw from public data and say whether it matches."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("number", help="the notice number, e.g. ZJCG-2026-0001")
        parser.add_argument("--json", action="store_true", help="print the draw record as JSON")

    def handle(self, *args, number: str, json: bool, **options) -> None:
        purchase_request = PurchaseRequest.objects.filter(number=number).first()
        if purchase_request is None:
            raise CommandError(f"No purchase request numbered {number}.")
        check = verify_request_draw(purchase_request)
        if json and check.record is not None:
            self.stdout.write(check.record.to_json())
        if check.ok:
            result = check.record.result
            self.stdout.write(
                self.style.SUCCESS(
                    f"{number}: the draw matches ({check.record.method}; "
                    f"winner {result.get('winner') or result.get('shortlist')})."
                )
            )
            return
        for problem in check.result.problems:
            self.stderr.write(f"  - {problem}")
        raise CommandError(f"{number}: the draw does NOT match.")
