"""Reads of the service catalogue: the public list and page of an item, its versions and the
public adjustment log (R1). Each returns a queryset with its relations already fetched."""

from django.db.models import Prefetch, QuerySet

from accounts.models import Organisation
from catalogue.models import QualificationRequirement, ServiceItem, ServiceItemVersion
from core.search import parse_query, search


def service_item_search(items: QuerySet[ServiceItem], query: str):
    """`items` searched for `query` (Chinese-aware, every pair of characters must match, with
    the synonyms regulators keep), in their own order; `items` unchanged when the query is
    blank. Returns search results, which paginate like a queryset."""
    parsed = parse_query(query)
    if parsed.is_empty:
        return items
    return search(items, parsed.search_query(), order_by_relevance=False)


def service_item_published() -> QuerySet[ServiceItem]:
    """The items in the public catalogue now, by code, with their department."""
    return (
        ServiceItem.objects.filter(status=ServiceItem.Status.PUBLISHED)
        .select_related("approval_department")
        .order_by("code")
    )


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
