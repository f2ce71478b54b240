"""The project owner's pages under /my/requests/: projects, purchase requests and the owner's
part in selecting an agency. Views parse and render; market/services decide.

Only members of the owning organisation see or act on a request: another owner gets 404 (the
request's existence is not disclosed), and anyone who is not a project owner — an approval
department above all, which never picks an agency (R4) — gets 403."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Organisation
from accounts.permissions import allowed
from core.exceptions import ApplicationError
from core.filters import filter_list
from core.forms import handle_form
from core.pagination import paginate
from market.filters import OwnerRequestFilter
from market.models import PurchaseRequest, SelectionMethod
from market.owner_forms import (
    CancelForm,
    ChooseForm,
    ObjectionForm,
    ProjectClassificationForm,
    ProjectForm,
    PurchaseRequestEntry,
    RepublishForm,
    ScoresForm,
    agency_pick_options,
    criterion_label,
    default_republish_deadline,
)
from market.selectors import (
    award_is_held,
    eligible_agencies,
    notice_opened_quotes,
    objections_for_owner,
    project_classifications,
    project_list_for_owner,
    purchase_request_list_for_owner,
    quotes_choosable,
    regional_assessment_covering,
)
from market.services.projects import project_classification_request, project_create
from market.services.requests import (
    RequestTerms,
    purchase_request_cancel,
    purchase_request_create,
    purchase_request_publish,
    purchase_request_republish,
    purchase_request_update,
)
from market.services.selection import objection_file, selection_choose, selection_scored_decide

Status = PurchaseRequest.Status


def owner_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, as a member of a project owner. Departments never act here (R4)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not allowed("market.register_project", request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _owner(request: HttpRequest) -> Organisation:
    return request.user.organisation


def _own_request(request: HttpRequest, number: str) -> PurchaseRequest:
    """One of the user's organisation's requests; any other is 404."""
    try:
        return (
            purchase_request_list_for_owner(owner=_owner(request))
            .select_related("service_item__approval_department")
            .get(number=number)
        )
    except PurchaseRequest.DoesNotExist:
        raise Http404 from None


def _to_detail(purchase_request: PurchaseRequest) -> HttpResponse:
    return redirect("owner:request_detail", number=purchase_request.number)


# Projects -------------------------------------------------------------------------------------


@owner_required
def project_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "market/owner/project_list.html",
        {"page": paginate(request, project_list_for_owner(owner=_owner(request)))},
    )


@owner_required
def project_new(request: HttpRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None)
    done = handle_form(
        request,
        form,
        lambda data: project_create(actor=request.user, **data),
        success=lambda project: _("The project %(name)s is registered.") % {"name": project.name},
        redirect_to="owner:projects",
    )
    return done or render(request, "market/owner/project_form.html", {"form": form})


@owner_required
def project_classify(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the approval department to classify the project as special or major (R8), and
    read its earlier answers."""
    project = _owner(request).projects.filter(pk=pk).select_related("approval_department").first()
    if project is None:
        raise Http404
    form = ProjectClassificationForm(request.POST or None)
    done = handle_form(
        request,
        form,
        lambda data: project_classification_request(
            actor=request.user, project=project, reason=data["reason"]
        ),
        success=_("The request is sent to the approval department."),
        redirect_to="owner:projects",
    )
    return done or render(
        request,
        "market/owner/project_classify.html",
        {"project": project, "form": form, "classifications": project_classifications(project)},
    )


# Purchase requests ----------------------------------------------------------------------------


@owner_required
def request_list(request: HttpRequest) -> HttpResponse:
    listing = filter_list(
        request, OwnerRequestFilter, purchase_request_list_for_owner(owner=_owner(request))
    )
    return render(
        request,
        "market/owner/request_list.html",
        {"listing": listing, "page": listing.page},
    )


def _service_verdict(call: Callable[[], object]) -> ApplicationError | None:
    """What the service says of terms it is not to keep: it is run and everything it wrote
    is rolled back. This is how a form with mistakes of its own also shows the service's
    objections to the rest, all in one answer, from the one place the rules live."""
    try:
        with transaction.atomic():
            call()
            transaction.set_rollback(True)
    except ApplicationError as error:
        return error
    return None


def _request_entry_page(
    request: HttpRequest,
    entry: PurchaseRequestEntry,
    save: Callable[[RequestTerms], PurchaseRequest],
    *,
    success: Callable[[PurchaseRequest], str],
    context: dict,
) -> HttpResponse:
    """The draft's form, new or changed: a valid submission is saved by `save` (a service);
    an invalid one shows the form's mistakes and, where the service can judge the rest,
    the service's, all at once and with everything typed kept."""
    if request.method == "POST":
        if entry.is_valid():
            try:
                saved = save(entry.terms())
            except ApplicationError as error:
                entry.add_service_error(error)
            else:
                messages.success(request, success(saved))
                return _to_detail(saved)
        elif entry.can_be_checked():
            error = _service_verdict(lambda: save(entry.terms()))
            if error is not None:
                entry.add_service_error(error, only_where_clean=True)
    return render(
        request,
        "market/owner/request_form.html",
        {
            "entry": entry,
            "form": entry.form,
            "criteria": entry.criteria,
            "exclusions": entry.exclusions,
            "scored": entry.scored,
            "agency_options": agency_pick_options(),
            **context,
        },
    )


