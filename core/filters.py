"""List pages: the filters a visitor chose (django-filter), the page of results, and the query
string that keeps the filters across pages. A value that is not a valid choice is ignored, as
if it had not been given."""

from dataclasses import dataclass
from urllib.parse import urlencode

import django_filters
from django.core.paginator import Page
from django.db.models import QuerySet
from django.http import HttpRequest

from core.pagination import KeysetPage, paginate, paginate_keyset


@dataclass(frozen=True)
class FilteredList:
    filter: django_filters.FilterSet
    page: Page | KeysetPage
    query_string: str
    # No filter was asked for (a page cursor may be): the form is as every visitor sees it.
    unfiltered: bool = False


def filtered_values(filterset: django_filters.FilterSet) -> dict:
    """The valid filter values only, by filter name."""
    if not filterset.is_bound:
        return {}
    filterset.is_valid()
    return {
        name: value
        for name, value in filterset.form.cleaned_data.items()
        if value not in (None, "", [])
    }


def query_string_of(filterset: django_filters.FilterSet) -> str:
    """The chosen filters as a query string, for pagination links."""
    raw = {name: filterset.data.get(name) for name in filtered_values(filterset)}
    return urlencode({name: value for name, value in raw.items() if value})


def filter_list(
    request: HttpRequest,
    filterset_class: type[django_filters.FilterSet],
    queryset: QuerySet,
    *,
    search=None,
    keyset: bool = False,
) -> FilteredList:
    """Filter `queryset` by the request's GET parameters and paginate it. `search`, when
    given, receives the filtered queryset and the valid values and may return search results
    instead (the catalogue's Chinese-aware text search). `keyset` pages a long list by its
    sort key instead of by number (core.pagination.paginate_keyset)."""
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    filterset.form.label_suffix = ""
    results = filterset.qs
    if search is not None:
        results = search(results, filtered_values(filterset))
    page = (
        paginate_keyset(request, results)
        if keyset and isinstance(results, QuerySet)
        else paginate(request, results)
    )
    unfiltered = not any(name in request.GET for name in filterset.form.fields)
    return FilteredList(filterset, page, query_string_of(filterset), unfiltered)
