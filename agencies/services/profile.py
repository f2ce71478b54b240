"""An agency's own details, edited by its organisation administrators (R3).

Every self-service write in this package starts with `agency_for_update`: it checks the
actor's object permission on the agency's organisation and locks the agency row."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require
from accounts.services import organisation_update
from agencies.models import Agency
from core.exceptions import ApplicationError
from core.uploads import validate_upload


def agency_for_update(*, actor: User, agency: Agency) -> Agency:
    """The agency, locked, once the actor is known to administer its organisation.

    Raises ApplicationError if the actor may not change this agency. Call inside a
    transaction."""
    require(
        "agencies.act_for_agency",
        actor,
        agency,
        message=_("You may not change this agency's details."),
    )
    # Lock the agency row: two of its administrators saving at once would otherwise run two
    # scope recomputations side by side, and both would try to create the same scope rows.
    return Agency.objects.select_related("organisation").select_for_update().get(pk=agency.pk)


def agency_touch(*, agency: Agency) -> None:
    """Mark the agency as recently active (the roster's "activity" order)."""
    Agency.objects.filter(pk=agency.pk).update(updated_at=timezone.now())


def upload_errors(upload: UploadedFile | None, *, required: bool) -> list[str]:
    """What is wrong with an uploaded scan, as messages (empty when it is fine)."""
    if upload is None:
        return [_("Please upload a scan (PDF, JPEG or PNG).")] if required else []
    try:
        validate_upload(upload)
    except ValidationError as exc:
        return list(exc.messages)
    return []


@transaction.atomic
def agency_profile_update(
    *,
    actor: User,
    agency: Agency,
    legal_representative: str,
    region: str = "",
    address: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    business_licence: UploadedFile | None = None,
) -> Agency:
    """Change the agency's legal representative, contact details and, optionally, replace the
    business licence scan. The name and the credit code are the agency's identity and are not
    changed here.

    Raises ApplicationError if the actor may not change the agency or a value is bad."""
    agency = agency_for_update(actor=actor, agency=agency)
    errors: dict[str, list[str]] = {}
    legal_representative = legal_representative.strip()
    if not legal_representative:
        errors["legal_representative"] = [_("Please name the legal representative.")]
    licence_errors = upload_errors(business_licence, required=False)
    if licence_errors:
        errors["business_licence"] = licence_errors
    if errors:
        raise ApplicationError(_("Please correct the errors below."), code="invalid", extra=errors)
    agency.organisation = organisation_update(
        actor=actor,
        organisation=agency.organisation,
        data={
            "region": region.strip(),
            "address": address.strip(),
            "contact_name": contact_name.strip(),
            "contact_phone": contact_phone.strip(),
        },
    )
    agency.legal_representative = legal_representative
    fields = ["legal_representative", "updated_at"]
    if business_licence is not None:
        agency.business_licence = business_licence
        fields.append("business_licence")
    agency.save(update_fields=fields)
    return agency
