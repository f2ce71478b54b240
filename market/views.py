"""The public pages of the marketplace: notices, the draw verification and regional
assessments. They read only; what the clock implies is shown, not made."""

import io
import zipfile

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from wagtail import hooks

from accounts.permissions import allowed
from core.beacon import configured_chain
from core.files import serve_private
from core.filters import filter_list
from market.filters import NoticeFilter
from market.models import PurchaseRequest, Quote, RegionalAssessment
from market.selectors import (
    notice_opened_quotes,
    notice_public_detail,
    notice_public_list,
    notice_receipts,
    objections_public,
    republications,
)
from market.services.selection import draw_due
from market.verification import draw_document, verify_request_draw

# Apps above the marketplace link a notice to what came of it (the contract's public page)
# through this hook: each function takes the purchase request and returns (label, url) pairs.
NOTICE_LINKS_HOOK = "market_notice_links"


# The same for the notice list: each function takes the notices of one page and returns
# {notice id: [(label, url), …]} from one query, so the list keeps its query count.
NOTICE_LIST_LINKS_HOOK = "market_notice_list_links"


# What a row of the notice list shows and is paged by. The rest of the six tables' columns (the
# requirements, the draw record, the item's and the project's details) cost a third of its query.
NOTICE_ROW_FIELDS = (
    "number",
    "status",
    "selection_method",
    "quote_opens_at",
    "quote_deadline",
    "publicity_ends_on",
    "published_at",
    "project__name",
    "service_item__name",
    "service_item__approval_department__name",
    "winner__organisation__name",
)


def notice_list(request: HttpRequest) -> HttpResponse:
    rows = notice_public_list().only(*NOTICE_ROW_FIELDS)
    listing = filter_list(request, NoticeFilter, rows, keyset=True)
    notices = list(listing.page.object_list)
    links: dict[int, list] = {}
    for add_links in hooks.get_hooks(NOTICE_LIST_LINKS_HOOK):
        for pk, found in add_links(notices).items():
            links.setdefault(pk, []).extend(found)
    for notice in notices:
        notice.follow_ups = links.get(notice.pk, [])
    listing.page.object_list = notices
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
            "receipts": notice_receipts(purchase_request=notice),
            "republications": republications(purchase_request=notice),
            "beacon_time": (
                configured_chain().round_time(notice.beacon_round) if notice.beacon_round else None
            ),
            "draw_waiting": draw_due(notice),
            "follow_ups": [
                link
                for add_links in hooks.get_hooks(NOTICE_LINKS_HOOK)
                for link in add_links(notice)
            ],
        },
    )


def verify_draw(request: HttpRequest, number: str) -> HttpResponse:
    notice = _notice(number)
    check = verify_request_draw(notice)
    names = {quote["agency"]: quote["name"] for quote in check.document["quotes"]}
    record = check.document["record"] or {}
    result = record.get("result", {})

    def named(keys):
        # An agency by its name and its unified social credit code (the draw's key for it).
        return [{"name": names.get(key, key), "code": key} for key in keys]

    return render(
        request,
        "market/verify_draw.html",
        {
            "notice": notice,
            "check": check,
            "record": record,
            "beacon": record.get("beacon"),
            "result": result,
            "tied": named(result.get("tied", [])),
            "longlist": named(result.get("longlist", [])),
            "shortlist": named(result.get("shortlist", [])),
        },
    )


def verify_draw_json(request: HttpRequest, number: str) -> JsonResponse:
    """Every public input of the draw and its result, for tools/zjcs_verify.py or anyone's own
    check on another copy of the data."""
    document = draw_document(_notice(number))
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})


# The independent verifier and the standard-library modules it runs (tools/zjcs_verify.py says
# which), laid out as in the repository, so that it runs from the unpacked folder as it is.
VERIFIER_FILES = (
    "tools/zjcs_verify.py",
    "market/draw_proof.py",
    "market/draws.py",
    "core/merkle.py",
)


def draw_verifier(request: HttpRequest) -> HttpResponse:
    """The verifier the draw pages mention, as a zip: the same code this site checks with."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in VERIFIER_FILES:
            archive.write(settings.BASE_DIR / name, f"zjcs-verify/{name}")
    return HttpResponse(
        buffer.getvalue(),
        content_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="zjcs-verify.zip"'},
    )


def regional_assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(RegionalAssessment, pk=pk)
    return render(
        request,
        "market/regional_assessment.html",
        {"assessment": assessment, "areas": assessment.areas.order_by("path")},
    )


def regional_assessment_document(request: HttpRequest, pk: int) -> HttpResponse:
    """The result of a regional assessment is public: every project in its areas reuses it."""
    assessment = get_object_or_404(RegionalAssessment, pk=pk)
    if not assessment.result_document:
        raise Http404
    return serve_private(
        request, assessment.result_document, download_name=f"regional-assessment-{assessment.pk}"
    )


def quote_proposal(request: HttpRequest, pk: int) -> HttpResponse:
    """A quote's proposal, sealed like its amount (accounts.permissions.sees_proposal); to
    anyone else it does not exist."""
    quote = (
        Quote.objects.select_related("agency", "purchase_request__project").filter(pk=pk).first()
    )
    if (
        quote is None
        or not quote.proposal
        or not allowed("market.view_proposal", request.user, quote)
    ):
        raise Http404
    return serve_private(
        request,
        quote.proposal,
        download_name=f"proposal-{quote.purchase_request.number}-{quote.agency_id}",
    )
