"""An agency's own quoting pages under /my/quotes/: the invitation inbox, the sealed quote
for one request (submit, revise, withdraw), declining an award and filing an objection.

Views parse and render; market/services decide. Every page is about the signed-in user's own
agency: nobody else's quote is ever loaded, and its own sealed amount is read (by the
selector `quote_own_amount`) only on the quote page, which only the administrators of an
agency active on the roster may open."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from accounts.permissions import allowed
from agencies.models import Agency
from agencies.selectors import agency_for_member
from core.exceptions import ApplicationError
from core.forms import handle_form
from core.pagination import paginate
from market import sealing
from market.agency_forms import (
    MEMBER_SLOTS,
    AwardDeclineForm,
    ObjectionForm,
    QuoteForm,
    quoted_as_discount,
)
from market.models import Objection, PurchaseRequest, Quote
from market.selectors import (
    CONSORTIUM_SEARCH_LIMIT,
    CONSORTIUM_SEARCH_MIN_CHARS,
    consortium_member_search,
    consortium_members_chosen,
    eligible_agencies,
    invitation_list_for_agency,
    invitation_unread_count,
    purchase_requests_ever_published,
    quote_for_agency,
    quote_own_amount,
    quoting_open,
)
from market.services.quotes import invitation_mark_read, quote_submit, quote_withdraw
from market.services.selection import award_decline, objection_file

Status = PurchaseRequest.Status


# Who is looking -------------------------------------------------------------------------------


def _my_agency(user: User) -> Agency:
    """The viewer's own agency; anyone else (owners, departments, the public) finds nothing."""
    agency = agency_for_member(user=user)
    if agency is None:
        raise Http404(_("Your organisation is not an agency on the roster."))
    return agency


def _acting_agency(user: User) -> Agency:
    agency = _my_agency(user)
    if not allowed("agencies.act_for_agency", user, agency):
        raise PermissionDenied
    return agency


def _quoting_agency(user: User) -> Agency:
    """The viewer's own agency, when they may quote for it: an administrator of an agency
    active on the roster (the rule "market.quote_for_agency"). Anyone outside an agency finds
    nothing (404); a pending, suspended or exited agency, or a member who does not
    administer it, is refused (403)."""
    agency = _my_agency(user)
    if not allowed("market.quote_for_agency", user, agency):
        raise PermissionDenied
    return agency


def _notice(number: str) -> PurchaseRequest:
    """A request that was published, as stored (pages show what the clock implies; they
    never move it)."""
    purchase_request = (
        purchase_requests_ever_published()
        .select_related("project__owner", "service_item__approval_department", "winner")
        .filter(number=number)
        .first()
    )
    if purchase_request is None:
        raise Http404
    return purchase_request


def _to_quote(notice: PurchaseRequest) -> HttpResponse:
    return redirect("agency:quote", number=notice.number)


# Pages ----------------------------------------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    agency = _my_agency(request.user)
    return render(
        request,
        "market/agency/inbox.html",
        {
            "agency": agency,
            "page": paginate(request, invitation_list_for_agency(agency=agency)),
            "unread_count": invitation_unread_count(agency_id=agency.pk),
        },
    )


@login_required
@require_POST
def invitation_open(request: HttpRequest, number: str) -> HttpResponse:
    """Opening an invitation from the inbox marks it read, then shows the request."""
    _my_agency(request.user)
    notice = _notice(number)
    invitation_mark_read(actor=request.user, purchase_request=notice)
    return _to_quote(notice)


def _ids(values: list[str]) -> list[int]:
    """Agency ids typed into the address or the form; anything else is dropped, unread."""
    ids = [int(v) for v in values if v.isascii() and v.isdigit() and len(v) <= 18]
    return ids[: MEMBER_SLOTS * 2]


def _consortium_search(request: HttpRequest, notice: PurchaseRequest, agency: Agency) -> dict:
    """The consortium picker (R7), read from the page's address: `member_search` (part of a
    name) finds at most ten partners, `member` (repeated) keeps those already picked. Only
    possible partners — eligible for the request, so active — are ever shown."""
    # Control characters (a NUL above all, which PostgreSQL refuses) are no part of a name.
    typed = request.GET.get("member_search", "")
    name = "".join(char for char in typed if char.isprintable()).strip()[:100]
    picked = _ids(request.GET.getlist("member"))
    posted = _ids([request.POST.get(f"member_{slot}", "") for slot in range(1, MEMBER_SLOTS + 1)])
    chosen = list(
        consortium_members_chosen(purchase_request=notice, lead=agency, pks=picked + posted)
    )
    chosen.sort(key=lambda other: (picked + posted).index(other.pk))
    found = list(consortium_member_search(purchase_request=notice, lead=agency, name=name))
    kept = [other.pk for other in chosen if other.pk in picked]

    def add_url(other: Agency) -> str | None:
        if other.pk in kept or len(kept) >= MEMBER_SLOTS:
            return None
        query = [("member_search", name)] + [("member", pk) for pk in [*kept, other.pk]]
        return f"?{urlencode(query)}#consortium-search"

    return {
        "member_search": name,
        "member_search_too_short": 0 < len(name) < CONSORTIUM_SEARCH_MIN_CHARS,
        "member_search_min_chars": CONSORTIUM_SEARCH_MIN_CHARS,
        "member_search_limit": CONSORTIUM_SEARCH_LIMIT,
        "members_chosen": [other for other in chosen if other.pk in kept],
        "members_found": [{"agency": other, "add_url": add_url(other)} for other in found],
        "offered": chosen + [other for other in found if other not in chosen],
        "initial": {f"member_{slot}": pk for slot, pk in enumerate(kept[:MEMBER_SLOTS], start=1)},
    }


