"""The pages that need every layer: each role's workspace."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Min, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.models import Role
from accounts.selectors import organisation_counts
from agencies.restrictions import bar_reasons
from agencies.selectors import agencies_with_staff_register_matches, qualifications_to_verify
from agencies.services.review import ReviewCountdown, agencies_for_review
from catalogue.selectors import service_item_list_for_department
from contracts.selectors import delivery_metrics
from core.pagination import paginate
from core.services import calendar_warning
from core.workdays import workdays_between
from credit.selectors import regulator_queues
from market.models import Objection, PurchaseRequest
from market.selectors import (
    fee_splitting_patterns,
    invitation_unread_count,
    project_classifications_pending,
    project_list_for_owner,
    purchase_request_list_for_owner,
    purchase_requests_ever_published,
    quotes_outside_reference_range,
)


@dataclass(frozen=True)
class Queue:
    """A regulator's queue on the workspace: how much waits, and the nearest deadline."""

    count: int
    nearest: ReviewCountdown | None = None


def _queue(queryset: QuerySet, due_field: str) -> Queue:
    """One aggregate query (and the working-day calendar's, when something is due), however
    long the queue."""
    found = queryset.order_by().aggregate(count=Count("pk"), nearest=Min(due_field))
    due: datetime.date | None = found["nearest"]
    if due is None:
        return Queue(found["count"])
    between = workdays_between(timezone.localdate(), due)
    return Queue(
        found["count"],
        ReviewCountdown(due=due, days_left=max(between, 0), days_overdue=max(-between, 0)),
    )


def _regulator_queues() -> dict[str, Queue]:
    return {
        "agencies": _queue(agencies_for_review(), "review_due"),
        "certificates": _queue(qualifications_to_verify(), "verification_due"),
        "objections": Queue(Objection.objects.filter(status=Objection.Status.PENDING).count()),
        "purchase_requests": Queue(
            purchase_requests_ever_published()
            .filter(status__in=(PurchaseRequest.Status.PUBLISHED, PurchaseRequest.Status.QUOTING))
            .count()
        ),
    }


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    """Each role's starting page after signing in."""
    role = request.user.role
    organisation = request.user.organisation
    context: dict = {"organisation": organisation, "role": role}
    if role == Role.PROJECT_OWNER:
        context["projects"] = project_list_for_owner(owner=organisation)
        context["page"] = paginate(request, purchase_request_list_for_owner(owner=organisation))
    elif role == Role.APPROVAL_DEPARTMENT:
        context["page"] = paginate(
            request, service_item_list_for_department(department=organisation)
        )
        context["classifications_pending"] = project_classifications_pending(
            department=organisation
        ).count()
        context["delivery_record"] = delivery_metrics(department=organisation)
    elif role == Role.AGENCY:
        # An agency's primary key is its organisation's.
        context["unread_invitation_count"] = invitation_unread_count(agency_id=organisation.pk)
        agency = getattr(organisation, "agency", None)
        # Why the agency may quote for nothing, if it may not (the blacklist, a banned person).
        context["bar_reasons"] = bar_reasons(agency) if agency else []
    elif role == Role.REGULATOR:
        context["queues"] = _regulator_queues()
        context["organisation_counts"] = organisation_counts()
        context["outside_range"] = quotes_outside_reference_range()
        context["fee_splitting"] = fee_splitting_patterns()
        context["calendar_year_missing"] = calendar_warning()
        context["staff_register_matches"] = agencies_with_staff_register_matches()
        context["delivery_record"] = delivery_metrics()
        context["credit_queues"] = regulator_queues()
    elif role is None:
        return redirect("wagtailadmin_home")
    return render(request, f"cms/workspace_{role.value}.html", context)
