"""Bars a higher layer keeps on agencies — the credit system's blacklist and market bans
(R11) — asked here so the roster and the marketplace below it hold them at every decision
without importing it. A layer registers, under AGENCY_BARRED_HOOK, a function returning the
ids of the agencies barred now (a queryset of Agency pks, used as a subquery), and under
AGENCY_BAR_REASONS_HOOK a function returning why one agency is barred (empty if it is not)."""

from django.db.models import QuerySet
from wagtail import hooks

AGENCY_BARRED_HOOK = "agency_barred"
AGENCY_BAR_REASONS_HOOK = "agency_bar_reasons"


def exclude_barred(agencies: QuerySet) -> QuerySet:
    """`agencies` without those barred now: one subquery per registered bar, no extra query."""
    for barred in hooks.get_hooks(AGENCY_BARRED_HOOK):
        agencies = agencies.exclude(pk__in=barred())
    return agencies


def bar_reasons(agency) -> list[str]:
    """Why `agency` is barred now, in words for the agency and the public; empty if it is not."""
    return [
        str(reason)
        for reasons in hooks.get_hooks(AGENCY_BAR_REASONS_HOOK)
        for reason in reasons(agency)
    ]
