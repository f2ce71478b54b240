"""Mail to an agency's administrators, sent by Celery tasks (agencies/tasks.py) once the
change that causes it has committed. In the site's language, whoever pressed the button."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from accounts.models import User
from agencies.models import AgencyStatusEvent, Qualification


def _admin_emails(organisation_id: int) -> list[str]:
    return list(
        User.objects.filter(
            organisation_id=organisation_id, is_organisation_admin=True, is_active=True
        )
        .exclude(email="")
        .values_list("email", flat=True)
    )


def _send(template: str, context: dict, recipients: list[str]) -> int:
    if not recipients:
        return 0
    context = {**context, "site_name": settings.WAGTAIL_SITE_NAME}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{template}_subject.txt", context)
        body = render_to_string(f"emails/{template}.txt", context)
    return send_mail(" ".join(subject.split()), body, None, recipients)


def agency_status_notify(*, event_id: int) -> int:
    """Tell the agency's administrators of a status change, with its reason and citations."""
    event = AgencyStatusEvent.objects.select_related("agency__organisation").get(pk=event_id)
    return _send(
        "agency_status_changed",
        {"agency": event.agency, "event": event, "cited": list(event.cited_qualifications.all())},
        _admin_emails(event.agency_id),
    )


def qualification_expiry_notify(*, qualification_pk: int, threshold: int, days_left: int) -> int:
    """Warn the agency's administrators that a certificate expires in `days_left` days."""
    qualification = Qualification.objects.select_related(
        "agency__organisation", "qualification_type"
    ).get(pk=qualification_pk)
    return _send(
        "qualification_expiring",
        {
            "qualification": qualification,
            "agency": qualification.agency,
            "threshold": threshold,
            "days_left": days_left,
        },
        _admin_emails(qualification.agency_id),
    )
