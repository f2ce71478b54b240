"""An agency's practitioners (执业人员). The national ID number is checked and at once reduced
to its keyed hash and last four characters (core/identity.py); it is never stored, logged,
put in an error message or shown again."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from agencies.models import Agency, Practitioner
from agencies.services.profile import agency_for_update, agency_touch
from agencies.services.scope import eligibility_changed
from core.exceptions import ApplicationError
from core.identity import id_number_hash, id_number_last4, validate_id_number


@transaction.atomic
def practitioner_add(
    *,
    actor: User,
    agency: Agency,
    name: str,
    id_number: str,
    role: str = Practitioner.Role.STAFF,
    certificates: str = "",
) -> Practitioner:
    """Add a practitioner; someone who left the agency and comes back is taken back on.

    Raises ApplicationError if the actor may not change the agency, the name is empty, the
    ID number is malformed, the role unknown, or the person is already with the agency."""
    agency = agency_for_update(actor=actor, agency=agency)
    errors: dict[str, list[str]] = {}
    name = name.strip()
    if not name:
        errors["name"] = [_("Please give the practitioner's name.")]
    if role not in Practitioner.Role.values:
        errors["role"] = [_("Please choose one of the listed roles.")]
    try:
        validate_id_number(id_number)
    except ValidationError as exc:
        errors["id_number"] = list(exc.messages)
    if errors:
        raise ApplicationError(_("Please correct the errors below."), code="invalid", extra=errors)

    hashed = id_number_hash(id_number)
    existing = Practitioner.objects.filter(agency=agency, id_number_hash=hashed).first()
    if existing is not None and existing.active:
        message = _("This person is already one of the agency's practitioners.")
        raise ApplicationError(
            message, code="already_a_practitioner", extra={"id_number": [message]}
        )
    practitioner = existing or Practitioner(
        agency=agency, id_number_hash=hashed, id_number_last4=id_number_last4(id_number)
    )
    practitioner.name = name
    practitioner.role = role
    practitioner.certificates = certificates.strip()
    practitioner.active = True
    try:
        with transaction.atomic():
            practitioner.save()
    except IntegrityError as exc:
        # The same person added twice at the same moment.
        message = _("This person is already one of the agency's practitioners.")
        raise ApplicationError(
            message, code="already_a_practitioner", extra={"id_number": [message]}
        ) from exc
    agency_touch(agency=agency)
    eligibility_changed(agency_id=agency.pk)  # the staff register (R4) may now match
    return practitioner


@transaction.atomic
def practitioner_remove(*, actor: User, practitioner: Practitioner) -> None:
    """Record that the practitioner has left the agency. The row stays (inactive, hidden from
    the public) so the agency's practice record keeps its history.

    Raises ApplicationError if the actor may not change the agency."""
    agency = agency_for_update(actor=actor, agency=practitioner.agency)
    Practitioner.objects.filter(pk=practitioner.pk, agency=agency).update(active=False)
    agency_touch(agency=agency)
    eligibility_changed(agency_id=agency.pk)
