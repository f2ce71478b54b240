from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts.models import Organisation
from accounts.selectors import organisation_list
from catalogue.models import ServiceItem
from core.pagination import paginate
from market.models import PurchaseRequest, RegionalAssessment, SelectionMethod
from market.selectors import (
    notice_opened_quotes,
    notice_public_detail,
    notice_public_list,
)
from market.services.requests import purchase_request_sync
from market.verification import verify_request_draw


def _int_param(request: HttpRequest, name: str) -> int | None:
    try:
        return int(request.GET.get(name) or 0) or None
    except ValueError:
        return None


def notice_list(request: HttpRequest) -> HttpResponse:
    filters = {
        "service_item_id": _int_param(request, "item"),
        "department_id": _int_param(request, "department"),
        "method": request.GET.get("method", "")
        if request.GET.get("method") in SelectionMethod.values
        else "",
        "status": request.GET.get("status", "")
        if request.GET.get("status") in PurchaseRequest.Status.values
        else "",
    }
    page = paginate(request, notice_public_list(**filters))
    query = {key: value for key, value in request.GET.items() if key != "page" and value}
    return render(
        request,
        "market/notice_list.html",
        {
            "page": page,
            "filters": filters,
            "query_string": urlencode(query),
            "items": ServiceItem.objects.filter(status=ServiceItem.Status.PUBLISHED).order_by(
                "code"
            ),
            "departments": organisation_list(kind=Organisation.Kind.APPROVAL_DEPARTMENT),
            "methods": SelectionMethod.choices,
            "statuses": [s for s in PurchaseRequest.Status.choices if s[0] != "draft"],
        },
    )


def _public_request(number: str) -> PurchaseRequest:
    try:
        notice = notice_public_detail(number=number)
    except PurchaseRequest.DoesNotExist:
        raise Http404 from None
    # The page reads the server clock itself: a deadline that has passed is closed now,
    # whether or not the scheduler has run.
    return purchase_request_sync(request=notice)


def notice_detail(request: HttpRequest, number: str) -> HttpResponse:
    notice = _public_request(number)
    return render(
        request,
        "market/notice_detail.html",
        {
            "notice": notice,
            "quotes": notice_opened_quotes(request=notice),
            "events": notice.events.select_related("actor").order_by("created_at", "pk"),
            "exclusion_count": notice.exclusions.count(),
            "invited_count": notice.invitations.count(),
            "objections": notice.objections.exclude(status="pending").order_by("filed_at"),
        },
    )


def verify_draw(request: HttpRequest, number: str) -> HttpResponse:
    notice = _public_request(number)
    check = verify_request_draw(notice)
    if request.GET.get("format") == "json" and check.record is not None:
        return HttpResponse(check.record.to_json(), content_type="application/json; charset=utf-8")
    return render(request, "market/verify_draw.html", {"notice": notice, "check": check})


def regional_assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(RegionalAssessment, pk=pk)
    return render(request, "market/regional_assessment.html", {"assessment": assessment})
