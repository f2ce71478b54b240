from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from wagtail import hooks

from catalogue.filters import ServiceItemFilter
from catalogue.models import ServiceItem
from catalogue.selectors import (
    catalogue_adjustment_list,
    service_item_public_detail,
    service_item_published,
    service_item_search,
    service_item_version_list,
)
from core.filters import filter_list
from core.pagination import paginate
from core.workdays import add_workdays

# Apps above the catalogue add what they know about an item to its public page (the roster:
# how many agencies qualify) through this hook: each function takes the item and returns
# context for the template.
ITEM_PAGE_HOOK = "catalogue_item_page_context"


def catalogue_list(request: HttpRequest) -> HttpResponse:
    listing = filter_list(
        request,
        ServiceItemFilter,
        service_item_published(),
        search=lambda items, values: service_item_search(items, values.get("q", "")),
    )
    return render(request, "catalogue/list.html", {"listing": listing, "page": listing.page})


def catalogue_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        item = service_item_public_detail(code=code)
    except ServiceItem.DoesNotExist:
        raise Http404 from None
    context = {
        "item": item,
        "is_retired": item.status == ServiceItem.Status.RETIRED,
        "alternatives": item.requirement_alternatives,
        "versions": service_item_version_list(service_item=item),
        # What the working-day limit means in dates, for a service started today (R10).
        "time_limit_ends": add_workdays(timezone.localdate(), item.statutory_time_limit_days)
        if item.statutory_time_limit_days
        else None,
    }
    for add_context in hooks.get_hooks(ITEM_PAGE_HOOK):
        context.update(add_context(item))
    return render(request, "catalogue/detail.html", context)


def catalogue_adjustments(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "catalogue/adjustments.html",
        {"page": paginate(request, catalogue_adjustment_list())},
    )
