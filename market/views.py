"""The public pages of the marketplace: notices, the draw verification and regional
assessments. They read only; what the clock implies is shown, not made."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from core.filters import filter_list
from market.filters import NoticeFilter
from market.models import PurchaseRequest, RegionalAssessment
from market.selectors import (
    notice_opened_quotes,
    notice_public_detail,
    notice_public_list,
    objections_public,
)
from market.verification import verify_request_draw


def notice_list(request: HttpRequest) -> HttpResponse:
    listing = filter_list(request, NoticeFilter, notice_public_list())
    return render(request, "market/notice_list.html", {"listing": listing, "page": listing.page})


def _notice(number: str) -> PurchaseRequest:
    try:
        return notice_public_detail(number=number)
    except PurchaseRequest.DoesNotExist:
        raise Http404 from None


def notice_detail(request: HttpRequest, number: str) -> HttpResponse:
    notice = _notice(number)
    return render(
        request,
        "market/notice_detail.html",
        {
            "notice": notice,
            "quotes": notice_opened_quotes(purchase_request=notice),
            "events": notice.status_events.select_related("actor"),
            "exclusion_count": notice.exclusions.count(),
            "invited_count": notice.invitations.count(),
            "objections": objections_public(purchase_request=notice),
        },
    )


def verify_draw(request: HttpRequest, number: str) -> HttpResponse:
    notice = _notice(number)
    check = verify_request_draw(notice)
    if request.GET.get("format") == "json" and check.record is not None:
        return HttpResponse(check.record.to_json(), content_type="application/json; charset=utf-8")
    return render(request, "market/verify_draw.html", {"notice": notice, "check": check})


def regional_assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(RegionalAssessment, pk=pk)
    return render(
        request,
        "market/regional_assessment.html",
        {"assessment": assessment, "areas": assessment.areas.order_by("path")},
    )