@owner_required
def request_new(request: HttpRequest) -> HttpResponse:
    owner = _owner(request)
    try:
        project_id = int(request.GET.get("project") or 0)
    except ValueError:
        project_id = 0
    project = owner.projects.filter(pk=project_id).first() if project_id else None
    entry = PurchaseRequestEntry(request.POST or None, owner=owner, project=project)
    return _request_entry_page(
        request,
        entry,
        lambda terms: purchase_request_create(
            actor=request.user, project=entry.form.cleaned_data["project"], terms=terms
        ),
        success=lambda created: (
            _("Draft %(number)s saved. Check it, then publish it.") % {"number": created.number}
        ),
        context={"has_projects": owner.projects.exists()},
    )


@owner_required
def request_edit(request: HttpRequest, number: str) -> HttpResponse:
    purchase_request = _own_request(request, number)
    if purchase_request.status != Status.DRAFT:
        messages.error(
            request, _("A published request cannot be changed; cancel it and publish a new one.")
        )
        return _to_detail(purchase_request)
    entry = PurchaseRequestEntry(
        request.POST or None, owner=_owner(request), purchase_request=purchase_request
    )
    return _request_entry_page(
        request,
        entry,
        lambda terms: purchase_request_update(
            actor=request.user, purchase_request=purchase_request, terms=terms
        ),
        success=lambda changed: _("Draft %(number)s saved.") % {"number": changed.number},
        context={"has_projects": True, "purchase_request": purchase_request},
    )


def _scores_form(purchase_request: PurchaseRequest, data=None) -> ScoresForm:
    return ScoresForm(
        data, purchase_request=purchase_request, quotes=list(quotes_choosable(purchase_request))
    )


def _awaiting_owner(purchase_request: PurchaseRequest) -> str:
    """What the owner has to do in SELECTING: "choose", "score", or nothing."""
    if purchase_request.status != Status.SELECTING:
        return ""
    if purchase_request.selection_method in (SelectionMethod.DIRECT, SelectionMethod.CREDIT_MERIT):
        return "choose"
    if purchase_request.selection_method == SelectionMethod.SCORED:
        return "score"
    return ""


def _before_publishing(purchase_request: PurchaseRequest) -> dict:
    """What the owner should know before publishing: whether the service need be bought at
    all (R6, R8) and how many agencies may quote — a count, nothing more."""
    return {
        "may_self_prepare": purchase_request.service_item.owner_may_self_prepare,
        "covering": regional_assessment_covering(
            purchase_request=purchase_request, on=timezone.localdate()
        ),
        "eligible_count": eligible_agencies(purchase_request=purchase_request).count(),
    }


def _render_detail(
    request: HttpRequest, purchase_request: PurchaseRequest, **forms
) -> HttpResponse:
    awaiting = _awaiting_owner(purchase_request)
    context = {
        "purchase_request": purchase_request,
        "events": purchase_request.status_events.select_related("actor"),
        "exclusions": purchase_request.exclusions.select_related("agency__organisation"),
        "criteria": [
            {"label": criterion_label(c["name"]), "weight": c["weight"]}
            for c in purchase_request.scoring_criteria
        ],
        # Empty until the quotes are opened after the deadline: never an amount before.
        "quotes": notice_opened_quotes(purchase_request=purchase_request),
        "awaiting": awaiting,
        "republished_as": PurchaseRequest.objects.filter(republished_from=purchase_request).first(),
        "verifiable": bool(purchase_request.draw_record and purchase_request.draw_secret),
        "objections": objections_for_owner(purchase_request=purchase_request),
    }
    if purchase_request.status == Status.DRAFT:
        context.update(_before_publishing(purchase_request))
    else:
        context["invited_count"] = purchase_request.invitations.count()
    if awaiting == "choose":
        context["choose_form"] = forms.get("choose_form") or ChooseForm(
            quotes=quotes_choosable(purchase_request)
        )
        result = (purchase_request.draw_record or {}).get("result") or {}
        context["shortlist"] = result.get("shortlist")
        context["longlist"] = result.get("longlist")
    elif awaiting == "score":
        context["scores_form"] = forms.get("scores_form") or _scores_form(purchase_request)
    if purchase_request.status == Status.AWARDED:
        context["held"] = award_is_held(purchase_request)
        if purchase_request.publicity_open:
            context["objection_form"] = forms.get("objection_form") or ObjectionForm()
    return render(request, "market/owner/request_detail.html", context)


