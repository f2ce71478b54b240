"""The daily check of qualification certificates (run by agencies.tasks).

- A certificate whose last valid day has passed is marked expired and its agency's scope is
  recomputed, so the agency stops being offered for items it no longer qualifies for.
- An agency hears 30 and 7 days before a certificate expires, once per threshold and
  certificate: the thresholds already sent are kept on the certificate
  (Qualification.expiry_notices_sent). A notice is due when the days left are at or below a
  threshold not yet sent, so a run skipped for a few days still sends it; a certificate found
  at 5 days left with no notice yet gets one notice (the 7-day one), not two.

Running twice on one day changes nothing the second time.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, Qualification
from agencies.services.scope import agency_scope_recompute
from agencies.signals import qualification_expiring

EXPIRY_NOTICE_DAYS: tuple[int, ...] = (30, 7)


@dataclass
class ExpiryRunResult:
    expired: list[int] = field(default_factory=list)  # qualification pks marked expired
    notices: list[tuple[int, int]] = field(default_factory=list)  # (qualification pk, days)


@transaction.atomic
def qualifications_expire(*, today: datetime.date) -> list[int]:
    """Mark every certificate past its last valid day as expired and recompute the scope of
    the agencies concerned. Returns the pks of the certificates marked."""
    # Locked so a certificate renewed (its dates changed) at this moment is not marked
    # expired from the dates read before the renewal.
    due = list(
        Qualification.objects.select_for_update()
        .filter(expired=False, valid_to__lt=today)
        .values_list("pk", "agency_id")
    )
    if not due:
        return []
    Qualification.objects.filter(pk__in=[pk for pk, _agency in due]).update(expired=True)
    for agency in Agency.objects.filter(pk__in={agency_pk for _pk, agency_pk in due}):
        agency_scope_recompute(agency=agency, today=today)
    return [pk for pk, _agency in due]


def _due_threshold(days_left: int, sent: list[int]) -> int | None:
    due = [days for days in EXPIRY_NOTICE_DAYS if days_left <= days and days not in sent]
    return min(due) if due else None


def qualification_expiry_notices_send(*, today: datetime.date) -> list[tuple[int, int]]:
    """Send the 30- and 7-day notices that are due, each at most once per certificate.
    Returns (qualification pk, threshold) for each notice sent."""
    horizon = today + datetime.timedelta(days=max(EXPIRY_NOTICE_DAYS))
    candidates = Qualification.objects.filter(
        expired=False, valid_to__gte=today, valid_to__lte=horizon
    ).values_list("pk", "valid_to", "expiry_notices_sent")
    sent = []
    for pk, valid_to, notices in candidates:
        days_left = (valid_to - today).days
        if _due_threshold(days_left, list(notices or [])) is None:
            continue
        with transaction.atomic():
            # Locked and read again so two runs at once cannot both send the same notice.
            qualification = Qualification.objects.select_for_update().get(pk=pk)
            days_left = (qualification.valid_to - today).days
            notices = list(qualification.expiry_notices_sent or [])
            threshold = _due_threshold(days_left, notices)
            if qualification.expired or threshold is None:
                continue
            # Every threshold already passed counts as sent: a late run sends the notice due
            # now, not an outdated 30-day one after it.
            qualification.expiry_notices_sent = sorted(
                {*notices, *(days for days in EXPIRY_NOTICE_DAYS if days >= threshold)},
                reverse=True,
            )
            qualification.save(update_fields=["expiry_notices_sent"])
            qualification_expiring.send_after_commit(
                Qualification, qualification_pk=pk, threshold=threshold, days_left=days_left
            )
        sent.append((pk, threshold))
    return sent


def qualifications_expiry_run(*, today: datetime.date | None = None) -> ExpiryRunResult:
    """The daily run: mark expired certificates, then send the notices that are due."""
    today = today or timezone.localdate()
    return ExpiryRunResult(
        expired=qualifications_expire(today=today),
        notices=qualification_expiry_notices_send(today=today),
    )
