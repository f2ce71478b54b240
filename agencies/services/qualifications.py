"""An agency's qualification certificates (资质证书). Its service scope follows from them, so
every change here recomputes the scope (R3). A certificate the agency adds or changes counts
for nothing until a regulator verifies it, within QUALIFICATION_REVIEW_WORKDAYS working days:
an agency cannot certify itself. Every step is an event on the agency's public record."""

import datetime

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require
from agencies.models import Agency, Qualification
from agencies.services.profile import agency_for_update, agency_touch, upload_errors
from agencies.services.scope import agency_scope_recompute
from catalogue.models import QualificationType
from core.exceptions import ApplicationError
from core.status import lock_for_update, status_created, status_move
from core.workdays import add_workdays


def qualification_errors(
    *,
    qualification_type: QualificationType | None,
    grade: str,
    number: str,
    issuer: str,
    valid_from: datetime.date | None,
    valid_to: datetime.date | None,
    scan: UploadedFile | None,
    scan_required: bool,
    today: datetime.date,
    exclude_pk: int | None = None,
) -> dict[str, list[str]]:
    """Everything wrong with one certificate, by field; empty when it may be saved. An expired
    certificate is refused: it proves nothing and would never count towards the scope."""
    errors: dict[str, list[str]] = {}
    if qualification_type is None:
        errors["qualification_type"] = [_("Please choose the qualification.")]
    elif qualification_type.grades and grade not in qualification_type.grades:
        errors["grade"] = [
            _("The grade of %(qualification)s must be one of: %(grades)s.")
            % {
                "qualification": qualification_type.name,
                "grades": "、".join(qualification_type.grades),
            }
        ]
    elif not qualification_type.grades and grade:
        errors["grade"] = [
            _("%(qualification)s has no grades; please leave the grade empty.")
            % {"qualification": qualification_type.name}
        ]
    if not number:
        errors["number"] = [_("Please give the certificate number.")]
    elif qualification_type is not None:
        same_number = Qualification.objects.filter(
            qualification_type=qualification_type, number=number
        )
        if exclude_pk is not None:
            same_number = same_number.exclude(pk=exclude_pk)
        if same_number.exists():
            errors["number"] = [_("A certificate with this number is already registered.")]
    if not issuer:
        errors["issuer"] = [_("Please name the issuing authority.")]
    if valid_from is None:
        errors["valid_from"] = [_("Please give the date the certificate is valid from.")]
    if valid_to is None:
        errors["valid_to"] = [_("Please give the date the certificate is valid to.")]
    elif valid_from is not None and valid_to <= valid_from:
        errors["valid_to"] = [_("The end of validity must be after its start.")]
    elif valid_to < today:
        errors["valid_to"] = [_("This certificate has expired; only valid certificates count.")]
    scan_problems = upload_errors(scan, required=scan_required)
    if scan_problems:
        errors["scan"] = scan_problems
    return errors


def _raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ApplicationError(_("Please correct the errors below."), code="invalid", extra=errors)


def _save(qualification: Qualification) -> None:
    try:
        with transaction.atomic():
            qualification.save()
    except IntegrityError as exc:
        # Two agencies registering the same certificate number at the same moment.
        raise ApplicationError(
            _("A certificate with this number is already registered."),
            code="certificate_taken",
            extra={"number": [_("A certificate with this number is already registered.")]},
        ) from exc


def qualification_create(
    *,
    agency: Agency,
    qualification_type: QualificationType,
    grade: str,
    number: str,
    issuer: str,
    valid_from: datetime.date,
    valid_to: datetime.date,
    scan: UploadedFile,
) -> Qualification:
    """Save one certificate that qualification_errors has passed; no permission check, no
    scope recomputation (the callers do both)."""
    qualification = Qualification(
        agency=agency,
        qualification_type=qualification_type,
        grade=grade,
        number=number,
        issuer=issuer,
        valid_from=valid_from,
        valid_to=valid_to,
        scan=scan,
        status=Qualification.Status.PENDING,
        verification_due=verification_due_for(timezone.localdate()),
    )
    _save(qualification)
    status_created(qualification, note=_("Submitted by the agency."))
    return qualification


def verification_due_for(submitted_on: datetime.date) -> datetime.date:
    return add_workdays(submitted_on, settings.QUALIFICATION_REVIEW_WORKDAYS)


