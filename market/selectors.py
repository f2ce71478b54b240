from django.db.models import Count, Prefetch, QuerySet
from wagtail.search.backends import get_search_backend

from accounts.models import Organisation
from agencies.models import Agency, AgencyServiceScope
from core.search import query_tokens
from market.models import (
    FeeMode,
    Project,
    PurchaseRequest,
    QualificationRequirement,
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
