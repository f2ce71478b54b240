"""The pages of a contract for those who may read it (contracts.view_contract): its parties,
the approval department its service serves, and regulators. Anyone else gets 404 — a
contract's existence is not disclosed. Views parse and render; contracts/services decide."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail import hooks

from accounts.permissions import allowed
from accounts.services import user_reauthenticate
from contracts import clock
from contracts.models import Contract, ContractVersion, Deliverable, Party
from contracts.party_forms import (
    AcceptForm,
    AmendForm,
    DeliverableForm,
    ReturnForm,
    SignForm,
    TerminateForm,
)
from contracts.selectors import contract_detail as contract_read
from contracts.selectors import contract_list_for, deliverables_waiting
from contracts.services.delivery import (
    contract_deliver,
    deliverable_upload,
    delivery_accept,
    delivery_return,
)
from contracts.services.lifecycle import (
    can_amend,
    can_terminate,
    contract_amend,
    contract_close,
    contract_terminate,
    party_to_sign,
    signing_version,
)
from contracts.services.lifecycle import contract_sign as sign
from core.exceptions import ApplicationError
from core.files import serve_private
from core.forms import apply_application_error, handle_form
from core.pagination import paginate

_RULE = {Party.OWNER: "contracts.act_for_owner", Party.AGENCY: "contracts.act_for_agency"}

# Apps above contracts add a section to a contract's page through this hook (credit: the
# ratings of a finished service): each function takes the request and the contract and returns
# HTML (safe, rendered from its own template) or "".
CONTRACT_PAGE_HOOK = "contract_page_sections"


def _contract(request: HttpRequest, number: str) -> Contract:
    try:
        return contract_read(user=request.user, number=number)
    except Contract.DoesNotExist:
        raise Http404 from None


@login_required
def contract_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "contracts/party/list.html",
        {"page": paginate(request, contract_list_for(user=request.user))},
    )


def _signer_party(request: HttpRequest, contract: Contract, version) -> Party | None:
    """The party whose turn it is, if the user may sign for it."""
    if version is None:
        return None
    party = party_to_sign(contract, version)
    if party is None or not allowed(_RULE[party], request.user, contract):
        return None
    return party


def _needs_code(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _delivery_forms(request: HttpRequest, contract: Contract, given: dict) -> dict:
    """The delivery forms the user may use now, `given` ones (with their errors) kept."""
    forms: dict = {}
    status = contract.status
    if allowed("contracts.act_for_agency", request.user, contract) and clock.is_running(contract):
        forms["upload_form"] = given.get("upload_form") or DeliverableForm(
            milestones=contract.milestones.all()
        )
        # Delivering needs a file uploaded since the owner's last answer (contract_deliver).
        forms["can_deliver"] = deliverables_waiting(contract=contract).exists()
    if allowed("contracts.act_for_owner", request.user, contract) and status == "delivered":
        forms["accept_form"] = given.get("accept_form") or AcceptForm()
        forms["return_form"] = given.get("return_form") or ReturnForm()
    if allowed("contracts.act_for_owner", request.user, contract) and status == "accepted":
        forms["can_close"] = True
    return forms


def _detail(request: HttpRequest, contract: Contract, *, sign_form=None, **given) -> HttpResponse:
    versions = list(contract.versions.all())
    waiting = next((v for v in reversed(versions) if v.in_force_at is None), None)
    party = _signer_party(request, contract, waiting)
    if party is not None and sign_form is None:
        sign_form = SignForm(needs_code=_needs_code(request.user))
    shown = waiting or (versions[-1] if versions else None)
    return render(
        request,
        "contracts/party/detail.html",
        {
            "contract": contract,
            "versions": versions,
            "shown": shown,
            "waiting": waiting,
            "waiting_for": party_to_sign(contract, waiting) if waiting else None,
            "sign_party": party,
            "sign_form": sign_form if party is not None else None,
            "can_amend": can_amend(request.user, contract),
            "can_terminate": can_terminate(request.user, contract),
            "milestones": contract.milestones.prefetch_related("deliverables"),
            "clock": {
                "started_on": clock.contract_started_on(contract),
                "used": clock.workdays_used(contract),
                "due_on": clock.contract_due_on(contract),
                "days_left": clock.days_left(contract),
                "overdue": clock.is_overdue(contract),
                "running": clock.is_running(contract),
            }
            if contract.in_force_at
            else None,
            **_delivery_forms(request, contract, given),
            "sections": [
                section
                for add in hooks.get_hooks(CONTRACT_PAGE_HOOK)
                if (section := add(request, contract))
            ],
        },
    )


@login_required
def contract_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _detail(request, _contract(request, number))


@login_required
@require_POST
def contract_sign(request: HttpRequest, number: str) -> HttpResponse:
    contract = _contract(request, number)
    party = _signer_party(request, contract, signing_version(contract))
    if party is None:
        messages.error(request, _("There is nothing for you to sign on this contract now."))
        return redirect("contract_party:detail", number=contract.number)
    form = SignForm(request.POST, needs_code=_needs_code(request.user))
    if not form.is_valid():
        _password_errors_too(request, form)
    else:
        try:
            sign(
                actor=request.user,
                contract=contract,
                party=party,
                password=form.cleaned_data["password"],
                code=form.cleaned_data.get("code", ""),
            )
        except ApplicationError as error:
            apply_application_error(form, error)
        else:
            messages.success(
                request,
                _("Signed for %(organisation)s.") % {"organisation": request.user.organisation},
            )
            return redirect("contract_party:detail", number=contract.number)
    return _detail(request, _contract(request, number), sign_form=form)


def _password_errors_too(request: HttpRequest, form: SignForm) -> None:
    """Every error at once: a typed password is checked even when the box is unticked (and
    counts towards the limit on wrong tries, like any other)."""
    if not request.POST.get("password"):
        return
    try:
        user_reauthenticate(
            user=request.user,
            password=request.POST["password"],
            code=request.POST.get("code", ""),
        )
    except ApplicationError as error:
        for field, field_messages in error.extra.items():
            if field in form.fields and field not in form.errors:
                for message in field_messages:
                    form.add_error(field, message)
        if not error.extra:
            form.add_error(None, error.message)


@login_required
def contract_pdf_download(request: HttpRequest, number: str, version: int) -> HttpResponseBase:
    contract = _contract(request, number)
    try:
        stored = contract.versions.get(number=version)
    except ContractVersion.DoesNotExist:
        raise Http404 from None
    if stored.is_generating:
        raise Http404
    return serve_private(request, stored.pdf, download_name=f"{contract.number}-v{version}")


def _to_detail(contract: Contract) -> HttpResponse:
    return redirect("contract_party:detail", number=contract.number)


@login_required
def contract_amend_page(request: HttpRequest, number: str) -> HttpResponse:
    contract = _contract(request, number)
    if not can_amend(request.user, contract):
        raise Http404
    current = contract.versions.order_by("-number").first()
    form = AmendForm(request.POST or None, initial={"text": current.text if current else ""})
    done = handle_form(
        request,
        form,
        lambda data: contract_amend(actor=request.user, contract=contract, **data),
        success=lambda version: (
            _("Version %(number)d is made; it is drawn as a PDF and then signed by both parties.")
            % {"number": version.number}
        ),
        redirect_to=lambda version: _to_detail(contract),
    )
    return done or render(
        request, "contracts/party/amend.html", {"contract": contract, "form": form}
    )


@login_required
def contract_terminate_page(request: HttpRequest, number: str) -> HttpResponse:
    contract = _contract(request, number)
    if not can_terminate(request.user, contract):
        raise Http404
    form = TerminateForm(request.POST or None)
    done = handle_form(
        request,
        form,
        lambda data: contract_terminate(
            actor=request.user, contract=contract, reason=data["reason"]
        ),
        success=_("The contract is ended; the reason is on its record."),
        redirect_to=_to_detail,
    )
    return done or render(
        request, "contracts/party/terminate.html", {"contract": contract, "form": form}
    )


# Delivery (R10) ---------------------------------------------------------------------------------


def _acted(request: HttpRequest, contract: Contract, message: str) -> HttpResponse:
    messages.success(request, message)
    return _to_detail(contract)


@login_required
@require_POST
def deliverable_add(request: HttpRequest, number: str) -> HttpResponse:
    contract = _contract(request, number)
    form = DeliverableForm(request.POST, request.FILES, milestones=contract.milestones.all())
    if form.is_valid():
        try:
            deliverable_upload(
                actor=request.user,
                milestone=form.cleaned_data["milestone"],
                upload=form.cleaned_data["upload"],
            )
        except ApplicationError as error:
            apply_application_error(form, error)
        else:
            return _acted(
                request,
                contract,
                _("The file is uploaded. Deliver when every file of the work is here."),
            )
    return _detail(request, contract, upload_form=form)


def _simple_action(request, contract, action, *, done: str, form=None, name: str = ""):
    """Run a delivery service from the detail page; a refusal goes back onto the page."""
    if form is not None and not form.is_valid():
        return _detail(request, contract, **{name: form})
    try:
        action()
    except ApplicationError as error:
        if form is None:
            messages.error(request, error.message)
            return _to_detail(contract)
        apply_application_error(form, error)
        return _detail(request, contract, **{name: form})
    return _acted(request, contract, done)


@login_required
@require_POST
def contract_deliver_view(request: HttpRequest, number: str) -> HttpResponse:
    contract = _contract(request, number)
    return _simple_action(
        request,
        contract,
        lambda: contract_deliver(actor=request.user, contract=contract),
        done=_("Delivered. The clock stands while the owner checks the work."),
    )


@login_required
@require_POST
def delivery_accept_view(request: HttpRequest, number: str) -> HttpResponse:
    contract = _contract(request, number)
    return _simple_action(
        request,
        contract,
        lambda: delivery_accept(actor=request.user, contract=contract),
        done=_("The work is accepted."),
        form=AcceptForm(request.POST),
        name="accept_form",
    )


@login_required
@require_POST
def delivery_return_view(request: HttpRequest, number: str) -> HttpResponse:
    contract = _contract(request, number)
    form = ReturnForm(request.POST)
    return _simple_action(
        request,
        contract,
        lambda: delivery_return(
            actor=request.user, contract=contract, reasons=form.cleaned_data["reasons"]
        ),
        done=_("The work is returned to the agency with your reasons."),
        form=form,
        name="return_form",
    )


@login_required
def deliverable_download(request: HttpRequest, number: str, pk: int) -> HttpResponseBase:
    contract = _contract(request, number)
    try:
        deliverable = Deliverable.objects.get(pk=pk, milestone__contract=contract)
    except Deliverable.DoesNotExist:
        raise Http404 from None
    stem = deliverable.original_name.rsplit(".", 1)[0] or f"{contract.number}-{pk}"
    return serve_private(request, deliverable.file, download_name=stem)


@login_required
@require_POST
def contract_close_view(request: HttpRequest, number: str) -> HttpResponse:
    contract = _contract(request, number)
    return _simple_action(
        request,
        contract,
        lambda: contract_close(actor=request.user, contract=contract),
        done=_("The contract is closed."),
    )
