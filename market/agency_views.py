"""An agency's own quoting pages under /my/quotes/: the invitation inbox, the sealed quote
for one request (submit, revise, withdraw), declining an award and filing an objection.

Views parse and render; market/services decide. Every page is about the signed-in user's own
agency: nobody else's quote is ever loaded, and the amount is opened only here, only for the
members of the agency that sealed it."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from agencies.models import Agency
from agencies.selectors import agency_for_member
from core.exceptions import ApplicationError
from core.forms import apply_application_error
from core.pagination import paginate
from market import sealing
from market.agency_forms import AwardDeclineForm, ObjectionForm, QuoteForm, quoted_as_discount
from market.models import Objection, PurchaseRequest, Quote, QuoteReceipt
from market.selectors import (
    eligible_agencies,
    invitation_list_for_agency,
    invitation_unread_count,
)
from market.services.quotes import quote_submit, quote_withdraw
from market.services.requests import invitation_mark_read, purchase_request_sync
from market.services.selection import award_decline, objection_file

Status = PurchaseRequest.Status
# Before the deadline a request is still "quoting" in the database until something reads it
# through purchase_request_sync; the inbox shows what the clock says without syncing each row.
OPEN_STATUSES = (Status.PUBLISHED, Status.QUOTING)


# Reads ----------------------------------------------------------------------------------------


def _own_quote(request: PurchaseRequest, agency: Agency) -> Quote | None:
    return (
        Quote.objects.filter(request=request, agency=agency)
        .select_related("agency__organisation")
        .prefetch_related("practitioners", "members__agency__organisation")
        .first()
    )


@dataclass(frozen=True)
class OwnAmount:
    amount: Decimal
    discount_rate: Decimal | None


def _own_amount(quote: Quote | None) -> OwnAmount | None:
    """The agency's own sealed amount, opened for its own members only (the callers make
    sure `quote` is the viewer's agency's). The one place an amount is shown before the
    deadline; it goes into this page and nowhere else."""
    if quote is None or quote.status != Quote.Status.SUBMITTED:
        return None
    if quote.opened_amount is not None:
        return OwnAmount(quote.opened_amount, quote.opened_discount_rate)
    try:
        opened = sealing.open_sealed(quote.sealed)
    except sealing.SealBroken:
        return None
    return OwnAmount(opened.amount, opened.discount_rate)


# Who is looking -------------------------------------------------------------------------------


def _my_agency(user: User) -> Agency:
    """The viewer's own agency; anyone else (owners, departments, the public) finds nothing."""
    agency = agency_for_member(user=user)
    if agency is None:
        raise Http404(_("Your organisation is not an agency on the roster."))
    return agency


def _can_act(user: User, agency: Agency) -> bool:
    return user.has_perm("accounts.change_organisation", agency.organisation)


def _acting_agency(user: User) -> Agency:
    agency = _my_agency(user)
    if not _can_act(user, agency):
        raise PermissionDenied
    return agency


def _request(number: str) -> PurchaseRequest:
    """A published request, brought up to the server clock (the deadline may have passed
    without the scheduler)."""
    request = (
        PurchaseRequest.objects.exclude(status=Status.DRAFT)
        .select_related("project__owner", "service_item__approval_department", "winner")
        .filter(number=number)
        .first()
    )
    if request is None:
        raise Http404
    return purchase_request_sync(request=request)


def _publicity_open(request: PurchaseRequest) -> bool:
    return (
        request.status == Status.AWARDED
        and request.publicity_ends_on is not None
        and timezone.localdate() <= request.publicity_ends_on
    )


# Pages ----------------------------------------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    agency = _my_agency(request.user)
    page = paginate(request, invitation_list_for_agency(agency=agency))
    now = timezone.now()
    for invitation in page.object_list:
        notice = invitation.request
        invitation.deadline_passed = (
            notice.status in OPEN_STATUSES
            and notice.quote_deadline is not None
            and now >= notice.quote_deadline
        )
    return render(
        request,
        "market/agency/inbox.html",
        {
            "agency": agency,
            "page": page,
            "unread_count": invitation_unread_count(agency_id=agency.pk),
        },
    )


