"""Reads for the roster: the public list and page of an agency, and its own self-service
pages. Each returns a queryset with its relations already fetched."""

from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from accounts.models import Organisation, Role, User
from agencies.models import (
    Affiliation,
    Agency,
    AgencyServiceScope,
    AgencyStatusEvent,
    Practitioner,
    Qualification,
    StaffRegisterEntry,
)
from catalogue.models import QualificationType, ServiceItem
from catalogue.selectors import service_item_published

# Shown on the public roster: only active agencies may be chosen.
LISTED_STATUSES = (Agency.Status.ACTIVE,)
# An agency's public page stays up once it has been admitted, so a suspension or an exit
# remains visible with its reason; an application never admitted (pending, returned for
# correction) has no public page.
PUBLIC_PAGE_STATUSES = (Agency.Status.ACTIVE, Agency.Status.SUSPENDED, Agency.Status.EXITED)

SORT_NAME = "name"
SORT_ACTIVITY = "activity"
SORT_CREDIT = "credit"
SORTS = (SORT_NAME, SORT_ACTIVITY, SORT_CREDIT)


def _valid_qualifications() -> QuerySet[Qualification]:
    today = timezone.localdate()
    return Qualification.objects.filter(
        status=Qualification.Status.VERIFIED,
        expired=False,
        valid_from__lte=today,
        valid_to__gte=today,
    ).select_related("qualification_type")


def agency_public_list(
    *,
    service_item_id: int | None = None,
    qualification_type_id: int | None = None,
    region: str = "",
    sort: str = SORT_NAME,
) -> QuerySet[Agency]:
    """Active agencies, optionally only those with an item in scope, a valid certificate of a
    qualification type, or in a region. Sorted by name, by activity (the most recent of the
    activation and the last change the agency made to its record, newest first), or by
    credit score, highest first."""
    # Always true of an agency; said so that the database walks the organisations' (kind,
    # name) index in name order and stops after a page, instead of sorting every agency.
    agencies = Agency.objects.filter(
        status__in=LISTED_STATUSES, organisation__kind=Organisation.Kind.AGENCY
    )
    if service_item_id:
        agencies = agencies.filter(
            Exists(
                AgencyServiceScope.objects.filter(
                    agency=OuterRef("pk"), service_item_id=service_item_id, in_scope=True
                )
            )
        )
    if qualification_type_id:
        agencies = agencies.filter(
            Exists(
                _valid_qualifications().filter(
                    agency=OuterRef("pk"), qualification_type_id=qualification_type_id
                )
            )
        )
    if region:
        agencies = agencies.filter(organisation__region=region)
    agencies = (
        agencies.select_related("organisation")
        .annotate(
            # A correlated subquery, not a join and GROUP BY: it is computed only for the
            # page of rows shown, so the roster costs the same with 30 agencies or 30 000.
            scope_count=Coalesce(
                Subquery(
                    AgencyServiceScope.objects.filter(agency=OuterRef("pk"), in_scope=True)
                    .values("agency")
                    .annotate(count=Count("pk"))
                    .values("count")
                ),
                0,
            ),
            last_activity=Greatest(Coalesce("activated_at", "updated_at"), "updated_at"),
        )
        .prefetch_related(
            Prefetch(
                "qualifications",
                queryset=_valid_qualifications().order_by("qualification_type__name"),
                to_attr="valid_qualifications",
            )
        )
    )
    if sort == SORT_ACTIVITY:
        return agencies.order_by("-last_activity", "organisation__name", "pk")
    if sort == SORT_CREDIT:
        return agencies.order_by("-credit_score", "organisation__name", "pk")
    return agencies.order_by("organisation__name", "pk")


def agency_roster_regions() -> list[str]:
    """The regions of active agencies, for the roster's filter: collected at most once a
    minute, since it reads every agency (a new region shows in the filter within a minute)."""

    def collect() -> list[str]:
        return list(
            Organisation.objects.filter(agency__status__in=LISTED_STATUSES)
            .exclude(region="")
            .order_by("region")
            .values_list("region", flat=True)
            .distinct()
        )

    # A cache that is down answers nothing (it misses rather than fails): collect now.
    return cache.get_or_set("roster:regions", collect, 60) or collect()


def roster_filter_choices() -> dict:
    """The catalogue items and qualification types the roster can be filtered by."""
    return {
        "service_items": service_item_published().select_related(None).only("pk", "code", "name"),
        "qualification_types": QualificationType.objects.only("pk", "name").order_by("name"),
        "regions": agency_roster_regions(),
    }


def _status_events() -> QuerySet[AgencyStatusEvent]:
    return AgencyStatusEvent.objects.prefetch_related("cited_qualifications").order_by(
        "-created_at", "-pk"
    )


