"""Mail about purchase requests, sent by Celery tasks (market/tasks.py) once the change that
causes it has committed. It never carries a quote amount: before opening nobody but the agency
may learn one, and after opening the notice page is where amounts are published."""

from django.conf import settings
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from accounts.selectors import organisation_admins
from market.models import Invitation, PurchaseRequest, Quote


def _messages(
    template: str, purchase_request: PurchaseRequest, users: list[User], **context
) -> list:
    url = settings.SITE_URL + reverse("market:notice_detail", args=[purchase_request.number])
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(
            f"emails/{template}_subject.txt", {"purchase_request": purchase_request}
        ).strip()
        return [
            (
                subject,
                render_to_string(
                    f"emails/{template}.txt",
                    {"purchase_request": purchase_request, "user": user, "url": url, **context},
                ),
                settings.DEFAULT_FROM_EMAIL,
                [user.email],
            )
            for user in users
        ]


def invitations_send(*, purchase_request_id: int) -> int:
    """E-mail the administrators of every invited agency. Returns the number of messages."""
    purchase_request = PurchaseRequest.objects.select_related("service_item", "project").get(
        pk=purchase_request_id
    )
    agency_orgs = Invitation.objects.filter(purchase_request=purchase_request).values_list(
        "agency__organisation_id", flat=True
    )
    messages = _messages(
        "purchase_invitation", purchase_request, list(organisation_admins(agency_orgs))
    )
    return send_mass_mail(messages, fail_silently=False)


def award_notify(*, purchase_request_id: int) -> int:
    """Tell the owner and every quoting agency who was selected and until when the award is
    open to objections."""
    purchase_request = PurchaseRequest.objects.select_related(
        "service_item", "project", "winner__organisation"
    ).get(pk=purchase_request_id)
    organisations = {
        purchase_request.project.owner_id,
        *purchase_request.quotes.values_list("agency__organisation_id", flat=True),
    }
    messages = _messages(
        "purchase_award", purchase_request, list(organisation_admins(organisations))
    )
    return send_mass_mail(messages, fail_silently=False)


def quote_invalidated_notify(*, quote_id: int) -> int:
    """Tell the agency at once that its quote no longer counts, and why (R3, R4)."""
    quote = Quote.objects.select_related(
        "purchase_request__service_item", "purchase_request__project", "agency"
    ).get(pk=quote_id)
    if quote.valid:  # eligible again since; nothing to say
        return 0
    messages = _messages(
        "quote_invalidated",
        quote.purchase_request,
        list(organisation_admins([quote.agency_id])),
        reason=quote.invalid_reason,
    )
    return send_mass_mail(messages, fail_silently=False)
