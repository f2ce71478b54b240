import datetime

from django.db.models import Count, OuterRef, QuerySet, Subquery

from accounts.models import Organisation
from agencies.models import Affiliation, Agency
from market.models import (
    Invitation,
    Project,
    PurchaseRequest,
    Quote,
    RegionalAssessment,
)


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
