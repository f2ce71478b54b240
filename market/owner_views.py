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
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Organisation, Role
from core.exceptions import ApplicationError
from core.forms import apply_application_error
from core.pagination import paginate
from market.models import Objection, PurchaseRequest, Quote, SelectionMethod
from market.owner_forms import (
    CancelForm,
    ChooseForm,
    ObjectionForm,
    ProjectForm,
    PurchaseRequestForm,
    RepublishForm,
    ScoresForm,
    criterion_label,
    default_republish_deadline,
)
from market.selectors import (
    eligible_agencies,
    notice_opened_quotes,
    project_list_for_owner,
    purchase_request_list_for_owner,
    regional_assessment_covering,
)
from market.services.requests import (
    project_create,
    purchase_request_cancel,
    purchase_request_create,
    purchase_request_publish,
    purchase_request_republish,
    purchase_request_sync,
)
from market.services.selection import (
    award_is_held,
    objection_file,
    selection_choose,
    selection_scored_decide,
)

Status = PurchaseRequest.Status
CANCELLABLE = (Status.DRAFT, Status.PUBLISHED, Status.QUOTING)


def owner_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, as a member of a project owner. Departments never act here (R4)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.role != Role.PROJECT_OWNER:
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
            .select_related("service_item__approval_department", "winner__organisation")
            .get(number=number)
        )
    except PurchaseRequest.DoesNotExist:
        raise Http404 from None


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
    if request.method == "POST" and form.is_valid():
        try:
            project = project_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            apply_application_error(form, exc)
        else:
            messages.success(
                request,
                _("The project %(name)s is registered.") % {"name": project.name},
            )
            return redirect("owner:projects")
    return render(request, "market/owner/project_form.html", {"form": form})


# Purchase requests ----------------------------------------------------------------------------


