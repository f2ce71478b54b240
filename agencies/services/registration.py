"""An agency joins the roster by registering itself (R3: zero threshold). Nothing is asked
beyond its identity, contacts, business licence and qualification certificates: no local
registration, no quota, no minimum size."""

import datetime
from dataclasses import dataclass
from typing import cast

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation, User
from accounts.services import organisation_create, user_create
from accounts.validators import validate_credit_code
from agencies.models import Agency
from agencies.services.profile import upload_errors
from agencies.services.qualifications import qualification_create, qualification_errors
from agencies.services.scope import agency_scope_recompute
from agencies.services.status import agency_submit_for_review
from catalogue.models import QualificationType
from core.exceptions import ApplicationError


@dataclass(frozen=True)
class CertificateInput:
    """One qualification certificate as submitted at registration."""

    # None only in what `agency_registration_errors` is given from a form that failed: the
    # form has already reported that field.
    qualification_type: QualificationType | None
    number: str
    issuer: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None
    scan: UploadedFile | None
    grade: str = ""


@dataclass(frozen=True)
class Registration:
    agency: Agency
    user: User


REQUIRED_TEXT = {
    "name": gettext_lazy("Please give the agency's registered name."),
    "legal_representative": gettext_lazy("Please name the legal representative."),
    "contact_name": gettext_lazy("Please name a contact person."),
    "contact_phone": gettext_lazy("Please give a contact phone number."),
    "address": gettext_lazy("Please give the agency's address."),
    "username": gettext_lazy("Please choose a username."),
}


def normalise_credit_code(value: str) -> str:
    return (value or "").strip().upper()


# The identity and account errors are ValidationErrors, not bare messages, so that a form
# shows them with their codes (a test or a caller can tell which rule refused).
def _identity_errors(*, name: str, credit_code: str) -> dict[str, list[ValidationError]]:
    errors: dict[str, list[ValidationError]] = {}
    try:
        validate_credit_code(credit_code)
    except ValidationError as exc:
        errors["credit_code"] = list(exc.error_list)
    else:
        if Organisation.objects.filter(credit_code=credit_code).exists():
            errors["credit_code"] = [
                ValidationError(
                    _(
                        "An organisation with this unified social credit code is already "
                        "registered."
                    ),
                    code="credit_code_taken",
                )
            ]
    if name and Organisation.objects.filter(kind=Organisation.Kind.AGENCY, name=name).exists():
        errors["name"] = [
            ValidationError(_("An agency with this name is already registered."), code="name_taken")
        ]
    return errors


def _account_errors(
    *, username: str, password: str, email: str
) -> dict[str, list[ValidationError]]:
    errors: dict[str, list[ValidationError]] = {}
    if username and User.objects.filter(username=username).exists():
        errors["username"] = [
            ValidationError(_("This username is already taken."), code="username_taken")
        ]
    try:
        validate_password(password, User(username=username, email=email))
    except ValidationError as exc:
        errors["password"] = list(exc.error_list)
    return errors


def _certificate_errors(certificates: list[CertificateInput]) -> list[dict[str, list[str]]]:
    today = timezone.localdate()
    rows = []
    seen: set[tuple[int, str]] = set()
    for certificate in certificates:
        errors = qualification_errors(
            qualification_type=certificate.qualification_type,
            grade=certificate.grade.strip(),
            number=certificate.number.strip(),
            issuer=certificate.issuer.strip(),
            valid_from=certificate.valid_from,
            valid_to=certificate.valid_to,
            scan=certificate.scan,
            scan_required=True,
            today=today,
        )
        if certificate.qualification_type is not None:
            key = (certificate.qualification_type.pk, certificate.number.strip())
            if key in seen and "number" not in errors:
                errors["number"] = [_("This certificate is listed twice.")]
            seen.add(key)
        rows.append(errors)
    return rows


