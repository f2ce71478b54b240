"""Mail to an agency's administrators, sent by Celery tasks (agencies/tasks.py) once the
change that causes it has committed. In the site's language, whoever pressed the button."""

from accounts.selectors import organisation_admin_emails
from agencies.models import AgencyStatusEvent, Qualification
from core.mail import mail_send


def agency_status_notify(*, event_id: int) -> int:
    """Tell the agency's administrators of a status change, with its reason and citations."""
    event = AgencyStatusEvent.objects.select_related("agency__organisation").get(pk=event_id)
    return mail_send(
        "agency_status_changed",
        {"agency": event.agency, "event": event, "cited": list(event.cited_qualifications.all())},
        organisation_admin_emails([event.agency_id]),
    )


def qualification_expiry_notify(*, qualification_pk: int, threshold: int, days_left: int) -> int:
    """Warn the agency's administrators that a certificate expires in `days_left` days."""
    qualification = Qualification.objects.select_related(
        "agency__organisation", "qualification_type"
    ).get(pk=qualification_pk)
    return mail_send(
        "qualification_expiring",
        {
            "qualification": qualification,
            "agency": qualification.agency,
            "threshold": threshold,
            "days_left": days_left,
        },
        organisation_admin_emails([qualification.agency_id]),
    )
