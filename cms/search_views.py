"""The one search box across the catalogue, the roster, the notices and the portal's pages."""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cms.search_selectors import (
    AGENCIES,
    FACETS,
    ITEMS,
    KIND_LABELS,
    NOTICES,
    SearchRequest,
    SiteSearchForm,
    search_suggestions,
    site_search,
)
from core.pagination import paginate
from core.search import MIN_QUERY_LENGTH, ParsedQuery, highlight, parse_query
from market.selectors import purchase_request_shown_status

# Without a kind chosen, each kind shows its best few and a link to all of them.
PREVIEW_SIZE = 5


def _hit(kind: str, obj, query: ParsedQuery, request: HttpRequest) -> dict:
    """One result as the page shows it: a title and details, the query's words marked."""
    if kind == ITEMS:
        title, url = obj.name, reverse("catalogue:detail", args=[obj.code])
        details = [obj.code, obj.approval_department.name]
    elif kind == AGENCIES:
        title, url = obj.organisation.name, reverse("agencies:detail", args=[obj.pk])
        details = [
            obj.organisation.region,
            _("Credit grade %(grade)s") % {"grade": obj.credit_grade},
        ]
    elif kind == NOTICES:
        title = f"{obj.project.name} · {obj.service_item.name}"
        url = reverse("market:notice_detail", args=[obj.number])
        details = [obj.number, purchase_request_shown_status(obj).label]
    else:
        title, url = obj.title, obj.get_url(request)
        details = [obj.search_description]
    return {
        "title": highlight(title, query),
        "url": url,
        "details": [highlight(detail, query) for detail in details if detail],
    }


def _query_string(form: SiteSearchForm, **changes) -> str:
    """The request's search and facets as a query string, with `changes` made."""
    values = {name: form.data.get(name, "") for name in ("q", "kind", *FACETS)}
    values.update(changes)
    return urlencode({name: value for name, value in values.items() if value})


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    form = SiteSearchForm(request.GET)
    asked = SearchRequest.from_form(form)
    query = parse_query(asked.text)
    found = site_search(request=asked, query=query)
    counts = {kind: results.count() for kind, results in found.items()}
    groups = []
    for kind, results in found.items():
        if asked.kind and kind != asked.kind:
            continue
        page = paginate(request, results) if asked.kind else None
        shown = list(page) if page else (results[:PREVIEW_SIZE] if counts[kind] else [])
        hits = [_hit(kind, obj, query, request) for obj in shown]
        groups.append(
            {
                "kind": kind,
                "label": KIND_LABELS[kind],
                "count": counts[kind],
                "hits": hits,
                "page": page,
                "more_url": f"?{_query_string(form, kind=kind, page='')}",
            }
        )
    context = {
        "form": form,
        "query": query,
        "text": asked.text,
        "too_short": bool(query.parts) and query.is_too_short,
        "min_length": MIN_QUERY_LENGTH,
        "kind": asked.kind,
        "groups": groups,
        "tabs": [
            {
                "kind": kind,
                "label": KIND_LABELS[kind],
                "count": count,
                "url": f"?{_query_string(form, kind=kind, page='')}",
            }
            for kind, count in counts.items()
        ],
        "all_url": f"?{_query_string(form, kind='', page='')}",
        "page_query_string": _query_string(form, page=""),
        # Elasticsearch did not answer: the results came from the database's index.
        "degraded": any(results.degraded for results in found.values()),
    }
    return render(request, "cms/search.html", context)


@require_GET
def suggest(request: HttpRequest) -> JsonResponse:
    """A few item and agency names for what is being typed in a search box."""
    text = request.GET.get("q", "")[:100]
    suggestions = []
    for suggestion in search_suggestions(text=text):
        if "code" in suggestion:
            url = reverse("catalogue:detail", args=[suggestion["code"]])
        else:
            url = reverse("agencies:detail", args=[suggestion["pk"]])
        suggestions.append({"kind": suggestion["kind"], "label": suggestion["label"], "url": url})
    return JsonResponse(
        {"query": text, "suggestions": suggestions}, json_dumps_params={"ensure_ascii": False}
    )
