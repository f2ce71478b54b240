from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZE = 20


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int = PAGE_SIZE) -> Page:
    """The requested page of a list; a page number out of range gives the nearest page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
