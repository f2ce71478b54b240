"""Which catalogue items an agency may serve: computed, never declared (R3, R4).

An agency qualifies for a published item when it holds, valid today, every qualification of
at least one of the item's alternatives at or above the minimum grade, and it has declared no
affiliation with the item's approval department (R4). Rows that fall out of scope are kept
with `in_scope=False`, so an agency that renews a certificate finds its committed time limit
and fee policy as it left them."""

import datetime
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, AgencyServiceScope, Qualification
from agencies.signals import agency_eligibility_changed
from catalogue.models import ServiceItem
from core.search import index_queue


def _held(qualifications: list[Qualification], today: datetime.date) -> list[tuple[int, str]]:
    # Only certificates a regulator verified count (R3: an agency cannot certify itself).
    # Dates are compared here as well as by the daily expiry task, so a task that ran late
    # never lets an expired certificate count.
    return [
        (qualification.qualification_type_id, qualification.grade)
        for qualification in qualifications
        if qualification.status == Qualification.Status.VERIFIED
        and not qualification.expired
        and qualification.valid_from <= today <= qualification.valid_to
    ]


def _qualifies(item: ServiceItem, held: list[tuple[int, str]]) -> bool:
    alternatives = defaultdict(list)
    for requirement in item.requirements.all():
        alternatives[requirement.alternative].append(requirement)
    if not alternatives:
        return True
    return any(
        all(
            any(
                type_id == requirement.qualification_type_id
                and requirement.qualification_type.satisfies(
                    held_grade=grade, minimum_grade=requirement.minimum_grade
                )
                for type_id, grade in held
            )
            for requirement in group
        )
        for group in alternatives.values()
    )


def _published_items():
    return ServiceItem.objects.filter(status=ServiceItem.Status.PUBLISHED).prefetch_related(
        "requirements__qualification_type"
    )


def qualifying_item_ids(
    *, agency: Agency, items: list[ServiceItem], today: datetime.date
) -> set[int]:
    held = _held(list(agency.qualifications.all()), today)
    blocked_departments = {
        affiliation.department_id
        for affiliation in agency.affiliations.all()
        if affiliation.is_current
    }
    return {
        item.pk
        for item in items
        if item.approval_department_id not in blocked_departments and _qualifies(item, held)
    }


def _apply(agency: Agency, wanted: set[int], scoped_items: set[int] | None = None) -> None:
    """Make the agency's rows say `wanted`; with `scoped_items`, touch only those items."""
    existing = {row.service_item_id: row for row in agency.scope.all()}
    to_create = [
        AgencyServiceScope(agency=agency, service_item_id=item_id)
        for item_id in wanted - existing.keys()
    ]
    AgencyServiceScope.objects.bulk_create(to_create)
    changed = bool(to_create)
    for item_id, row in existing.items():
        if scoped_items is not None and item_id not in scoped_items:
            continue
        in_scope = item_id in wanted
        if row.in_scope != in_scope:
            row.in_scope = in_scope
            row.save(update_fields=["in_scope", "updated_at"])
            changed = True
    if changed:
        # The agency is found by the names of the items it serves (Agency.search_tokens).
        index_queue(Agency, agency.pk)


@transaction.atomic
def agency_scope_recompute(*, agency: Agency, today: datetime.date | None = None) -> set[int]:
    """Recompute one agency's scope after its qualifications or affiliations changed.
    Returns the ids of the items in scope."""
    today = today or timezone.localdate()
    agency = Agency.objects.prefetch_related("qualifications", "affiliations", "scope").get(
        pk=agency.pk
    )
    wanted = qualifying_item_ids(agency=agency, items=list(_published_items()), today=today)
    _apply(agency, wanted)
    eligibility_changed(agency_id=agency.pk)
    return wanted


def eligibility_changed(*, agency_id: int) -> None:
    """Announce, once the transaction commits, that the agency's eligibility must be asked
    again (market re-checks its open quotes)."""
    agency_eligibility_changed.send_after_commit(Agency, agency_id=agency_id)


@transaction.atomic
def scopes_recompute_for_item(
    *, service_item: ServiceItem, today: datetime.date | None = None
) -> None:
    """Recompute every agency's scope for one item, after the item was published, retired or
    its requirements or department changed."""
    today = today or timezone.localdate()
    items = list(_published_items().filter(pk=service_item.pk))
    agencies = Agency.objects.prefetch_related("qualifications", "affiliations", "scope")
    for agency in agencies:
        wanted = qualifying_item_ids(agency=agency, items=items, today=today)
        _apply(agency, wanted, scoped_items={service_item.pk})
