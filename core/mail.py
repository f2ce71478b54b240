"""Mail from the site: a subject and a body rendered from emails/<template>(_subject).txt, in
the site's language whoever caused it, with the site's name and address in the context.

Links in mail are made from SITE_URL, the address people reach the site at, and never from a
request: mail is sent by Celery workers after the change has committed, when there is no
request, and it goes to people other than whoever caused it — the address they should follow
is the site's public one, not the host name one visitor happened to use (nor one an attacker
put in a Host header). `make demo` sets SITE_URL from PORT for every process; production
must set it. The one mail sent to the person who asked for it, during their request, is the
password reset: Django builds its link from that request."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation


def site_url(path: str = "") -> str:
    """The absolute address of `path` (as `reverse` gives it) for a link in mail."""
    return f"{settings.SITE_URL}{path}"


def mail_send(template: str, context: dict, recipients: list[str]) -> int:
    """Send one message to `recipients`; nothing when there are none. Returns how many were
    sent (0 or 1)."""
    if not recipients:
        return 0
    context = {**context, "site_name": settings.WAGTAIL_SITE_NAME, "site_url": site_url()}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{template}_subject.txt", context)
        body = render_to_string(f"emails/{template}.txt", context)
    return send_mail(" ".join(subject.split()), body, None, recipients)
