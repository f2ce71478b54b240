"""Hand the broker the work that waited for it: `python manage.py outbox_relay`. The beat
entry `outbox-relay` does the same every 15 seconds; this is for an operator who wants it now,
or a deployment without beat."""

from django.core.management.base import BaseCommand

from core.outbox import backlog, relay_waiting


class Command(BaseCommand):
    help = (
        "Relay waiting outbox messages to the Celery broker; say how many went and how many wait."
    )

    def handle(self, *args, **options) -> None:
        relayed = relay_waiting()
        left = backlog()
        self.stdout.write(f"relayed {relayed}; waiting {left['waiting']}")
