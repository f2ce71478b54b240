"""Verifying certificates in bulk against an issuing authority's register (R3).

An issuing authority — the provincial department of natural resources for 测绘资质, say —
publishes the certificates it has issued. A regulator imports that list for one qualification
type, as a CSV or Excel table with the columns 证书编号, 统一社会信用代码, 资质等级, 有效期至
and optionally 证书状态. Each certificate on the platform with the same type and number is
then checked against it:

- the register gives it to another organisation, says it is no longer in force, or gives
  another grade: it is refused, with that reason on the agency's public record (a verified
  one is first taken back to "awaiting verification", so its history shows both steps);
- otherwise it is verified, and the register's end of validity replaces the agency's if
  they differ — an earlier end takes the certificate out of the scope from that day, and
  quotes that depended on it stop counting (agency_scope_recompute announces the change).

Certificates the register does not list are left for a regulator to check one by one.
Like the staff register, the import runs in two steps: `certificate_register_read` checks the
file (all or nothing, every bad row listed) and `certificate_register_plan` says what would
change, for a preview; `certificate_register_apply` does it.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require
from agencies.models import Qualification
from agencies.services.scope import agency_scope_recompute
from catalogue.models import QualificationType
from core.exceptions import ApplicationError
from core.status import lock_for_update, status_move, status_note
from core.tabular import bad_rows_error, read_table

NUMBER_COLUMN = "证书编号"
CREDIT_CODE_COLUMN = "统一社会信用代码"
GRADE_COLUMN = "资质等级"
VALID_TO_COLUMN = "有效期至"
STATE_COLUMN = "证书状态"
REQUIRED_COLUMNS = (NUMBER_COLUMN, CREDIT_CODE_COLUMN, GRADE_COLUMN, VALID_TO_COLUMN)
# What issuing authorities write for a certificate in force; anything else (注销, 撤销, 暂停…)
# means it is not.
IN_FORCE = {"", "有效", "正常", "在用"}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y-%m-%d %H:%M:%S")


@dataclass(frozen=True)
class RegisterEntry:
    row: int  # the row number the spreadsheet shows (the header is row 1)
    number: str
    credit_code: str
    grade: str
    valid_to: datetime.date
    in_force: bool


@dataclass(frozen=True)
class RegisterOutcome:
    qualification: Qualification
    verify: bool  # False: refuse, for `reason`
    reason: str
    valid_to: datetime.date  # the register's end of validity


def _date(text: str) -> datetime.date | None:
    for pattern in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def certificate_register_read(*, actor: User, upload: UploadedFile) -> list[RegisterEntry]:
    """Check an uploaded register and return its rows.

    Raises ApplicationError when the actor is not a regulator ("not_regulator"), the file
    cannot be read ("unreadable_file") or lacks a column or rows ("bad_file"), or any row is
    bad ("bad_rows", with `extra["rows"]` listing `{"row": n, "message": ...}`); nothing is
    kept."""
    require("accounts.regulate", actor)
    try:
        header, rows = read_table(upload)
    except ValidationError as exc:
        raise ApplicationError(
            exc.messages[0], code="unreadable_file", extra={"file": exc.messages}
        ) from exc
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing or not rows:
        message = (
            _("The first row must name the columns %(columns)s; missing: %(missing)s.")
            % {"columns": ", ".join(REQUIRED_COLUMNS), "missing": ", ".join(missing)}
            if missing
            else _("The file has no rows below its header.")
        )
        raise ApplicationError(message, code="bad_file", extra={"file": [message]})
    entries: list[RegisterEntry] = []
    errors: list[dict] = []
    seen: dict[str, int] = {}
    for row in rows:
        values = row.values
        number = values.get(NUMBER_COLUMN, "").strip()
        valid_to = _date(values.get(VALID_TO_COLUMN, "").strip())
        problems = []
        if not number:
            problems.append(_("The certificate number is missing."))
        elif number in seen:
            problems.append(
                _("The same certificate number is already on row %(row)d.") % {"row": seen[number]}
            )
        if not values.get(CREDIT_CODE_COLUMN, "").strip():
            problems.append(_("The unified social credit code is missing."))
        if valid_to is None:
            problems.append(_("The end of validity is not a date such as 2027-06-30."))
        if problems or valid_to is None:
            errors.extend({"row": row.number, "message": problem} for problem in problems)
            continue
        seen[number] = row.number
        entries.append(
            RegisterEntry(
                row=row.number,
                number=number,
                credit_code=values[CREDIT_CODE_COLUMN].strip().upper(),
                grade=values.get(GRADE_COLUMN, "").strip(),
                valid_to=valid_to,
                in_force=values.get(STATE_COLUMN, "").strip() in IN_FORCE,
            )
        )
    if errors:
        raise bad_rows_error(errors)
    return entries


def certificate_register_plan(
    *, qualification_type: QualificationType, entries: list[RegisterEntry], source: str
) -> list[RegisterOutcome]:
    """What the register says of each certificate of this type the platform holds and it
    lists, verified or awaiting verification (refused ones stay refused). Reads only."""
    by_number = {entry.number: entry for entry in entries}
    qualifications = (
        Qualification.objects.filter(
            qualification_type=qualification_type,
            number__in=by_number,
            status__in=[Qualification.Status.PENDING, Qualification.Status.VERIFIED],
        )
        .select_related("agency__organisation", "qualification_type")
        .order_by("number")
    )
    outcomes = []
    for qualification in qualifications:
        entry = by_number[qualification.number]
        reason = ""
        if entry.credit_code != (qualification.agency.organisation.credit_code or ""):
            reason = _("%(source)s lists this certificate for another organisation.")
        elif not entry.in_force:
            reason = _("%(source)s lists this certificate as no longer in force.")
        elif qualification_type.grades and entry.grade != qualification.grade:
            reason = _("%(source)s gives the grade as %(grade)s.")
        outcomes.append(
            RegisterOutcome(
                qualification=qualification,
                verify=not reason,
                reason=reason % {"source": source, "grade": entry.grade} if reason else "",
                valid_to=entry.valid_to,
            )
        )
    return outcomes


def _refuse(qualification: Qualification, *, actor: User, reason: str) -> None:
    if qualification.status == Qualification.Status.VERIFIED:
        status_move(
            qualification,
            Qualification.Status.PENDING,
            actor=actor,
            note=_("Checked again against the issuing authority's register."),
        )
    status_move(
        qualification,
        Qualification.Status.REFUSED,
        actor=actor,
        note=reason,
        fields={"verification_due": None},
    )


def _verify(qualification: Qualification, *, actor: User, source: str, valid_to) -> None:
    note = _("Matches %(source)s.") % {"source": source}
    if valid_to != qualification.valid_to:
        note += " " + _("End of validity corrected from %(old)s to %(new)s.") % {
            "old": qualification.valid_to.isoformat(),
            "new": valid_to.isoformat(),
        }
        qualification.valid_to = valid_to
        qualification.expired = valid_to < timezone.localdate()
        qualification.save(update_fields=["valid_to", "expired"])
    elif qualification.status == Qualification.Status.VERIFIED:
        return  # verified before, and the register agrees: nothing to record
    if qualification.status == Qualification.Status.PENDING:
        status_move(
            qualification,
            Qualification.Status.VERIFIED,
            actor=actor,
            note=note,
            fields={"verification_due": None},
        )
    else:
        status_note(qualification, actor=actor, note=note)


@transaction.atomic
def certificate_register_apply(
    *,
    actor: User,
    qualification_type: QualificationType,
    entries: list[RegisterEntry],
    source: str,
) -> list[RegisterOutcome]:
    """Verify or refuse every certificate the register lists (see the module's docstring),
    then recompute the scope of each agency concerned. Returns what was done.

    Raises ApplicationError when the actor is not a regulator ("not_regulator") or the
    register is not named ("source_required")."""
    require("accounts.regulate", actor)
    source = (source or "").strip()
    if not source:
        message = _("Name the register: its issuing authority and date.")
        raise ApplicationError(message, code="source_required", extra={"source": [message]})
    outcomes = certificate_register_plan(
        qualification_type=qualification_type, entries=entries, source=source
    )
    agencies = {}
    for outcome in outcomes:
        agency = lock_for_update(outcome.qualification.agency)
        qualification = lock_for_update(outcome.qualification)
        if outcome.verify:
            _verify(qualification, actor=actor, source=source, valid_to=outcome.valid_to)
        else:
            _refuse(qualification, actor=actor, reason=outcome.reason)
        agencies[agency.pk] = agency
    for agency in agencies.values():
        agency_scope_recompute(agency=agency)
    return outcomes
