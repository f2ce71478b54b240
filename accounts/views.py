from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.forms import OrganisationContactForm
from accounts.permissions import allowed
from accounts.services import organisation_update
from accounts.throttling import password_reset_throttled
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
            "two_factor_on": TOTPDevice.objects.filter(user=request.user, confirmed=True).exists(),
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


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page, throttled per address asked for and per client
    (accounts/throttling.py). Over a limit it sends nothing and answers exactly as after
    sending — the same redirect to the same page — so it reveals neither whether an account
    uses the address nor that a limit was reached."""

    def form_valid(self, form):
        if password_reset_throttled(self.request, email=form.cleaned_data["email"]):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)
