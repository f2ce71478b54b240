"""Privileged changes to people's accounts: recorded, and the person told.

The back office (Wagtail's user editor) is where an administrator can change someone else's
account. It cannot set a password (WAGTAILUSERS_PASSWORD_ENABLED = False): a new account's
owner gets a mail with a link to choose one, and anyone who forgets theirs resets it by mail
themselves. Every other change that matters — activation, administrator status, groups (the
roles), organisation, e-mail, username — is kept as an AccountChange with who made it, and
mailed to the person (to the old address too when the address changed)."""

from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts.models import AccountChange, User
from core.mail import mail_send

WATCHED_FIELDS = ("username", "email", "is_active", "is_superuser")


def account_snapshot(user: User) -> dict[str, Any]:
    """What a privileged change may alter, as plain values."""
    fresh = User.objects.select_related("organisation").get(pk=user.pk)
    state: dict[str, Any] = {field: getattr(fresh, field) for field in WATCHED_FIELDS}
    state["organisation"] = fresh.organisation.name if fresh.organisation else None
    state["groups"] = sorted(fresh.groups.values_list("name", flat=True))
    return state


def account_change_record(
    *, actor: User | None, user: User, before: dict[str, Any]
) -> AccountChange | None:
    """Compare the account with `before`; record and announce what changed (None if nothing
    did, or the person changed their own account)."""
    after = account_snapshot(user)
    changes = {key: [before[key], after[key]] for key in after if before.get(key) != after[key]}
    if not changes or (actor is not None and actor.pk == user.pk):
        return None
    change = AccountChange.objects.create(user=user, actor=actor, changes=changes)
    recipients = {after["email"], before.get("email")} - {None, ""}
    mail_send(
        "account_changed",
        {"user": user, "actor": actor, "changes": _readable(changes)},
        sorted(recipients),
    )
    return change


def account_created_by_someone_else(*, actor: User | None, user: User) -> AccountChange:
    """Record the new account and send its owner the link to choose a password."""
    user.set_unusable_password()
    user.save(update_fields=["password"])
    change = AccountChange.objects.create(
        user=user, actor=actor, changes={"created": [None, account_snapshot(user)]}
    )
    link = settings.SITE_URL + reverse(
        "accounts:password_reset_confirm",
        args=[
            urlsafe_base64_encode(force_bytes(user.pk)),
            default_token_generator.make_token(user),
        ],
    )
    mail_send("account_created", {"user": user, "actor": actor, "link": link}, [user.email])
    return change


def _readable(changes: dict[str, list]) -> list[tuple[str, str, str]]:
    labels = {
        "username": User._meta.get_field("username").verbose_name,
        "email": User._meta.get_field("email").verbose_name,
        "is_active": User._meta.get_field("is_active").verbose_name,
        "is_superuser": User._meta.get_field("is_superuser").verbose_name,
        "organisation": User._meta.get_field("organisation").verbose_name,
        "groups": _("roles"),
    }
    return [
        (str(labels.get(field, field)), _shown(old), _shown(new))
        for field, (old, new) in changes.items()
    ]


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return "、".join(value) or "—"
    if value is None or value == "":
        return "—"
    return str(value)