def agency_registration_errors(
    *,
    name: str,
    credit_code: str,
    legal_representative: str,
    contact_name: str,
    contact_phone: str,
    address: str,
    business_licence: UploadedFile | None,
    certificates: list[CertificateInput],
    username: str,
    password: str,
    email: str = "",
) -> dict:
    """Everything `agency_register` would refuse, by field (`"certificates"`: one dict per
    certificate); empty when it would register. Reads only, so a page can also ask it about a
    submission its form has already refused, and show every error at once."""
    name = name.strip()
    credit_code = normalise_credit_code(credit_code)
    username = username.strip()
    values = {
        "name": name,
        "legal_representative": legal_representative.strip(),
        "contact_name": contact_name.strip(),
        "contact_phone": contact_phone.strip(),
        "address": address.strip(),
        "username": username,
    }
    errors: dict = {
        field: [str(REQUIRED_TEXT[field])] for field, value in values.items() if not value
    }
    for field, messages in (
        _identity_errors(name=name, credit_code=credit_code)
        | _account_errors(username=username, password=password, email=email)
    ).items():
        errors.setdefault(field, messages)
    licence_errors = upload_errors(business_licence, required=True)
    if licence_errors:
        errors["business_licence"] = licence_errors
    certificate_errors = _certificate_errors(certificates)
    if any(certificate_errors):
        errors["certificates"] = certificate_errors
    return errors


@transaction.atomic
def agency_register(
    *,
    name: str,
    credit_code: str,
    legal_representative: str,
    contact_name: str,
    contact_phone: str,
    address: str,
    business_licence: UploadedFile | None,
    certificates: list[CertificateInput],
    username: str,
    password: str,
    region: str = "",
    email: str = "",
    display_name: str = "",
) -> Registration:
    """Register an agency and its first administrator, in one transaction: the organisation,
    the agency (pending review), its certificates, its computed scope, and the user.

    Raises ApplicationError, saving nothing, when a required field is missing, the credit
    code is malformed or already registered, an agency of the same name exists, a
    certificate is incomplete, expired, out of date order, of an unknown grade or already
    registered, an upload is not an accepted file, or the username or password is refused.
    `extra` holds the field errors; `extra["certificates"]` one dict per certificate."""
    errors = agency_registration_errors(
        name=name,
        credit_code=credit_code,
        legal_representative=legal_representative,
        contact_name=contact_name,
        contact_phone=contact_phone,
        address=address,
        business_licence=business_licence,
        certificates=certificates,
        username=username,
        password=password,
        email=email,
    )
    if errors:
        raise ApplicationError(_("Please correct the errors below."), code="invalid", extra=errors)

    try:
        with transaction.atomic():
            organisation = organisation_create(
                name=name.strip(),
                kind=Organisation.Kind.AGENCY,
                credit_code=normalise_credit_code(credit_code),
                region=region.strip(),
                address=address.strip(),
                contact_name=contact_name.strip(),
                contact_phone=contact_phone.strip(),
            )
    except IntegrityError as exc:
        # Someone registered the same code or name between our checks and this insert.
        raise ApplicationError(
            _("An agency with this name or credit code has just been registered."),
            code="already_registered",
        ) from exc
    agency = Agency.objects.create(
        organisation=organisation,
        legal_representative=legal_representative.strip(),
        business_licence=business_licence,
        status=Agency.Status.PENDING,
    )
    for certificate in certificates:
        # Complete by now: agency_registration_errors refuses a certificate missing any of these.
        qualification_create(
            agency=agency,
            qualification_type=cast(QualificationType, certificate.qualification_type),
            grade=certificate.grade.strip(),
            number=certificate.number.strip(),
            issuer=certificate.issuer.strip(),
            valid_from=cast(datetime.date, certificate.valid_from),
            valid_to=cast(datetime.date, certificate.valid_to),
            scan=cast(UploadedFile, certificate.scan),
        )
    user = user_create(
        username=username.strip(),
        password=password,
        organisation=organisation,
        email=email.strip(),
        display_name=display_name.strip(),
        is_organisation_admin=True,
    )
    agency_scope_recompute(agency=agency)
    # The status service sets submitted_at and the review deadline and records the first
    # status event.
    agency = agency_submit_for_review(agency=agency, actor=user)
    return Registration(agency=agency, user=user)
