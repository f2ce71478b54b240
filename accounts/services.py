from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from accounts.models import Organisation, Role, User
from accounts.permissions import object_permission_checker_forget, require
from accounts.roles import role_group
from core.exceptions import ApplicationError


def _full_clean(instance: Organisation | User) -> None:
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise ApplicationError(
            _("Please correct the errors below."), code="invalid", extra=exc.message_dict
        ) from exc


@transaction.atomic
def organisation_create(
    *,
    name: str,
    kind: Role,
    credit_code: str | None = None,
    region: str = "",
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
) -> Organisation:
    """Raises ApplicationError when a field is invalid or the organisation already exists."""
    organisation = Organisation(
        name=name,
        kind=kind,
        credit_code=credit_code or None,
        region=region,
        address=address,
        contact_name=contact_name,
        contact_phone=contact_phone,
    )
    _full_clean(organisation)
    organisation.save()
    return organisation


ORGANISATION_EDITABLE_FIELDS = ("region", "address", "contact_name", "contact_phone")


@transaction.atomic
def organisation_update(*, actor: User, organisation: Organisation, data: dict) -> Organisation:
    """Change an organisation's contact details.

    Raises ApplicationError if the actor may not change this organisation or a value is bad.
    """
    require("accounts.administer_organisation", actor, organisation)
    unknown = set(data) - set(ORGANISATION_EDITABLE_FIELDS)
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed here: %s") % ", ".join(sorted(unknown)),
            code="field_not_editable",
        )
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    for field, value in data.items():
        setattr(organisation, field, value)
    _full_clean(organisation)
    organisation.save(update_fields=list(data))
    return organisation


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    organisation: Organisation | None,
    email: str = "",
    display_name: str = "",
    is_organisation_admin: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create a user in an organisation, with the organisation's role and object permissions.

    Raises ApplicationError when the username is taken or the password is too weak.
    """
    if User.objects.filter(username=username).exists():
        raise ApplicationError(
            _("The username %s is already taken.") % username, code="username_taken"
        )
    if organisation is None and not is_superuser:
        raise ApplicationError(
            _("Only platform administrators may be outside an organisation."),
            code="organisation_required",
        )
    user = User(
        username=username,
        email=email,
        display_name=display_name,
        organisation=organisation,
        is_organisation_admin=is_organisation_admin,
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(
            _("The password is too weak."), code="weak_password", extra={"password": exc.messages}
        ) from exc
    user.set_password(password)
    _full_clean(user)
    user.save()
    if organisation is not None:
        user.groups.add(role_group(Role(organisation.kind)))
        membership_permissions_grant(user=user)
    return user


def membership_permissions_grant(*, user: User) -> None:
    """Members see their organisation's private details; its administrators may change them."""
    organisation = user.organisation
    assign_perm("accounts.view_organisation", user, organisation)
    if user.is_organisation_admin:
        assign_perm("accounts.change_organisation", user, organisation)
    else:
        remove_perm("accounts.change_organisation", user, organisation)
    object_permission_checker_forget(user)


# Re-authentication before an act that binds the organisation (signing a contract) -------------

# Wrong passwords or codes allowed in the window before the act is refused for a while: a
# session left open is not enough to guess the password at leisure.
REAUTHENTICATION_ATTEMPTS = 5
REAUTHENTICATION_WINDOW_SECONDS = 15 * 60


def user_reauthenticate(*, user: User, password: str, code: str = "") -> None:
    """Confirm that the person at the keyboard is `user`: the password again and, when the
    user has a confirmed authenticator, a fresh code from it. Both are checked and both
    problems reported at once.

    Raises ApplicationError: "too_many_attempts" after REAUTHENTICATION_ATTEMPTS failures in
    the window, "reauthentication_failed" (with field errors on password and code)."""
    from django.core.cache import cache
    from django_otp.plugins.otp_totp.models import TOTPDevice

    counter = f"accounts.reauthenticate.{user.pk}"
    if (cache.get(counter) or 0) >= REAUTHENTICATION_ATTEMPTS:
        raise ApplicationError(
            _("Too many wrong attempts; wait a quarter of an hour and try again."),
            code="too_many_attempts",
        )
    errors: dict[str, list[str]] = {}
    if not user.check_password(password or ""):
        errors["password"] = [_("The password is not correct.")]
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    # TOTPDevice throttles wrong codes itself too (a growing delay after each failure).
    if device is not None and not device.verify_token((code or "").strip()):
        errors["code"] = [_("The code from the authenticator app is not correct.")]
    if errors:
        if cache.add(counter, 1, REAUTHENTICATION_WINDOW_SECONDS) is False:
            cache.incr(counter)
        raise ApplicationError(
            " ".join(message for messages in errors.values() for message in messages),
            code="reauthentication_failed",
            extra=errors,
        )
