"""Migrate and load the demo data in one process: Django and Wagtail take seconds to import,
so `make demo` starts once instead of twice."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Apply migrations, then load the demo data (both idempotent)."

    def handle(self, *args, **options) -> None:
        call_command("migrate", interactive=False, verbosity=options["verbosity"])
        call_command("seed_demo", stdout=self.stdout, verbosity=options["verbosity"])
        # The demo's rows were written in bulk; the search index starts complete, not as the
        # worker catches up.
        call_command("search_rebuild", stdout=self.stdout, verbosity=options["verbosity"])