@transaction.atomic
def qualification_add(
    *,
    actor: User,
    agency: Agency,
    qualification_type: QualificationType,
    grade: str = "",
    number: str,
    issuer: str,
    valid_from: datetime.date,
    valid_to: datetime.date,
    scan: UploadedFile,
) -> Qualification:
    """Add a certificate and recompute the agency's scope.

    Raises ApplicationError if the actor may not change the agency, or the certificate is
    incomplete, expired, dated out of order, of a grade its type does not have, already
    registered, or its scan is not an accepted file."""
    agency = agency_for_update(actor=actor, agency=agency)
    grade, number, issuer = grade.strip(), number.strip(), issuer.strip()
    _raise_if(
        qualification_errors(
            qualification_type=qualification_type,
            grade=grade,
            number=number,
            issuer=issuer,
            valid_from=valid_from,
            valid_to=valid_to,
            scan=scan,
            scan_required=True,
            today=timezone.localdate(),
        )
    )
    qualification = qualification_create(
        agency=agency,
        qualification_type=qualification_type,
        grade=grade,
        number=number,
        issuer=issuer,
        valid_from=valid_from,
        valid_to=valid_to,
        scan=scan,
    )
    agency_scope_recompute(agency=agency)
    agency_touch(agency=agency)
    return qualification


@transaction.atomic
def qualification_update(
    *,
    actor: User,
    qualification: Qualification,
    qualification_type: QualificationType,
    grade: str = "",
    number: str,
    issuer: str,
    valid_from: datetime.date,
    valid_to: datetime.date,
    scan: UploadedFile | None = None,
) -> Qualification:
    """Correct or renew a certificate (a new scan is optional) and recompute the scope.

    Raises ApplicationError as qualification_add does."""
    agency = agency_for_update(actor=actor, agency=qualification.agency)
    qualification = Qualification.objects.get(pk=qualification.pk, agency=agency)
    grade, number, issuer = grade.strip(), number.strip(), issuer.strip()
    _raise_if(
        qualification_errors(
            qualification_type=qualification_type,
            grade=grade,
            number=number,
            issuer=issuer,
            valid_from=valid_from,
            valid_to=valid_to,
            scan=scan,
            scan_required=False,
            today=timezone.localdate(),
            exclude_pk=qualification.pk,
        )
    )
    if valid_to != qualification.valid_to:
        # A renewed certificate starts its expiry reminders afresh.
        qualification.expired = False
        qualification.expiry_notices_sent = []
    if qualification.status != Qualification.Status.PENDING:
        # What the agency changed is for a regulator to verify again before it counts.
        status_move(
            qualification,
            Qualification.Status.PENDING,
            actor=actor,
            note=_("Changed by the agency; to be verified again."),
            fields={"verification_due": verification_due_for(timezone.localdate())},
        )
    qualification.qualification_type = qualification_type
    qualification.grade = grade
    qualification.number = number
    qualification.issuer = issuer
    qualification.valid_from = valid_from
    qualification.valid_to = valid_to
    if scan is not None:
        qualification.scan = scan
    _save(qualification)
    agency_scope_recompute(agency=agency)
    agency_touch(agency=agency)
    return qualification


@transaction.atomic
def qualification_remove(*, actor: User, qualification: Qualification) -> None:
    """Delete a certificate and recompute the scope.

    Raises ApplicationError if the actor may not change the agency."""
    agency = agency_for_update(actor=actor, agency=qualification.agency)
    Qualification.objects.filter(pk=qualification.pk, agency=agency).delete()
    agency_scope_recompute(agency=agency)
    agency_touch(agency=agency)


def _verification(qualification: Qualification, actor: User) -> Qualification:
    require("accounts.regulate", actor)
    lock_for_update(qualification.agency)
    return lock_for_update(qualification, "qualification_type")


@transaction.atomic
def qualification_verify(
    *, actor: User, qualification: Qualification, note: str = ""
) -> Qualification:
    """A regulator has checked the certificate against its scan and the issuing authority's
    record: from now on it counts towards the scope (while it is valid).

    Raises ApplicationError for anyone but a regulator ("not_regulator") or a certificate not
    awaiting verification ("status_move_not_allowed")."""
    qualification = _verification(qualification, actor)
    status_move(
        qualification,
        Qualification.Status.VERIFIED,
        actor=actor,
        note=(note or "").strip(),
        fields={"verification_due": None},
    )
    agency_scope_recompute(agency=qualification.agency)
    return qualification


@transaction.atomic
def qualification_refuse(
    *, actor: User, qualification: Qualification, reason: str
) -> Qualification:
    """A regulator found the certificate false or unproven; it does not count, and the reason
    is on the agency's public record.

    Raises ApplicationError for anyone but a regulator ("not_regulator"), without a reason
    ("reason_required"), or a certificate not awaiting verification
    ("status_move_not_allowed")."""
    reason = (reason or "").strip()
    if not reason:
        message = _("Give the reason; it is shown on the agency's public record.")
        raise ApplicationError(message, code="reason_required", extra={"reason": [message]})
    qualification = _verification(qualification, actor)
    status_move(
        qualification,
        Qualification.Status.REFUSED,
        actor=actor,
        note=reason,
        fields={"verification_due": None},
    )
    agency_scope_recompute(agency=qualification.agency)
    return qualification
