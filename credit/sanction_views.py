"""Public and agency pages of the sanctions (R11): the blacklist with the persons banned from
the market and the outcomes of credit repair, public to everyone (naming violators is part of
the rule); and the agency's own violations, with its one appeal and its repair requests. The
services decide who may do what; these pages only find the records."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import allowed
from core.forms import handle_form
from credit.models import BlacklistEntry, RepairRequest, Violation
from credit.sanction_forms import AppealForm, RepairForm
from credit.selectors import blacklist_current
from credit.services.repair import repair_request_submit
from credit.services.violations import violation_appeal

PAGE_SIZE = 20
TABS = ("current", "past", "repairs")


def _entries(queryset):
    return queryset.select_related(
        "agency__organisation", "authority", "violation"
    ).prefetch_related("banned_persons")


def blacklist_page(request: HttpRequest) -> HttpResponse:
    """Three tabs: the entries in force now, those that ended or were lifted, and the
    decided credit repair requests (the decision, never the evidence)."""
    tab = request.GET.get("tab", "current")
    if tab not in TABS:
        tab = "current"
    today = timezone.localdate()
    if tab == "current":
        rows = _entries(blacklist_current(on=today)).order_by("-starts_on", "-pk")
    elif tab == "past":
        rows = _entries(
            BlacklistEntry.objects.filter(Q(lifted_at__isnull=False) | Q(ends_on__lte=today))
        ).order_by("-ends_on", "-pk")
    else:
        rows = (
            RepairRequest.objects.exclude(status=RepairRequest.Status.PENDING)
            .select_related("violation__agency__organisation")
            .order_by("-decided_at", "-pk")
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "credit/sanctions/blacklist.html",
        {"tab": tab, "page": page, "query_string": f"tab={tab}"},
    )


def _own_agency(request: HttpRequest):
    organisation = request.user.organisation
    agency = getattr(organisation, "agency", None) if organisation else None
    if agency is None or not allowed("agencies.view_own_agency", request.user, agency):
        raise Http404
    return agency


@login_required
def violations_mine(request: HttpRequest) -> HttpResponse:
    """The agency's violations, newest first, with what its administrators may do."""
    agency = _own_agency(request)
    violations = (
        Violation.objects.filter(agency=agency)
        .select_related("authority")
        .prefetch_related("repair_requests")
        .order_by("-occurred_on", "-pk")
    )
    page = Paginator(violations, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for violation in page.object_list:
        requests = list(violation.repair_requests.all())
        rows.append(
            {
                "violation": violation,
                "repair_requests": requests,
                "may_appeal": violation.status == Violation.Status.IN_FORCE
                and violation.appealed_at is None,
                "may_repair": violation.status == Violation.Status.IN_FORCE
                and not any(r.status == RepairRequest.Status.PENDING for r in requests),
            }
        )
    return render(
        request,
        "credit/sanctions/violations_mine.html",
        {
            "agency": agency,
            "page": page,
            "rows": rows,
            "acts": allowed("agencies.act_for_agency", request.user, agency),
        },
    )


def _own_violation(request: HttpRequest, pk: int) -> Violation:
    violation = Violation.objects.filter(pk=pk, agency=_own_agency(request)).first()
    if violation is None:
        raise Http404
    return violation


@login_required
def violation_appeal_page(request: HttpRequest, pk: int) -> HttpResponse:
    violation = _own_violation(request, pk)
    form = AppealForm(request.POST or None)
    done = handle_form(
        request,
        form,
        lambda data: violation_appeal(actor=request.user, violation=violation, text=data["text"]),
        success=_("Your appeal is sent; a regulator decides it."),
        redirect_to=lambda appealed: redirect("credit:violations_mine"),
    )
    return done or render(
        request, "credit/sanctions/appeal.html", {"violation": violation, "form": form}
    )


@login_required
def violation_repair_page(request: HttpRequest, pk: int) -> HttpResponse:
    violation = _own_violation(request, pk)
    form = RepairForm(request.POST or None, request.FILES or None)
    done = handle_form(
        request,
        form,
        lambda data: repair_request_submit(
            actor=request.user,
            violation=violation,
            statement=data["statement"],
            evidence=data["evidence"],
        ),
        success=_("Your request for credit repair is sent; a regulator decides it."),
        redirect_to=lambda repair: redirect("credit:violations_mine"),
    )
    return done or render(
        request, "credit/sanctions/repair.html", {"violation": violation, "form": form}
    )
