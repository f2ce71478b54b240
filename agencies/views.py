from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agencies.selectors import agency_public_list
from core.pagination import paginate


def agency_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "agencies/agency_list.html", {"page": paginate(request, agency_public_list())}
    )
