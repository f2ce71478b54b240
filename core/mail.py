"""Mail from the site: a subject and a body rendered from emails/<template>(_subject).txt, in
the site's language whoever caused it, with the site's name in the context."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation


def mail_send(template: str, context: dict, recipients: list[str]) -> int:
    """Send one message to `recipients`; nothing when there are none. Returns how many were
    sent (0 or 1)."""
    if not recipients:
        return 0
    context = {**context, "site_name": settings.WAGTAIL_SITE_NAME}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{template}_subject.txt", context)
        body = render_to_string(f"emails/{template}.txt", context)
    return send_mail(" ".join(subject.split()), body, None, recipients)
