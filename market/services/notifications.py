"""Mail about purchase requests. It never carries a quote amount: before opening nobody but
the agency may learn one, and after opening the notice page is where amounts are published."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from market.models import Invitation, PurchaseRequest


def _admins_of(organisation_ids) -> list[User]:
    return list(
        User.objects.filter(
            organisation_id__in=organisation_ids, is_organisation_admin=True, is_active=True
        ).exclude(email="")
    )


def _messages(template: str, request: PurchaseRequest, users: list[User], **context) -> list:
    url = settings.WAGTAILADMIN_BASE_URL + reverse("market:notice_detail", args=[request.number])
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{template}_subject.txt", {"request": request}).strip()
        return [
            (
                subject,
                render_to_string(
                    f"emails/{template}.txt",
                    {"request": request, "user": user, "url": url, **context},
                ),
                settings.DEFAULT_FROM_EMAIL,
                [user.email],
            )
            for user in users
        ]


def invitations_send(*, request_id: int) -> int:
    """E-mail the administrators of every invited agency. Returns the number of messages."""
    request = PurchaseRequest.objects.select_related("service_item", "project").get(pk=request_id)
    agency_orgs = Invitation.objects.filter(request=request).values_list(
        "agency__organisation_id", flat=True
    )
    messages = _messages("purchase_invitation", request, _admins_of(agency_orgs))
    return send_mass_mail(messages, fail_silently=False)


def award_notify(*, request_id: int) -> int:
    """Tell the owner and every quoting agency who was selected and until when the award is
    open to objections."""
    request = PurchaseRequest.objects.select_related(
        "service_item", "project", "winner__organisation"
    ).get(pk=request_id)
    organisations = {
        request.project.owner_id,
        *request.quotes.values_list("agency__organisation_id", flat=True),
    }
    messages = _messages("purchase_award", request, _admins_of(organisations))
    return send_mass_mail(messages, fail_silently=False)
