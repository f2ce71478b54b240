"""Ratings must not stall (R12). Each day the owner of a finished service it has not rated is
reminded RATING_REMINDER_DAYS after acceptance, and when a delivery has waited
DELIVERY_DECISION_REMINDER_WORKDAYS working days for the owner to accept or return it, both
parties are told: until the owner decides, the service cannot be rated. (A contract whose
work was never delivered already reminds both parties every working day once it is past its
time limit, contracts/services/delivery.py.) Each reminder is a Reminder row made once, so a
run repeated, or two at once, mail nothing twice."""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from accounts.selectors import organisation_admin_emails
from contracts.models import Contract
from core.mail import mail_send
from core.workdays import add_workdays
from credit.models import Rating, Reminder


def _claim(contract: Contract, kind: str, today: datetime.date) -> bool:
    """Record the reminder; False when it was already sent (by this run or another)."""
    try:
        with transaction.atomic():
            Reminder.objects.create(contract=contract, kind=kind, sent_on=today)
    except IntegrityError:
        return False
    return True


def _context(contract: Contract) -> dict:
    path = reverse("contract_party:detail", args=[contract.number])
    return {
        "contract": contract,
        "service_item": contract.purchase_request.service_item,
        "url": f"{settings.SITE_URL}{path}",
    }


def _contracts():
    return Contract.objects.select_related(
        "owner", "agency__organisation", "purchase_request__service_item"
    ).order_by("pk")


def ratings_remind(*, today: datetime.date | None = None) -> int:
    """The daily run. Returns how many contracts were reminded about."""
    today = today or timezone.localdate()
    return _remind_to_rate(today) + _remind_to_decide(today)


def _remind_to_rate(today: datetime.date) -> int:
    first = min(settings.RATING_REMINDER_DAYS)
    unrated = _contracts().filter(
        status__in=(Contract.Status.ACCEPTED, Contract.Status.CLOSED),
        accepted_at__date__lte=today - datetime.timedelta(days=first),
        # Past the last reminder's day there is nothing more to send.
        accepted_at__date__gt=today
        - datetime.timedelta(days=max(settings.RATING_REMINDER_DAYS) + 30),
    )
    unrated = unrated.exclude(
        Exists(Rating.objects.filter(contract=OuterRef("pk"), rater=Rating.Rater.OWNER))
    )
    sent = 0
    for contract in unrated.iterator():
        accepted_on = timezone.localdate(contract.accepted_at)
        # After a pause in the runs, only the latest reminder due is sent.
        due = max(
            days
            for days in settings.RATING_REMINDER_DAYS
            if accepted_on + datetime.timedelta(days=days) <= today
        )
        if not _claim(contract, f"rate:{due}", today):
            continue
        sent += 1
        mail_send(
            "rating_reminder", _context(contract), organisation_admin_emails([contract.owner_id])
        )
    return sent


def _remind_to_decide(today: datetime.date) -> int:
    waiting = _contracts().filter(status=Contract.Status.DELIVERED, paused_since__isnull=False)
    sent = 0
    for contract in waiting.iterator():
        delivered_on = contract.paused_since
        if add_workdays(delivered_on, settings.DELIVERY_DECISION_REMINDER_WORKDAYS) > today:
            continue
        if not _claim(contract, f"decide:{delivered_on.isoformat()}", today):
            continue
        sent += 1
        # One message per party, so neither party's addresses reach the other.
        for party in (contract.owner_id, contract.agency.organisation_id):
            mail_send(
                "delivery_decision_reminder",
                {**_context(contract), "delivered_on": delivered_on},
                organisation_admin_emails([party]),
            )
    return sent
