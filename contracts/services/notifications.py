"""Mail about contracts, sent by Celery tasks (contracts/tasks.py) once the change that causes
it has committed. Each administrator gets a message of their own, so one party's addresses
never reach the other."""

import datetime

from django.conf import settings
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accounts.selectors import organisation_admins
from contracts.clock import contract_due_on, days_left, is_overdue
from contracts.models import Contract
from core.mail import mail_send


def contract_overdue_notify(*, contract_id: int, on: datetime.date) -> int:
    """Tell both parties' administrators that the contract has run past its committed time
    limit on `on` and by how many working days (R10). Nothing is sent when, by the time this
    runs, the clock no longer says overdue (the agency has delivered meanwhile). Returns the
    number of messages sent."""
    contract = Contract.objects.select_related(
        "owner",
        "agency__organisation",
        "purchase_request__project",
        "purchase_request__service_item",
    ).get(pk=contract_id)
    if not is_overdue(contract, on):
        return 0
    context = {
        "contract": contract,
        "project": contract.purchase_request.project,
        "service_item": contract.purchase_request.service_item,
        "days_late": -days_left(contract, on),
        "due_on": contract_due_on(contract, on),
        "site_name": settings.WAGTAIL_SITE_NAME,
    }
    users = list(organisation_admins([contract.owner_id, contract.agency.organisation_id]))
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("emails/contract_overdue_subject.txt", context).split())
        messages = [
            (
                subject,
                render_to_string("emails/contract_overdue.txt", {**context, "user": user}),
                settings.DEFAULT_FROM_EMAIL,
                [user.email],
            )
            for user in users
        ]
    return send_mass_mail(messages, fail_silently=False)


def contract_status_notify(*, contract_id: int, to_status: str) -> int:
    """Tell the party whose signature the contract now waits for, or both parties once it is
    in force, with the address of its page. Returns the number of messages sent."""
    contract = Contract.objects.select_related(
        "owner", "agency__organisation", "purchase_request__service_item"
    ).get(pk=contract_id)
    if contract.status != to_status:  # moved on meanwhile: the next move sends its own
        return 0
    waiting = {
        Contract.Status.AWAITING_AGENCY: [contract.agency.organisation_id],
        Contract.Status.AWAITING_OWNER: [contract.owner_id],
        Contract.Status.IN_FORCE: [contract.owner_id, contract.agency.organisation_id],
    }.get(Contract.Status(to_status))
    if waiting is None:
        return 0
    url = f"{settings.SITE_URL}{reverse('contract_party:detail', args=[contract.number])}"
    template = "contract_in_force" if to_status == Contract.Status.IN_FORCE else "contract_to_sign"
    return sum(
        mail_send(template, {"contract": contract, "user": user, "url": url}, [user.email])
        for user in organisation_admins(waiting)
    )
