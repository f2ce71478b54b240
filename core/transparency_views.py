"""The transparency log's public pages: /transparency/ for people, and JSON documents (the
latest or any checkpoint, an entry with its inclusion proof, a consistency proof) that anyone
can save and check with the verifier in tools/ or any RFC 6962 tool."""

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from core.forms import is_row_id
from core.models import LogCheckpoint, LogEntry
from core.pagination import paginate
from core.transparency import (
    checkpoint_document,
    consistency_document,
    entry_kind_label,
    inclusion_document,
    public_key,
)


def _json(document: dict) -> JsonResponse:
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})


def _checkpoint(size_text: str | None) -> LogCheckpoint:
    """The checkpoint of the given size, or the latest when none is given."""
    if size_text in (None, ""):
        latest = LogCheckpoint.objects.order_by("-size").first()
        if latest is None:
            raise Http404
        return latest
    if not is_row_id(size_text):
        raise Http404
    return get_object_or_404(LogCheckpoint, size=int(size_text))


@require_GET
def transparency_index(request: HttpRequest) -> HttpResponse:
    subject = request.GET.get("subject", "").replace("\x00", "")[:60]
    entries = LogEntry.objects.order_by("-index").defer("body")
    if subject:
        entries = entries.filter(subject=subject)
    page = paginate(request, entries)
    for entry in page:
        entry.kind_label = entry_kind_label(entry.kind)
    return render(
        request,
        "core/transparency.html",
        {
            "latest": LogCheckpoint.objects.order_by("-size").first(),
            "public_key": public_key(),
            "page": page,
            "entries": page.object_list,
            "subject": subject,
            "query_string": urlencode({"subject": subject}) if subject else "",
        },
    )


@require_GET
def checkpoint_json(request: HttpRequest) -> JsonResponse:
    return _json(checkpoint_document(_checkpoint(request.GET.get("size"))))


@require_GET
def entry_json(request: HttpRequest, index: int) -> JsonResponse:
    entry = get_object_or_404(LogEntry, index=index)
    checkpoint = _checkpoint(request.GET.get("size"))
    if checkpoint.size <= entry.index:
        raise Http404
    return _json(inclusion_document(entry, checkpoint))


@require_GET
def consistency_json(request: HttpRequest) -> JsonResponse:
    first = _checkpoint(request.GET.get("first") or "0")
    second = _checkpoint(request.GET.get("second"))
    if first.size > second.size:
        raise Http404
    return _json(consistency_document(first, second))