def _scope_rows() -> QuerySet[AgencyServiceScope]:
    return (
        AgencyServiceScope.objects.filter(in_scope=True)
        .select_related("service_item__approval_department")
        .order_by("service_item__code")
    )


def agency_public_detail(*, organisation_id: int) -> Agency:
    """An agency's public page: certificates (without scans), active practitioners, items in
    scope with its commitments, and its status history.

    Raises Agency.DoesNotExist for an agency never admitted to the roster."""
    return (
        Agency.objects.filter(status__in=PUBLIC_PAGE_STATUSES)
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "qualifications",
                queryset=Qualification.objects.select_related("qualification_type")
                .prefetch_related("status_events")
                .order_by("qualification_type__name", "-valid_to"),
            ),
            Prefetch(
                "practitioners",
                queryset=Practitioner.objects.filter(active=True).order_by("role", "name"),
            ),
            Prefetch("scope", queryset=_scope_rows(), to_attr="scope_in_force"),
            Prefetch("status_events", queryset=_status_events()),
            Prefetch(
                "affiliations",
                queryset=Affiliation.objects.select_related("department").order_by(
                    F("ended_at").desc(nulls_first=True), "-created_at"
                ),
            ),
        )
        .get(organisation_id=organisation_id)
    )


def agency_for_member(*, user: User) -> Agency | None:
    """The roster entry of the user's own organisation, if it is an agency that has one and
    the user is one of its people (a superuser put into it is not: accounts/permissions.py)."""
    if not user.is_authenticated or user.role != Role.AGENCY or user.organisation_id is None:
        return None
    return (
        Agency.objects.select_related("organisation")
        .filter(organisation_id=user.organisation_id)
        .first()
    )


def agency_overview(*, agency: Agency) -> Agency:
    """The agency with what its own overview page shows: status history and counts."""
    return (
        Agency.objects.select_related("organisation")
        .annotate(
            # A correlated subquery, not a join and GROUP BY: it is computed only for the
            # page of rows shown, so the roster costs the same with 30 agencies or 30 000.
            scope_count=Coalesce(
                Subquery(
                    AgencyServiceScope.objects.filter(agency=OuterRef("pk"), in_scope=True)
                    .values("agency")
                    .annotate(count=Count("pk"))
                    .values("count")
                ),
                0,
            ),
            qualification_count=Count("qualifications", distinct=True),
            practitioner_count=Count(
                "practitioners", filter=Q(practitioners__active=True), distinct=True
            ),
            affiliation_count=Count(
                "affiliations", filter=Q(affiliations__ended_at__isnull=True), distinct=True
            ),
        )
        .prefetch_related(
            Prefetch("status_events", queryset=_status_events().select_related("actor"))
        )
        .get(pk=agency.pk)
    )


def qualification_list_for_agency(*, agency: Agency) -> QuerySet[Qualification]:
    return (
        Qualification.objects.filter(agency=agency)
        .select_related("qualification_type")
        .prefetch_related("status_events")
    )


def practitioner_list_for_agency(*, agency: Agency) -> QuerySet[Practitioner]:
    return Practitioner.objects.filter(agency=agency, active=True).order_by("role", "name")


def affiliation_list_for_agency(*, agency: Agency) -> QuerySet[Affiliation]:
    """Every tie, current first, ended ones kept for the record (R4)."""
    return (
        Affiliation.objects.filter(agency=agency)
        .select_related("department", "ended_by")
        .order_by(F("ended_at").desc(nulls_first=True), "-created_at")
    )


def scope_list_for_agency(*, agency: Agency) -> QuerySet[AgencyServiceScope]:
    return _scope_rows().filter(agency=agency)


def service_item_qualifying_agency_count(*, service_item: ServiceItem) -> int:
    """How many active agencies may serve the item now (one query)."""
    return AgencyServiceScope.objects.filter(
        service_item=service_item, in_scope=True, agency__status=Agency.Status.ACTIVE
    ).count()


def qualifications_to_verify() -> QuerySet[Qualification]:
    """Certificates awaiting a regulator's verification, the oldest deadline first."""
    return (
        Qualification.objects.filter(status=Qualification.Status.PENDING)
        .select_related("agency__organisation", "qualification_type")
        .order_by(F("verification_due").asc(nulls_last=True), "pk")
    )


def agencies_with_staff_register_matches() -> QuerySet[Agency]:
    """Agencies on the roster employing someone on the register of serving government staff
    (R4): they are not eligible for anything until it is resolved, and regulators follow them
    up."""
    on_register = Practitioner.objects.filter(
        agency=OuterRef("pk"),
        active=True,
        id_number_hash__in=StaffRegisterEntry.objects.values("id_number_hash"),
    )
    return (
        Agency.objects.filter(status__in=[Agency.Status.ACTIVE, Agency.Status.SUSPENDED])
        .filter(Exists(on_register))
        .select_related("organisation")
        .order_by("organisation__name")
    )
