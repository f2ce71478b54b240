"""The public's complaint pages (R12): anyone complains, signed in or not; the public follows
a complaint with its number and the tracking key shown once, a signed-in complainant under
their account. A complaint's content, evidence and contact are shown to its complainant only
(regulators use the back office); anyone else gets 404."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from agencies.models import Agency
from agencies.selectors import PUBLIC_PAGE_STATUSES
from contracts.models import Contract
from contracts.selectors import contract_detail
from core.forms import handle_form, is_row_id
from core.kept_uploads import UploadKeeper
from credit.complaint_forms import ComplaintForm, TrackForm
from credit.complaint_selectors import (
    complaint_for_tracking,
    complaint_of,
    complaint_timing,
    complaints_of,
)
from credit.models import Complaint
from credit.services.complaints import complaint_submit
from market.models import PurchaseRequest
from market.selectors import notice_public_detail

LIST_PAGE_SIZE = 20
# The session entry that carries a new complaint's number and key to the one page that
# shows them: never the URL, which browsers and proxies keep.
_RECEIVED = "credit.complaint_received"


@dataclass
class Subject:
    agency: Agency | None = None
    purchase_request: PurchaseRequest | None = None
    contract: Contract | None = None


def _subject(request: HttpRequest) -> Subject:
    """What the complaint is about, from ?agency=, ?request= and ?contract=: an agency on
    the public roster, a published notice, a contract only for those who may read it. 404 for
    anything else, so an unpublished record's existence is not disclosed."""
    subject = Subject()
    agency, number, contract = (
        request.GET.get(name, "").strip() for name in ("agency", "request", "contract")
    )
    try:
        if agency:
            if not is_row_id(agency):
                raise Http404
            subject.agency = (
                Agency.objects.filter(status__in=PUBLIC_PAGE_STATUSES)
                .select_related("organisation")
                .get(pk=agency)
            )
        if number:
            subject.purchase_request = notice_public_detail(number=number)
        if contract:
            subject.contract = contract_detail(user=request.user, number=contract)
    except (Agency.DoesNotExist, PurchaseRequest.DoesNotExist, Contract.DoesNotExist):
        raise Http404 from None
    return subject


def _initial(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "name": user.display_name or user.get_full_name() or user.get_username(),
        "contact": user.email,
    }


@require_http_methods(["GET", "POST"])
def complaint_new(request: HttpRequest) -> HttpResponse:
    subject = _subject(request)
    form = ComplaintForm(request.POST or None, request.FILES or None, initial=_initial(request))

    def received(result: tuple[Complaint, str | None]) -> HttpResponse:
        complaint, key = result
        request.session[_RECEIVED] = {"number": complaint.number, "key": key}
        return redirect("credit:complaint_received")

    done = handle_form(
        request,
        form,
        lambda data: complaint_submit(
            actor=request.user,
            category=data["category"],
            content=data["content"],
            name=data["name"],
            contact=data["contact"],
            evidence=data["evidence"],
            agency=subject.agency,
            purchase_request=subject.purchase_request,
            contract=subject.contract,
        ),
        success=lambda result: (
            _("Your complaint %(number)s is accepted.") % {"number": result[0].number}
        ),
        redirect_to=received,
        # Evidence that passed the scan check is kept if anything else is wrong.
        keeper=UploadKeeper(request),
    )
    return done or render(request, "credit/complaints/new.html", {"form": form, "subject": subject})


@require_http_methods(["GET"])
def complaint_received(request: HttpRequest) -> HttpResponse:
    """Shows a new complaint's number and, for the public, its tracking key — once: the entry
    is taken out of the session as it is shown, so a reload or the back button does not show
    the key again."""
    received = request.session.pop(_RECEIVED, None)
    if received is None:
        return redirect(
            "credit:complaints_mine" if request.user.is_authenticated else "credit:complaint_track"
        )
    complaint = Complaint.objects.filter(number=received["number"]).first()
    if complaint is None:
        raise Http404
    return render(
        request,
        "credit/complaints/received.html",
        {"complaint": complaint, "key": received["key"], "timing": complaint_timing(complaint)},
    )


@require_http_methods(["GET", "POST"])
def complaint_track(request: HttpRequest) -> HttpResponse:
    """The public's follow-up: the number and the key are posted, never put in an address,
    and a wrong pair gets one message that does not say which half was wrong."""
    form = TrackForm(request.POST or None)
    complaint = None
    if request.method == "POST" and form.is_valid():
        complaint = complaint_for_tracking(form.cleaned_data["number"], form.cleaned_data["key"])
        if complaint is None:
            form.add_error(None, _("No complaint matches this number and key."))
    if complaint is not None:
        return render(
            request,
            "credit/complaints/detail.html",
            {"complaint": complaint, "timing": complaint_timing(complaint), "tracked": True},
        )
    return render(request, "credit/complaints/track.html", {"form": form})


@login_required
@require_http_methods(["GET"])
def complaints_mine(request: HttpRequest) -> HttpResponse:
    page = Paginator(complaints_of(request.user), LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "credit/complaints/mine.html",
        {
            "page": page,
            "rows": [(complaint, complaint_timing(complaint)) for complaint in page.object_list],
        },
    )


@login_required
@require_http_methods(["GET"])
def complaint_detail(request: HttpRequest, number: str) -> HttpResponse:
    try:
        complaint = complaint_of(request.user, number)
    except Complaint.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "credit/complaints/detail.html",
        {"complaint": complaint, "timing": complaint_timing(complaint)},
    )
