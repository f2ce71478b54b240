from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.forms import OrganisationContactForm
from accounts.permissions import allowed
from accounts.services import organisation_update
from core.forms import handle_form


@login_required
def account_detail(request: HttpRequest) -> HttpResponse:
    organisation = request.user.organisation
    return render(
        request,
        "accounts/account_detail.html",
        {
            "organisation": organisation,
            "can_edit_organisation": allowed(
                "accounts.administer_organisation", request.user, organisation
            ),
        },
    )


@login_required
def organisation_edit(request: HttpRequest) -> HttpResponse:
    organisation = request.user.organisation
    if not allowed("accounts.administer_organisation", request.user, organisation):
        raise PermissionDenied
    form = OrganisationContactForm(request.POST or None, instance=organisation)
    done = handle_form(
        request,
        form,
        lambda data: organisation_update(actor=request.user, organisation=organisation, data=data),
        success=_("The organisation's details were saved."),
        redirect_to="accounts:detail",
    )
    return done or render(request, "accounts/organisation_edit.html", {"form": form})