@login_required
def quote(request: HttpRequest, number: str) -> HttpResponse:
    agency = _quoting_agency(request.user)
    notice = _notice(number)
    picker = _consortium_search(request, notice, agency)
    form = QuoteForm(
        request.POST or None,
        request.FILES or None,
        purchase_request=notice,
        agency=agency,
        offered_members=picker["offered"],
        initial=picker["initial"],
    )
    done = handle_form(
        request,
        form,
        lambda data: quote_submit(
            actor=request.user, purchase_request=notice, **form.service_arguments()
        ),
        success=lambda submitted: (
            _("Your quote is sealed: revision %(revision)d, receipt %(receipt)s.")
            % {"revision": submitted.revision, "receipt": submitted.receipt}
        ),
        redirect_to=lambda submitted: _to_quote(notice),
    )
    if done:
        return done
    if request.method == "POST":
        # The clock may have moved while the form was open: show the request as it is now.
        notice = _notice(number)
    own = quote_for_agency(purchase_request=notice, agency=agency)
    is_eligible = eligible_agencies(purchase_request=notice).filter(pk=agency.pk).exists()
    is_open = quoting_open(notice)
    return render(
        request,
        "market/agency/quote.html",
        {
            "agency": agency,
            "notice": notice,
            "form": form,
            "is_eligible": is_eligible,
            "quoting_open": is_open,
            "show_form": is_eligible and is_open,
            "picker": picker,
            "as_discount": quoted_as_discount(notice),
            "quote": own,
            "own_amount": quote_own_amount(own),
            "receipts": own.receipts.all() if own is not None else [],
            "receipt_check": _receipt_check(notice, own),
            "quote_state": _quote_state(notice, own, is_open),
            "is_winner": notice.winner_id == agency.pk,
            "publicity_open": notice.publicity_open,
            "objections": Objection.objects.filter(
                purchase_request=notice, filed_by__organisation_id=agency.pk
            ).order_by("filed_at"),
        },
    )


def _quote_state(notice: PurchaseRequest, own: Quote | None, is_open: bool) -> str:
    """Where the agency's quote stands, for its page: sealed while quoting, still sealed once
    the deadline has passed until the opening, then opened (and published). A withdrawn quote
    is never opened."""
    if own is None or own.status != Quote.Status.SUBMITTED:
        return "withdrawn"
    if notice.opened_at is not None:
        return "opened"
    if notice.status == Status.CANCELLED:
        return "never_opened"
    return "sealed" if is_open else "awaiting_opening"


def _receipt_check(notice: PurchaseRequest, own: Quote | None) -> dict | None:
    """After opening: the published values the agency's receipt hashes, and whether they
    match (docs/sealing.md)."""
    if own is None or notice.is_sealed or not own.opened_nonce or own.opened_amount is None:
        return None
    fields = {
        "request_number": notice.number,
        "agency_code": own.agency.selection_key,
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
    notice = _notice(number)
    error = None
    if request.method == "POST":
        try:
            quote_withdraw(actor=request.user, purchase_request=notice)
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, _("Your quote was withdrawn."))
            return _to_quote(notice)
    own = quote_for_agency(purchase_request=notice, agency=agency)
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
    notice = _notice(number)
    form = AwardDeclineForm(request.POST or None)
    done = handle_form(
        request,
        form,
        lambda data: award_decline(
            actor=request.user, purchase_request=notice, reason=data["reason"]
        ),
        success=_("Your agency declined the award."),
        redirect_to=lambda result: _to_quote(notice),
    )
    return done or render(
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
    notice = _notice(number)
    form = ObjectionForm(request.POST or None)
    done = handle_form(
        request,
        form,
        lambda data: objection_file(actor=request.user, purchase_request=notice, text=data["text"]),
        success=_("Your objection was filed; a regulator will answer it."),
        redirect_to=lambda result: _to_quote(notice),
    )
    return done or render(request, "market/agency/objection.html", {"notice": notice, "form": form})