@login_required
def quote(request: HttpRequest, number: str) -> HttpResponse:
    agency = _my_agency(request.user)
    notice = _request(number)
    can_act = _can_act(request.user, agency)
    eligible = list(eligible_agencies(request=notice))
    form_kwargs = {"request": notice, "agency": agency, "eligible": eligible}
    if request.method == "POST":
        if not can_act:
            raise PermissionDenied
        form = QuoteForm(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            try:
                submitted = quote_submit(
                    actor=request.user, request=notice, **form.service_arguments()
                )
            except ApplicationError as exc:
                apply_application_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Your quote is sealed: revision %(revision)d, receipt %(receipt)s.")
                    % {"revision": submitted.revision, "receipt": submitted.receipt},
                )
                return redirect("agency:quote", number=notice.number)
        # The clock may have moved while the form was open: show the request as it is now.
        notice = _request(number)
    else:
        form = QuoteForm(**form_kwargs)
        invitation_mark_read(request=notice, agency=agency)

    own = _own_quote(notice, agency)
    is_eligible = any(other.pk == agency.pk for other in eligible)
    quoting_open = notice.status == Status.QUOTING
    return render(
        request,
        "market/agency/quote.html",
        {
            "agency": agency,
            "notice": notice,
            "form": form,
            "can_act": can_act,
            "is_eligible": is_eligible,
            "quoting_open": quoting_open,
            "show_form": can_act and is_eligible and quoting_open,
            "as_discount": quoted_as_discount(notice),
            "quote": own,
            "own_amount": _own_amount(own),
            "receipts": (
                QuoteReceipt.objects.filter(quote=own).order_by("created_at", "pk")
                if own is not None
                else QuoteReceipt.objects.none()
            ),
            "receipt_check": _receipt_check(notice, own),
            "is_winner": notice.status == Status.AWARDED and notice.winner_id == agency.pk,
            "publicity_open": _publicity_open(notice),
            "objections": Objection.objects.filter(
                request=notice, filed_by__organisation_id=agency.pk
            ).order_by("filed_at"),
        },
    )


def _receipt_check(notice: PurchaseRequest, own: Quote | None) -> dict | None:
    """After opening: the published values the agency's receipt hashes, and whether they
    match (docs/sealing.md)."""
    if own is None or notice.is_sealed or not own.opened_nonce or own.opened_amount is None:
        return None
    fields = {
        "request_number": notice.number,
        "agency_code": own.agency.organisation.credit_code or f"agency-{own.agency_id}",
        "revision": own.revision,
        "amount": own.opened_amount,
        "discount_rate": own.opened_discount_rate,
        "nonce": own.opened_nonce,
    }
    return {
        "line": sealing.commitment_string(**fields),
        "matches": sealing.verify_receipt(receipt=own.receipt, **fields),
    }


@login_required
def quote_withdraw_confirm(request: HttpRequest, number: str) -> HttpResponse:
    agency = _acting_agency(request.user)
    notice = _request(number)
    error = None
    if request.method == "POST":
        try:
            quote_withdraw(actor=request.user, request=notice)
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, _("Your quote was withdrawn."))
            return redirect("agency:quote", number=notice.number)
    own = _own_quote(notice, agency)
    return render(
        request,
        "market/agency/confirm.html",
        {
            "notice": notice,
            "error": error,
            "title": _("Withdraw your quote?"),
            "explanation": _(
                "The quote stops counting at once. You may submit a new one until the "
                "deadline; the withdrawal stays in your receipt history."
            ),
            "receipt": own.receipt if own is not None else "",
            "confirm_label": _("Yes, withdraw the quote"),
        },
    )


@login_required
def award_decline_confirm(request: HttpRequest, number: str) -> HttpResponse:
    _acting_agency(request.user)
    notice = _request(number)
    form = AwardDeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            award_decline(actor=request.user, request=notice, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            apply_application_error(form, exc)
        else:
            messages.success(request, _("Your agency declined the award."))
            return redirect("agency:quote", number=notice.number)
    return render(
        request,
        "market/agency/confirm.html",
        {
            "notice": notice,
            "form": form,
            "title": _("Decline the award?"),
            "explanation": _(
                "The award passes to the next agency by the selection method's rules. This "
                "cannot be undone, and a declined award counts in the credit evaluation."
            ),
            "confirm_label": _("Yes, decline the award"),
        },
    )


@login_required
def objection(request: HttpRequest, number: str) -> HttpResponse:
    _acting_agency(request.user)
    notice = _request(number)
    form = ObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            objection_file(actor=request.user, request=notice, text=form.cleaned_data["text"])
        except ApplicationError as exc:
            apply_application_error(form, exc)
        else:
            messages.success(request, _("Your objection was filed; a regulator will answer it."))
            return redirect("agency:quote", number=notice.number)
    return render(request, "market/agency/objection.html", {"notice": notice, "form": form})
