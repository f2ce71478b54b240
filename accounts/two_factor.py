"""Two-factor sign-in with a time-based one-time code (TOTP, django-otp).

Required for regulators, approval departments and platform administrators
(accounts.permissions `accounts.needs_second_factor`): after the password, the session is
worth nothing until a code from their authenticator app is entered — on the site and in the
back office alike (SecondFactorMiddleware). Everyone else may turn it on from their account
page. The demo's government and administrator logins come with a device whose secret is
written in the README, so the demo stays usable."""

import base64
import io
from collections.abc import Callable
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

from accounts.permissions import allowed
from core.redirects import next_path

# Paths a signed-in user who still owes the second factor may reach: the steps themselves,
# signing out, the language switch and static files.
EXEMPT_PREFIXES = ("/accounts/two-factor/", "/accounts/logout/", "/i18n/", "/static/")


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def _next_url(request: HttpRequest) -> str:
    """Where to go after the step: a path on this site, else the workspace."""
    return next_path(request, reverse("cms:workspace"))


class SecondFactorMiddleware:
    """Send a signed-in user who needs a second factor and has not given one to give it
    (or to set it up), whatever page they asked for. After django_otp's OTPMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(EXEMPT_PREFIXES)
            and allowed("accounts.needs_second_factor", user)
        ):
            step = "verify" if _confirmed_device(user) else "setup"
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse(f'accounts:two_factor_{step}')}?{query}")
        return self.get_response(request)


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    device = _confirmed_device(request.user)
    if device is None:
        return redirect("accounts:two_factor_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # TOTPDevice throttles wrong codes itself (a growing delay after each failure).
        if device.verify_token(form.cleaned_data["code"].strip()):
            otp_login(request, device)
            return HttpResponseRedirect(_next_url(request))
        form.add_error("code", _("That code is not right, or it has expired. Try the next one."))
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": _next_url(request)},
    )


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Show the secret of the user's unconfirmed device and confirm it with a first code.
    A GET only shows; the device is made by the POST of `two_factor_begin`."""
    if _confirmed_device(request.user):
        messages.info(request, _("Two-factor sign-in is already on for your account."))
        return redirect("accounts:detail")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    form = CodeForm(request.POST or None)
    if device is not None and request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, _("Two-factor sign-in is on."))
            return HttpResponseRedirect(_next_url(request))
        form.add_error("code", _("That code is not right, or it has expired. Try the next one."))
    context = {
        "form": form,
        "device": device,
        "next": _next_url(request),
        "required": allowed("accounts.needs_second_factor", request.user),
    }
    if device is not None:
        context["secret"] = base64.b32encode(device.bin_key).decode()
        context["qr_data_uri"] = _qr_data_uri(device.config_url)
    return render(request, "accounts/two_factor_setup.html", context)


@require_POST
@login_required
def two_factor_begin(request: HttpRequest) -> HttpResponse:
    """Make the user's (unconfirmed) authenticator device; one at a time."""
    if not _confirmed_device(request.user):
        TOTPDevice.objects.get_or_create(
            user=request.user, confirmed=False, defaults={"name": "authenticator"}
        )
    return redirect(
        f"{reverse('accounts:two_factor_setup')}?{urlencode({'next': _next_url(request)})}"
    )


def _qr_data_uri(data: str) -> str:
    buffer = io.BytesIO()
    write_qrcode_image(data, buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()
