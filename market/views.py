from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import Organisation
from accounts.selectors import organisation_list
from core.pagination import paginate
from market.selectors import service_item_public_list


def catalogue_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    try:
        department_id = int(request.GET.get("department") or 0) or None
    except ValueError:
        department_id = None
    page = paginate(request, service_item_public_list(query=query, department_id=department_id))
    return render(
        request,
        "market/catalogue_list.html",
        {
            "page": page,
            "query": query,
            "department_id": department_id,
            "filter_query_string": urlencode(
                {
                    key: value
                    for key, value in (("q", query), ("department", department_id))
                    if value
                }
            ),
            "departments": organisation_list(kind=Organisation.Kind.APPROVAL_DEPARTMENT),
        },
    )