@owner_required
def request_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _render_detail(request, _own_request(request, number))


@owner_required
def request_publish(request: HttpRequest, number: str) -> HttpResponse:
    purchase_request = _own_request(request, number)
    if purchase_request.status != Status.DRAFT:
        messages.info(request, _("This request has already been published."))
        return _to_detail(purchase_request)
    context: dict = {"purchase_request": purchase_request}
    if request.method == "POST":
        try:
            purchase_request_publish(actor=request.user, purchase_request=purchase_request)
        except ApplicationError as exc:
            context["error"] = exc.message
            context["regional_assessment_url"] = exc.extra.get("regional_assessment_url")
        else:
            messages.success(
                request,
                _("%(number)s is published; the eligible agencies are invited to quote.")
                % {"number": purchase_request.number},
            )
            return _to_detail(purchase_request)
    context.update(_before_publishing(purchase_request))
    return render(request, "market/owner/request_publish.html", context)


@owner_required
def request_cancel(request: HttpRequest, number: str) -> HttpResponse:
    purchase_request = _own_request(request, number)
    if not purchase_request.can_be_cancelled:
        messages.error(request, _("This request can no longer be cancelled."))
        return _to_detail(purchase_request)
    form = CancelForm(request.POST or None)
    done = handle_form(
        request,
        form,
        lambda data: purchase_request_cancel(
            actor=request.user, purchase_request=purchase_request, reason=data["reason"]
        ),
        success=_("The request is cancelled; the reason is published."),
        redirect_to=_to_detail,
    )
    return done or render(
        request,
        "market/owner/request_cancel.html",
        {"purchase_request": purchase_request, "form": form},
    )


@owner_required
def request_republish(request: HttpRequest, number: str) -> HttpResponse:
    purchase_request = _own_request(request, number)
    if purchase_request.status != Status.FAILED:
        messages.error(request, _("Only a failed request can be re-published."))
        return _to_detail(purchase_request)
    form = RepublishForm(
        request.POST or None, initial={"quote_deadline": default_republish_deadline()}
    )
    done = handle_form(
        request,
        form,
        lambda data: purchase_request_republish(
            actor=request.user,
            purchase_request=purchase_request,
            quote_deadline=data["quote_deadline"],
        ),
        success=lambda copy: (
            _("Re-published as %(number)s with the same terms.") % {"number": copy.number}
        ),
        redirect_to=_to_detail,
    )
    return done or render(
        request,
        "market/owner/request_republish.html",
        {"purchase_request": purchase_request, "form": form},
    )


@owner_required
@require_POST
def request_choose(request: HttpRequest, number: str) -> HttpResponse:
    purchase_request = _own_request(request, number)
    if _awaiting_owner(purchase_request) != "choose":
        messages.error(request, _("This request is not waiting for the owner's choice."))
        return _to_detail(purchase_request)
    form = ChooseForm(request.POST, quotes=quotes_choosable(purchase_request))
    done = handle_form(
        request,
        form,
        lambda data: selection_choose(
            actor=request.user, purchase_request=purchase_request, agency=data["quote"].agency
        ),
        success=_("The agency is selected; the award is now public."),
        redirect_to=_to_detail,
    )
    return done or _render_detail(request, purchase_request, choose_form=form)


@owner_required
@require_POST
def request_scores(request: HttpRequest, number: str) -> HttpResponse:
    purchase_request = _own_request(request, number)
    if _awaiting_owner(purchase_request) != "score":
        messages.error(request, _("This request is not waiting for scores."))
        return _to_detail(purchase_request)
    form = _scores_form(purchase_request, request.POST)
    done = handle_form(
        request,
        form,
        lambda data: selection_scored_decide(
            actor=request.user, purchase_request=purchase_request, scores=form.scores()
        ),
        success=_("The marks are recorded and the agency is selected."),
        redirect_to=_to_detail,
    )
    return done or _render_detail(request, purchase_request, scores_form=form)


@owner_required
@require_POST
def request_objection(request: HttpRequest, number: str) -> HttpResponse:
    purchase_request = _own_request(request, number)
    if not purchase_request.publicity_open:
        messages.error(request, _("Objections are taken only during the publicity period."))
        return _to_detail(purchase_request)
    form = ObjectionForm(request.POST)
    done = handle_form(
        request,
        form,
        lambda data: objection_file(
            actor=request.user, purchase_request=purchase_request, text=data["text"]
        ),
        success=_("Your objection is filed; the award is held until it is answered."),
        redirect_to=lambda objection: _to_detail(purchase_request),
    )
    return done or _render_detail(request, purchase_request, objection_form=form)
