"""Mail about complaints (R12), sent by Celery tasks (credit/tasks.py) once the step that
causes it has committed: the complainant hears of each step of the handling, and regulators
get one summary a day of the complaints past a due date."""

import datetime

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mass_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Organisation, User
from core.workdays import is_workday
from credit.complaint_selectors import complaints_overdue
from credit.models import ComplaintEvent
from credit.services.complaints import contact_email

# How long the mark "regulators reminded on this date" is kept: past the date itself.
_REMINDED_MARK_SECONDS = 2 * 24 * 3600


def _render(template: str, context: dict) -> tuple[str, str]:
    """The subject and body of credit/mail/<template>(_subject).txt in the site's language,
    whoever caused the mail."""
    context = {**context, "site_name": settings.WAGTAIL_SITE_NAME}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"credit/mail/{template}_subject.txt", context)
        body = render_to_string(f"credit/mail/{template}.txt", context)
    return " ".join(subject.split()), body


def complaint_event_notify(*, event_id: int) -> int:
    """Tell the complainant of one step of their complaint's handling, at the e-mail address
    they gave or their account's; nothing when there is none (a phone number: they follow it
    online). Returns the number of messages sent."""
    event = ComplaintEvent.objects.select_related("complaint__complainant").get(pk=event_id)
    complaint = event.complaint
    address = contact_email(complaint)
    if not address:
        return 0
    # A signed-in complainant reads it under their account; the public with the tracking key.
    path = (
        reverse("credit:complaint_detail", args=[complaint.number])
        if complaint.complainant_id
        else reverse("credit:complaint_track")
    )
    subject, body = _render(
        "complaint_event",
        {"complaint": complaint, "event": event, "url": f"{settings.SITE_URL}{path}"},
    )
    return send_mass_mail([(subject, body, settings.DEFAULT_FROM_EMAIL, [address])])


def regulators_to_remind() -> list[User]:
    """The active members of regulator organisations with an address (a platform
    administrator holds no regulator role: accounts/permissions.py)."""
    return list(
        User.objects.filter(
            organisation__kind=Organisation.Kind.REGULATOR, is_active=True, is_superuser=False
        )
        .exclude(email="")
        .order_by("pk")
    )


def complaints_overdue_remind(*, today: datetime.date | None = None) -> int:
    """The daily run: each regulator gets one summary of the complaints past a due date,
    at most once a day (a mark in the cache per date, so a run repeated the same day sends
    nothing more), and none on a day off, when no deadline moves. Returns the number of
    messages sent."""
    today = today or timezone.localdate()
    if not is_workday(today):
        return 0
    overdue = list(complaints_overdue(today=today))
    if not overdue:
        return 0
    mark = f"credit:complaints-overdue-reminded:{today.isoformat()}"
    if not cache.add(mark, True, _REMINDED_MARK_SECONDS):
        return 0
    subject, body = _render(
        "complaint_overdue",
        {
            "complaints": overdue,
            "today": today,
            "url": f"{settings.SITE_URL}{reverse('complaints_admin:list')}",
        },
    )
    messages = [
        (subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        for user in regulators_to_remind()
    ]
    try:
        return send_mass_mail(messages) if messages else 0
    except Exception:
        # Unmarked again, so the task's retry sends the summary after all.
        cache.delete(mark)
        raise
