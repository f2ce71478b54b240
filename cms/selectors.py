from django.db.models import Count, Q

from accounts.models import Organisation
from accounts.selectors import organisation_counts
from agencies.models import Agency
from catalogue.models import RegionalAssessmentKind, ServiceItem
from market.selectors import purchase_requests_ever_published


def home_page_figures() -> dict:
    """What the front page shows: a handful of constant-count queries, whatever the data size."""
    published = ServiceItem.objects.filter(status=ServiceItem.Status.PUBLISHED)
    return {
        "organisation_counts": organisation_counts(),
        "active_agency_count": Agency.objects.filter(status=Agency.Status.ACTIVE).count(),
        "service_item_count": published.count(),
        "regional_assessment_items": published.exclude(regional_assessment_kind="")
        .select_related("approval_department")
        .order_by("code"),
        "regional_assessment_kind_count": len(RegionalAssessmentKind.choices),
        "departments": Organisation.objects.filter(kind=Organisation.Kind.APPROVAL_DEPARTMENT)
        .annotate(
            item_count=Count(
                "required_service_items",
                filter=Q(required_service_items__status=ServiceItem.Status.PUBLISHED),
            )
        )
        .order_by("name"),
        "latest_requests": purchase_requests_ever_published()
        .select_related("project", "service_item")
        .order_by("-created_at")[:8],
    }
