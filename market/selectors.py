import datetime

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from wagtail.search.backends import get_search_backend

from accounts.models import Organisation
from agencies.models import Affiliation, Agency, AgencyServiceScope
from core.search import query_tokens
from market.models import (
    FeeMode,
    Invitation,
    Project,
    PurchaseRequest,
    QualificationRequirement,
    Quote,
    RegionalAssessment,
    ServiceItem,
    ServiceItemVersion,
)


def service_item_public_list(
    *, query: str = "", department_id: int | None = None, fee_mode: str = ""
):
    """Published catalogue items, optionally searched (Chinese-aware) and filtered by
    department and fee mode.

    Returns a queryset, or Wagtail search results when there is a query; both paginate alike.
    """
    items = ServiceItem.objects.filter(status=ServiceItem.Status.PUBLISHED)
    if department_id:
        items = items.filter(approval_department_id=department_id)
    if fee_mode in FeeMode.values:
        items = items.filter(fee_mode=fee_mode)
    items = items.select_related("approval_department").order_by("code")
    if query.strip():
        return get_search_backend().search(
            query_tokens(query), items, operator="and", order_by_relevance=False
        )
    return items


def service_item_public_detail(*, code: str) -> ServiceItem:
    """A published or retired item with its department and requirements; drafts are not
    public. Raises ServiceItem.DoesNotExist."""
    return (
        ServiceItem.objects.exclude(status=ServiceItem.Status.DRAFT)
        .select_related("approval_department")
        .prefetch_related(
            Prefetch(
                "requirements",
                queryset=QualificationRequirement.objects.select_related("qualification_type"),
            )
        )
        .get(code=code)
    )


def service_item_qualifying_agency_count(*, service_item: ServiceItem) -> int:
    """How many active agencies may serve the item now (one query)."""
    return AgencyServiceScope.objects.filter(
        service_item=service_item, in_scope=True, agency__status=Agency.Status.ACTIVE
    ).count()


def service_item_version_list(*, service_item: ServiceItem) -> QuerySet[ServiceItemVersion]:
    return service_item.versions.order_by("-effective_date", "-number")


def catalogue_adjustment_list() -> QuerySet[ServiceItemVersion]:
    """The public adjustment log (R1): every version of every item, scheduled ones
    included, newest first."""
    return (
        ServiceItemVersion.objects.exclude(service_item__status=ServiceItem.Status.DRAFT)
        .select_related("service_item")
        .order_by("-effective_date", "-number", "-pk")
    )


def service_item_list_for_department(*, department: Organisation) -> QuerySet[ServiceItem]:
    return ServiceItem.objects.filter(approval_department=department).order_by("code")


def project_list_for_owner(*, owner: Organisation) -> QuerySet[Project]:
    return (
        Project.objects.filter(owner=owner)
        .annotate(request_count=Count("requests"))
        .order_by("-created_at")
    )


def purchase_request_list_for_owner(*, owner: Organisation) -> QuerySet[PurchaseRequest]:
    return (
        PurchaseRequest.objects.filter(project__owner=owner)
        .select_related("project", "service_item")
        .order_by("-created_at")
    )


def eligible_agencies(*, request: PurchaseRequest) -> QuerySet[Agency]:
    """The agencies that may quote, computed and never chosen by hand: active, qualified for
    the item (their computed scope, R3), not excluded by the owner, and not tied to the item's
    approval department (R4 — the scope already leaves those out; checked again here so a
    tie declared since the last recompute still counts)."""
    item = request.service_item
    return (
        Agency.objects.filter(
            status=Agency.Status.ACTIVE,
            scope__service_item=item,
            scope__in_scope=True,
        )
        .exclude(pk__in=request.exclusions.values("agency_id"))
        .exclude(
            pk__in=Affiliation.objects.filter(department_id=item.approval_department_id).values(
                "agency_id"
            )
        )
        .select_related("organisation")
        .order_by("organisation__credit_code")
    )


def regional_assessment_covering(
    *, request: PurchaseRequest, on: datetime.date
) -> RegionalAssessment | None:
    """The regional assessment that makes buying this service unnecessary (R8), or None."""
    kind = request.service_item.regional_assessment_kind
    if not kind or request.project.is_special_or_major:
        return None
    candidates = RegionalAssessment.objects.filter(
        region=request.project.region, valid_from__lte=on, valid_to__gte=on
    ).order_by("-valid_from")
    return next((assessment for assessment in candidates if kind in assessment.kinds), None)


def notice_public_list(
    *,
    service_item_id: int | None = None,
    department_id: int | None = None,
    method: str = "",
    status: str = "",
) -> QuerySet[PurchaseRequest]:
    """Published notices — purchase, award, failure, cancellation — newest first."""
    notices = PurchaseRequest.objects.exclude(status=PurchaseRequest.Status.DRAFT)
    if service_item_id:
        notices = notices.filter(service_item_id=service_item_id)
    if department_id:
        notices = notices.filter(service_item__approval_department_id=department_id)
    if method:
        notices = notices.filter(selection_method=method)
    if status:
        notices = notices.filter(status=status)
    return notices.select_related(
        "project", "service_item__approval_department", "winner__organisation"
    ).order_by("-published_at", "-pk")


def notice_public_detail(*, number: str) -> PurchaseRequest:
    """Raises PurchaseRequest.DoesNotExist for unknown numbers and drafts (not public)."""
    return PurchaseRequest.objects.select_related(
        "project__owner", "service_item__approval_department", "winner__organisation"
    ).get(number=number, status__in=[s for s in PurchaseRequest.Status.values if s != "draft"])


def notice_opened_quotes(*, request: PurchaseRequest) -> QuerySet[Quote]:
    """The quotes as published at opening — never before (sealed)."""
    if request.is_sealed or request.opened_at is None:
        return Quote.objects.none()
    return (
        Quote.objects.filter(request=request, status=Quote.Status.SUBMITTED)
        .select_related("agency__organisation")
        .prefetch_related("members__agency__organisation")
        .order_by("opened_amount", "pk")
    )


def invitation_list_for_agency(*, agency: Agency) -> QuerySet[Invitation]:
    """The agency's invitations, newest first, each with its own quote's status (if any)."""
    own_quote = Quote.objects.filter(request=OuterRef("request"), agency=agency)
    return (
        Invitation.objects.filter(agency=agency)
        .select_related("request__project", "request__service_item")
        .annotate(
            quote_status=Subquery(own_quote.values("status")[:1]),
            quote_revision=Subquery(own_quote.values("revision")[:1]),
        )
        .order_by("-created_at", "-pk")
    )


def invitation_unread_count(*, agency_id: int) -> int:
    """How many invitations the agency has not opened yet (its in-app inbox)."""
    return Invitation.objects.filter(agency_id=agency_id, read_at__isnull=True).count()
