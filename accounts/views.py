from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.forms import OrganisationContactForm
from accounts.services import organisation_update
from core.exceptions import ApplicationError
from core.forms import apply_application_error


@login_required
def account_detail(request: HttpRequest) -> HttpResponse:
    organisation = request.user.organisation
    return render(
        request,
        "accounts/account_detail.html",
        {
            "organisation": organisation,
            "can_edit_organisation": organisation is not None
            and request.user.has_perm("accounts.change_organisation", organisation),
        },
    )


@login_required
def organisation_edit(request: HttpRequest) -> HttpResponse:
    organisation = request.user.organisation
    if organisation is None or not request.user.has_perm(
        "accounts.change_organisation", organisation
    ):
        raise PermissionDenied
    form = OrganisationContactForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            organisation_update(
                actor=request.user, organisation=organisation, data=form.cleaned_data
            )
        except ApplicationError as exc:
            apply_application_error(form, exc)
        else:
            messages.success(request, _("The organisation's details were saved."))
            return redirect("accounts:detail")
    return render(request, "accounts/organisation_edit.html", {"form": form})
