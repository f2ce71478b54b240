from django.db.models import Count, QuerySet
from wagtail.search.backends import get_search_backend

from accounts.models import Organisation
from core.search import query_tokens
from market.models import Project, PurchaseRequest, ServiceItem


def service_item_public_list(*, query: str = "", department_id: int | None = None):
    """Published catalogue items, optionally searched (Chinese-aware) and filtered.

    Returns a queryset, or Wagtail search results when there is a query; both paginate alike.
    """
    items = ServiceItem.objects.filter(status=ServiceItem.Status.PUBLISHED)
    if department_id:
        items = items.filter(approval_department_id=department_id)
    items = items.select_related("approval_department").order_by("code")
    if query.strip():
        return get_search_backend().search(
            query_tokens(query), items, operator="and", order_by_relevance=False
        )
    return items


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
