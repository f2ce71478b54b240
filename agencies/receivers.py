"""The roster's answers to what happens below it and to its own committed changes, connected in
AgenciesConfig.ready(). Mail goes out through Celery."""

from agencies import tasks
from agencies.services.scope import scopes_recompute_for_item
from agencies.services.status import review_dues_recompute
from core.outbox import enqueue


def service_item_requirements_changed(sender, *, service_item, **kwargs) -> None:
    """Who may serve an item follows from its requirements and department (R3, R4)."""
    scopes_recompute_for_item(service_item=service_item)


def agency_status_changed(sender, *, event, **kwargs) -> None:
    enqueue(tasks.agency_status_notify, event.pk)


def qualification_expiring(sender, *, qualification_pk, threshold, days_left, **kwargs) -> None:
    enqueue(tasks.qualification_expiry_notify, qualification_pk, threshold, days_left)


def calendar_year_confirmed(sender, *, year, **kwargs) -> None:
    review_dues_recompute(year=year)
