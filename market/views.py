from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import Organisation
from accounts.selectors import organisation_list
from core.pagination import paginate
from market.models import FeeMode, ServiceItem
from market.selectors import (
    catalogue_adjustment_list,
    service_item_public_detail,
    service_item_public_list,
    service_item_qualifying_agency_count,
    service_item_version_list,
)


def catalogue_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    try:
        department_id = int(request.GET.get("department") or 0) or None
    except ValueError:
        department_id = None
    fee_mode = request.GET.get("fee_mode", "")
    if fee_mode not in FeeMode.values:
        fee_mode = ""
    page = paginate(
        request,
        service_item_public_list(query=query, department_id=department_id, fee_mode=fee_mode),
    )
    return render(
        request,
        "market/catalogue_list.html",
        {
            "page": page,
            "query": query,
            "department_id": department_id,
            "fee_mode": fee_mode,
            "fee_modes": FeeMode.choices,
            "filter_query_string": urlencode(
                {
                    key: value
                    for key, value in (
                        ("q", query),
                        ("department", department_id),
                        ("fee_mode", fee_mode),
                    )
                    if value
                }
            ),
            "departments": organisation_list(kind=Organisation.Kind.APPROVAL_DEPARTMENT),
        },
    )


def catalogue_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        item = service_item_public_detail(code=code)
    except ServiceItem.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "market/catalogue_detail.html",
        {
            "item": item,
            "is_retired": item.status == ServiceItem.Status.RETIRED,
            "alternatives": item.requirement_alternatives,
            "qualifying_agency_count": service_item_qualifying_agency_count(service_item=item),
            "versions": service_item_version_list(service_item=item),
        },
    )


def catalogue_adjustments(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "market/catalogue_adjustments.html",
        {"page": paginate(request, catalogue_adjustment_list())},
    )