@owner_required
def request_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    requests = purchase_request_list_for_owner(owner=_owner(request)).select_related(
        "winner__organisation"
    )
    if status in Status.values:
        requests = requests.filter(status=status)
    else:
        status = ""
    return render(
        request,
        "market/owner/request_list.html",
        {
            "page": paginate(request, requests),
            "status": status,
            "statuses": Status.choices,
            "query_string": f"status={status}" if status else "",
            "now": timezone.now(),
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
    form = PurchaseRequestForm(request.POST or None, owner=owner, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            created = purchase_request_create(
                actor=request.user, project=form.cleaned_data["project"], terms=form.terms()
            )
        except ApplicationError as exc:
            apply_application_error(form, exc)
        else:
            messages.success(
                request,
                _("Draft %(number)s saved. Check it, then publish it.")
                % {"number": created.number},
            )
            return redirect("owner:request_detail", number=created.number)
    return render(
        request,
        "market/owner/request_form.html",
        {"form": form, "has_projects": owner.projects.exists()},
    )


def _choosable_quotes(pr: PurchaseRequest) -> QuerySet[Quote]:
    """The opened quotes the owner may choose from: valid, not declined, and for credit merit
    only those on the drawn short list."""
    quotes = (
        notice_opened_quotes(request=pr)
        .filter(valid=True)
        .exclude(agency__in=pr.declines.values("agency"))
    )
    if pr.selection_method == SelectionMethod.CREDIT_MERIT:
        shortlist = ((pr.draw_record or {}).get("result") or {}).get("shortlist") or []
        quotes = quotes.filter(agency__organisation__credit_code__in=shortlist)
    return quotes


def _scores_form(pr: PurchaseRequest, data=None) -> ScoresForm:
    return ScoresForm(data, request=pr, quotes=list(_choosable_quotes(pr)))


def _awaiting_owner(pr: PurchaseRequest) -> str:
    """What the owner has to do in SELECTING: "choose", "score", or nothing."""
    if pr.status != Status.SELECTING:
        return ""
    if pr.selection_method in (SelectionMethod.DIRECT, SelectionMethod.CREDIT_MERIT):
        return "choose"
    if pr.selection_method == SelectionMethod.SCORED:
        return "score"
    return ""


def _publicity_open(pr: PurchaseRequest) -> bool:
    return (
        pr.status == Status.AWARDED
        and pr.publicity_ends_on is not None
        and timezone.localdate() <= pr.publicity_ends_on
    )


def _before_publishing(pr: PurchaseRequest) -> dict:
    """What the owner should know before publishing: whether the service need be bought at
    all (R6, R8) and how many agencies may quote — a count, nothing more."""
    return {
        "may_self_prepare": pr.service_item.owner_may_self_prepare,
        "covering": regional_assessment_covering(request=pr, on=timezone.localdate()),
        "eligible_count": eligible_agencies(request=pr).count(),
    }


def _render_detail(request: HttpRequest, pr: PurchaseRequest, **forms) -> HttpResponse:
    awaiting = _awaiting_owner(pr)
    context = {
        "pr": pr,
        "events": pr.events.select_related("actor").order_by("created_at", "pk"),
        "exclusions": pr.exclusions.select_related("agency__organisation"),
        "criteria": [
            {"label": criterion_label(c["name"]), "weight": c["weight"]}
            for c in pr.scoring_criteria
        ],
        # Empty until the quotes are opened after the deadline: never an amount before.
        "quotes": notice_opened_quotes(request=pr),
        "awaiting": awaiting,
        "can_cancel": pr.status in CANCELLABLE,
        "republished_as": PurchaseRequest.objects.filter(republished_from=pr).first(),
        "verifiable": bool(pr.draw_record and pr.draw_secret),
    }
    if pr.status == Status.DRAFT:
        context.update(_before_publishing(pr))
    else:
        context["invited_count"] = pr.invitations.count()
    if awaiting == "choose":
        context["choose_form"] = forms.get("choose_form") or ChooseForm(
            quotes=_choosable_quotes(pr)
        )
        result = (pr.draw_record or {}).get("result") or {}
        context["shortlist"] = result.get("shortlist")
        context["longlist"] = result.get("longlist")
    elif awaiting == "score":
        context["scores_form"] = forms.get("scores_form") or _scores_form(pr)
    if pr.status == Status.AWARDED:
        context["publicity_open"] = _publicity_open(pr)
        context["held"] = award_is_held(pr)
        if context["publicity_open"]:
            context["objection_form"] = forms.get("objection_form") or ObjectionForm()
    context["objections"] = pr.objections.filter(
        Q(filed_by__organisation=pr.project.owner_id) | ~Q(status=Objection.Status.PENDING)
    ).order_by("filed_at")
    return render(request, "market/owner/request_detail.html", context)


@owner_required
def request_detail(request: HttpRequest, number: str) -> HttpResponse:
    # The page reads the server clock itself: a deadline that has passed is closed, opened
    # and (where the method decides alone) selected now, whether or not the scheduler ran.
    pr = purchase_request_sync(request=_own_request(request, number))
    return _render_detail(request, pr)


@owner_required
def request_publish(request: HttpRequest, number: str) -> HttpResponse:
    pr = _own_request(request, number)
    if pr.status != Status.DRAFT:
        messages.info(request, _("This request has already been published."))
        return redirect("owner:request_detail", number=pr.number)
    context: dict = {"pr": pr}
    if request.method == "POST":
        try:
            purchase_request_publish(actor=request.user, request=pr)
        except ApplicationError as exc:
            context["error"] = exc.message
            context["regional_assessment_url"] = exc.extra.get("regional_assessment_url")
        else:
            messages.success(
                request,
                _("%(number)s is published; the eligible agencies are invited to quote.")
                % {"number": pr.number},
            )
            return redirect("owner:request_detail", number=pr.number)
    context.update(_before_publishing(pr))
    return render(request, "market/owner/request_publish.html", context)


@owner_required
def request_cancel(request: HttpRequest, number: str) -> HttpResponse:
    pr = _own_request(request, number)
    if pr.status not in CANCELLABLE:
        messages.error(request, _("This request can no longer be cancelled."))
        return redirect("owner:request_detail", number=pr.number)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            purchase_request_cancel(
                actor=request.user, request=pr, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            apply_application_error(form, exc)
        else:
            messages.success(request, _("The request is cancelled; the reason is published."))
            return redirect("owner:request_detail", number=pr.number)
    return render(request, "market/owner/request_cancel.html", {"pr": pr, "form": form})


@owner_required
def request_republish(request: HttpRequest, number: str) -> HttpResponse:
    pr = _own_request(request, number)
    if pr.status != Status.FAILED:
        messages.error(request, _("Only a failed request can be re-published."))
        return redirect("owner:request_detail", number=pr.number)
    form = RepublishForm(
        request.POST or None, initial={"quote_deadline": default_republish_deadline()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            copy = purchase_request_republish(
                actor=request.user, request=pr, quote_deadline=form.cleaned_data["quote_deadline"]
            )
        except ApplicationError as exc:
            apply_application_error(form, exc)
        else:
            messages.success(
                request,
                _("Re-published as %(number)s with the same terms.") % {"number": copy.number},
            )
            return redirect("owner:request_detail", number=copy.number)
    return render(request, "market/owner/request_republish.html", {"pr": pr, "form": form})


@owner_required
@require_POST
def request_choose(request: HttpRequest, number: str) -> HttpResponse:
    pr = _own_request(request, number)
    if _awaiting_owner(pr) != "choose":
        messages.error(request, _("This request is not waiting for the owner's choice."))
        return redirect("owner:request_detail", number=pr.number)
    form = ChooseForm(request.POST, quotes=_choosable_quotes(pr))
    if form.is_valid():
        try:
            selection_choose(
                actor=request.user, request=pr, agency=form.cleaned_data["quote"].agency
            )
        except ApplicationError as exc:
            apply_application_error(form, exc)
        else:
            messages.success(request, _("The agency is selected; the award is now public."))
            return redirect("owner:request_detail", number=pr.number)
    return _render_detail(request, pr, choose_form=form)


@owner_required
@require_POST
def request_scores(request: HttpRequest, number: str) -> HttpResponse:
    pr = _own_request(request, number)
    if _awaiting_owner(pr) != "score":
        messages.error(request, _("This request is not waiting for scores."))
        return redirect("owner:request_detail", number=pr.number)
    form = _scores_form(pr, request.POST)
    if form.is_valid():
        try:
            selection_scored_decide(actor=request.user, request=pr, scores=form.scores())
        except ApplicationError as exc:
            apply_application_error(form, exc)
        else:
            messages.success(request, _("The marks are recorded and the agency is selected."))
            return redirect("owner:request_detail", number=pr.number)
    return _render_detail(request, pr, scores_form=form)


@owner_required
@require_POST
def request_objection(request: HttpRequest, number: str) -> HttpResponse:
    pr = _own_request(request, number)
    form = ObjectionForm(request.POST)
    if form.is_valid():
        try:
            objection_file(actor=request.user, request=pr, text=form.cleaned_data["text"])
        except ApplicationError as exc:
            apply_application_error(form, exc)
        else:
            messages.success(
                request, _("Your objection is filed; the award is held until it is answered.")
            )
            return redirect("owner:request_detail", number=pr.number)
    if not _publicity_open(pr):
        messages.error(request, _("Objections are taken only during the publicity period."))
        return redirect("owner:request_detail", number=pr.number)
    return _render_detail(request, pr, objection_form=form)
