"""The public roster and agency pages, registration, and an agency's self-service pages under
/agencies/me/. Views parse and render; the services decide."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from wagtail import hooks

from accounts.models import User
from accounts.permissions import allowed
from agencies.forms import (
    AffiliationForm,
    AgencyProfileForm,
    AgencyRegistrationForm,
    CertificateFormSet,
    PractitionerForm,
    QualificationForm,
    ScopeSettingsForm,
    apply_error,
)
from agencies.models import Agency, AgencyServiceScope, Practitioner, Qualification
from agencies.selectors import (
    SORT_NAME,
    SORTS,
    affiliation_list_for_agency,
    agency_for_member,
    agency_overview,
    agency_public_detail,
    agency_public_list,
    practitioner_list_for_agency,
    qualification_list_for_agency,
    roster_filter_choices,
    scope_list_for_agency,
)
from agencies.services.affiliations import affiliation_add
from agencies.services.practitioners import practitioner_add, practitioner_remove
from agencies.services.profile import agency_profile_update
from agencies.services.qualifications import (
    qualification_add,
    qualification_remove,
    qualification_update,
)
from agencies.services.registration import agency_register, agency_registration_errors
from agencies.services.scope_settings import scope_settings_update
from agencies.services.status import agency_reenter, agency_submit_for_review
from core.exceptions import ApplicationError
from core.files import serve_private
from core.forms import handle_form, is_row_id
from core.kept_uploads import UploadKeeper
from core.pagination import paginate_keyset

# Apps above the roster add a section to an agency's public page through this hook: each
# function takes the agency and returns HTML (safe, rendered from its own template) or "".
AGENCY_PAGE_HOOK = "agency_page_sections"

# ---------------------------------------------------------------------------------------------
# Public pages


def _id_param(request: HttpRequest, name: str) -> int | None:
    """A row id from the query string; anything no row could have as its id is no filter."""
    value = request.GET.get(name, "")
    return (int(value) or None) if is_row_id(value) else None


def agency_list(request: HttpRequest) -> HttpResponse:
    filters = {
        "service_item_id": _id_param(request, "item"),
        "qualification_type_id": _id_param(request, "qualification"),
        # NUL can name no region, and PostgreSQL refuses it in any query.
        "region": request.GET.get("region", "").replace("\x00", "")[:100],
        "sort": request.GET.get("sort") if request.GET.get("sort") in SORTS else SORT_NAME,
    }
    query = {
        "item": filters["service_item_id"],
        "qualification": filters["qualification_type_id"],
        "region": filters["region"],
        "sort": filters["sort"] if filters["sort"] != SORT_NAME else "",
    }
    return render(
        request,
        "agencies/agency_list.html",
        {
            "page": paginate_keyset(request, agency_public_list(**filters)),
            "filters": filters,
            "filter_query_string": urlencode({key: value for key, value in query.items() if value}),
            "unfiltered": not any(query.values()),
            **roster_filter_choices(),
        },
    )


def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        agency = agency_public_detail(organisation_id=pk)
    except Agency.DoesNotExist as exc:
        raise Http404 from exc
    # Apps above the roster add sections they know about (contracts: the delivery record).
    sections = [section for add in hooks.get_hooks(AGENCY_PAGE_HOOK) if (section := add(agency))]
    return render(request, "agencies/agency_detail.html", {"agency": agency, "sections": sections})


def agency_licence(request: HttpRequest, pk: int) -> HttpResponse:
    """The licence scan, for the agency and regulators; anyone else gets 404 (private files
    are not admitted to exist)."""
    agency = Agency.objects.select_related("organisation").filter(pk=pk).first()
    if (
        agency is None
        or not agency.business_licence
        or not allowed("agencies.view_documents", request.user, agency)
    ):
        raise Http404
    return serve_private(
        request, agency.business_licence, download_name=f"licence-{agency.organisation.credit_code}"
    )


def certificate_scan(request: HttpRequest, pk: int) -> HttpResponse:
    qualification = Qualification.objects.select_related("agency").filter(pk=pk).first()
    if (
        qualification is None
        or not qualification.scan
        or not allowed("agencies.view_certificate_scan", request.user, qualification)
    ):
        raise Http404
    return serve_private(
        request, qualification.scan, download_name=f"certificate-{qualification.number}"
    )


@sensitive_post_parameters("password", "password_again")
def agency_register_view(request: HttpRequest) -> HttpResponse:
    """One submission reports everything: the form's, the certificates' and the service's
    errors together, the service being asked about what the form could read even when the
    form failed; the uploads that passed their checks are kept for the next submission."""
    if request.user.is_authenticated:
        messages.info(request, _("Sign out first to register another agency."))
        return redirect("cms:workspace")
    form = AgencyRegistrationForm(request.POST or None, request.FILES or None)
    formset = CertificateFormSet(request.POST or None, request.FILES or None, prefix="certificates")
    if request.method == "POST":
        keeper = UploadKeeper(request)
        keeper.restore(form, *formset.forms)
        # Both validated, so that the certificates' errors show beside the form's.
        valid = all([form.is_valid(), formset.is_valid()])
        registration = None
        if valid:
            try:
                registration = agency_register(
                    **form.service_kwargs(), certificates=formset.certificates()
                )
            except ApplicationError as exc:
                apply_error(form, exc, formset)
        else:
            # What the form could read still goes to the service's checks: a weak password or
            # a taken username is shown now, not after the form's errors are fixed.
            checked = {
                key: value
                for key, value in form.service_kwargs().items()
                if key not in ("region", "display_name")
            }
            errors = agency_registration_errors(
                **checked, certificates=formset.partial_certificates()
            )
            apply_error(
                form,
                ApplicationError(
                    _("Please correct the errors below."), code="invalid", extra=errors
                ),
                formset,
            )
        if registration is None:
            keeper.keep(form, *formset.forms)
        else:
            keeper.discard(form, *formset.forms)
            login(request, registration.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Your agency is registered and waiting for review. You are signed in."),
            )
            return redirect("agencies:me")
    return render(request, "agencies/register.html", {"form": form, "formset": formset})


# ---------------------------------------------------------------------------------------------
# Self-service: the signed-in user's own agency


def _my_agency(request: HttpRequest) -> Agency:
    agency = agency_for_member(user=request.user)
    if agency is None:
        raise Http404(_("Your organisation is not an agency on the roster."))
    return agency


def _can_edit(user: User, agency: Agency) -> bool:
    return allowed("agencies.act_for_agency", user, agency)


def _editable_agency(request: HttpRequest) -> Agency:
    agency = _my_agency(request)
    if not _can_edit(request.user, agency):
        raise PermissionDenied
    return agency


def _owned(request: HttpRequest, model, pk: int, **filters):
    """An object of some agency, which the user must administer (403 otherwise)."""
    obj = get_object_or_404(model.objects.select_related("agency__organisation"), pk=pk, **filters)
    if not _can_edit(request.user, obj.agency):
        raise PermissionDenied
    return obj


def _page(request: HttpRequest, template: str, agency: Agency, **context) -> HttpResponse:
    return render(
        request,
        template,
        {"agency": agency, "can_edit": _can_edit(request.user, agency), **context},
    )


@login_required
def me(request: HttpRequest) -> HttpResponse:
    agency = agency_overview(agency=_my_agency(request))
    return _page(request, "agencies/me/overview.html", agency)


@login_required
@require_POST
def me_resubmit(request: HttpRequest) -> HttpResponse:
    """Send a returned agency back for review, or ask to re-enter after leaving the roster."""
    agency = _editable_agency(request)
    try:
        if agency.status == Agency.Status.EXITED:
            agency_reenter(agency=agency, actor=request.user)
        else:
            agency_submit_for_review(agency=agency, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The agency is waiting for review again."))
    return redirect("agencies:me")


@login_required
def me_profile(request: HttpRequest) -> HttpResponse:
    agency = _editable_agency(request)
    organisation = agency.organisation
    initial = {
        "legal_representative": agency.legal_representative,
        "region": organisation.region,
        "address": organisation.address,
        "contact_name": organisation.contact_name,
        "contact_phone": organisation.contact_phone,
    }
    form = AgencyProfileForm(request.POST or None, request.FILES or None, initial=initial)
    done = handle_form(
        request,
        form,
        lambda data: agency_profile_update(actor=request.user, agency=agency, **data),
        success=_("The agency's details were saved."),
        redirect_to="agencies:me",
    )
    if done:
        return done
    return _page(request, "agencies/me/profile_form.html", agency, form=form)


@login_required
def me_qualifications(request: HttpRequest) -> HttpResponse:
    agency = _my_agency(request)
    return _page(
        request,
        "agencies/me/qualification_list.html",
        agency,
        qualifications=qualification_list_for_agency(agency=agency),
    )


@login_required
def me_qualification_add(request: HttpRequest) -> HttpResponse:
    agency = _editable_agency(request)
    form = QualificationForm(request.POST or None, request.FILES or None)
    done = handle_form(
        request,
        form,
        lambda data: qualification_add(actor=request.user, agency=agency, **form.service_kwargs()),
        success=_("The certificate was added; the scope is up to date."),
        redirect_to="agencies:me_qualifications",
    )
    if done:
        return done
    return _page(request, "agencies/me/qualification_form.html", agency, form=form)


@login_required
def me_qualification_edit(request: HttpRequest, pk: int) -> HttpResponse:
    qualification = _owned(request, Qualification, pk)
    initial = {
        field: getattr(qualification, field)
        for field in ("qualification_type", "grade", "number", "issuer", "valid_from", "valid_to")
    }
    form = QualificationForm(
        request.POST or None, request.FILES or None, initial=initial, scan_required=False
    )
    done = handle_form(
        request,
        form,
        lambda data: qualification_update(
            actor=request.user, qualification=qualification, **form.service_kwargs()
        ),
        success=_("The certificate was saved; the scope is up to date."),
        redirect_to="agencies:me_qualifications",
    )
    if done:
        return done
    return _page(
        request,
        "agencies/me/qualification_form.html",
        qualification.agency,
        form=form,
        qualification=qualification,
    )


def _confirm_remove(
    request: HttpRequest, *, obj, remove, label: str, back: str, done: str
) -> HttpResponse:
    """GET shows what will be removed; POST removes it."""
    if request.method == "POST":
        try:
            remove()
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done)
        return redirect(back)
    return _page(
        request,
        "agencies/me/confirm_remove.html",
        obj.agency,
        label=label,
        thing=obj,
        back=back,
    )


@login_required
def me_qualification_remove(request: HttpRequest, pk: int) -> HttpResponse:
    qualification = _owned(request, Qualification, pk)
    return _confirm_remove(
        request,
        obj=qualification,
        remove=lambda: qualification_remove(actor=request.user, qualification=qualification),
        label=_("the certificate %(certificate)s") % {"certificate": qualification},
        back="agencies:me_qualifications",
        done=_("The certificate was removed; the scope is up to date."),
    )


@login_required
@sensitive_post_parameters("id_number")
def me_practitioners(request: HttpRequest) -> HttpResponse:
    agency = _my_agency(request)
    form = PractitionerForm(request.POST or None)
    if request.method == "POST" and not _can_edit(request.user, agency):
        raise PermissionDenied
    done = handle_form(
        request,
        form,
        lambda data: practitioner_add(actor=request.user, agency=agency, **data),
        success=lambda practitioner: (
            _("%(name)s was added to the practitioners.") % {"name": practitioner.name}
        ),
        redirect_to="agencies:me_practitioners",
    )
    if done:
        return done
    return _page(
        request,
        "agencies/me/practitioner_list.html",
        agency,
        form=form,
        practitioners=practitioner_list_for_agency(agency=agency),
    )


@login_required
def me_practitioner_remove(request: HttpRequest, pk: int) -> HttpResponse:
    practitioner = _owned(request, Practitioner, pk, active=True)
    return _confirm_remove(
        request,
        obj=practitioner,
        remove=lambda: practitioner_remove(actor=request.user, practitioner=practitioner),
        label=_("the practitioner %(name)s") % {"name": practitioner.name},
        back="agencies:me_practitioners",
        done=_("The practitioner was removed."),
    )


@login_required
def me_affiliations(request: HttpRequest) -> HttpResponse:
    agency = _my_agency(request)
    form = AffiliationForm(request.POST or None)
    if request.method == "POST" and not _can_edit(request.user, agency):
        raise PermissionDenied
    done = handle_form(
        request,
        form,
        lambda data: affiliation_add(actor=request.user, agency=agency, **data),
        success=lambda result: _("The tie was declared; the scope is up to date."),
        redirect_to="agencies:me_affiliations",
    )
    if done:
        return done
    return _page(
        request,
        "agencies/me/affiliation_list.html",
        agency,
        form=form,
        affiliations=affiliation_list_for_agency(agency=agency),
    )


@login_required
def me_scope(request: HttpRequest) -> HttpResponse:
    agency = _my_agency(request)
    return _page(
        request, "agencies/me/scope_list.html", agency, scopes=scope_list_for_agency(agency=agency)
    )


@login_required
def me_scope_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _owned(request, AgencyServiceScope, pk, in_scope=True)
    form = ScopeSettingsForm(
        request.POST or None,
        initial={
            "committed_time_limit_days": scope.committed_time_limit_days,
            "fee_policy": scope.fee_policy,
        },
    )
    done = handle_form(
        request,
        form,
        lambda data: scope_settings_update(actor=request.user, scope=scope, **data),
        success=_("The commitments were saved."),
        redirect_to="agencies:me_scope",
    )
    if done:
        return done
    return _page(request, "agencies/me/scope_form.html", scope.agency, form=form, scope=scope)
