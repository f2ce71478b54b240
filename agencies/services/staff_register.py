"""The register of serving government staff (R4: serving staff may not hold posts in agencies).

Regulators import it from a CSV or Excel table with the columns 身份证号 (ID number) and 单位
(department). Each number is checked and reduced at once to its keyed hash
(core/identity.py), the same hash practitioners get, so the two can be matched without the
numbers ever being stored, logged or shown. An import is all or nothing: one bad row and
nothing is saved, with every bad row listed by the row number the spreadsheet shows.

The import runs in two steps: `staff_register_read` checks the file and returns its rows
(hashes only) for a preview; `staff_register_import` saves the confirmed rows.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require
from agencies.models import Agency, Practitioner, StaffRegisterEntry
from agencies.services.scope import eligibility_changed
from core.exceptions import ApplicationError
from core.identity import id_number_hash, validate_id_number
from core.tabular import bad_rows_error, read_table

ID_NUMBER_COLUMN = "身份证号"
DEPARTMENT_COLUMN = "单位"
DEPARTMENT_MAX_LENGTH: int = StaffRegisterEntry._meta.get_field("department_name").max_length or 100


@dataclass(frozen=True)
class StaffRegisterRow:
    number: int  # the row number the spreadsheet shows (the header is row 1)
    id_number_hash: str
    department_name: str


@dataclass(frozen=True)
class StaffRegisterImportResult:
    created: int
    updated: int
    removed: int


@dataclass(frozen=True)
class StaffRegisterConflict:
    practitioner: Practitioner
    department_name: str


def staff_register_conflicts(*, agency: Agency) -> list[StaffRegisterConflict]:
    """The agency's current practitioners who are on the register of serving government
    staff, with their department (one query)."""
    practitioners = list(agency.practitioners.filter(active=True))
    if not practitioners:
        return []
    departments = dict(
        StaffRegisterEntry.objects.filter(
            id_number_hash__in=[practitioner.id_number_hash for practitioner in practitioners]
        ).values_list("id_number_hash", "department_name")
    )
    return [
        StaffRegisterConflict(
            practitioner=practitioner, department_name=departments[practitioner.id_number_hash]
        )
        for practitioner in practitioners
        if practitioner.id_number_hash in departments
    ]


def staff_register_read(*, actor: User, upload: UploadedFile) -> list[StaffRegisterRow]:
    """Check an uploaded register and return its rows, the ID numbers already hashed.

    Raises ApplicationError when the actor is not a regulator, or when the file cannot be
    read or any row is bad; then `extra["rows"]` lists `{"row": n, "message": ...}` for each
    bad row and `extra["file"]` the same as text, and nothing is kept. Messages never repeat
    an ID number."""
    require("accounts.regulate", actor)
    try:
        header, rows = read_table(upload)
    except ValidationError as exc:
        raise ApplicationError(
            exc.messages[0], code="unreadable_file", extra={"file": exc.messages}
        ) from exc
    missing = [column for column in (ID_NUMBER_COLUMN, DEPARTMENT_COLUMN) if column not in header]
    if missing:
        message = _("The first row must name the columns %(columns)s; missing: %(missing)s.") % {
            "columns": f"{ID_NUMBER_COLUMN}, {DEPARTMENT_COLUMN}",
            "missing": ", ".join(missing),
        }
        raise ApplicationError(message, code="bad_file", extra={"file": [message]})
    if not rows:
        message = _("The file has no rows below its header.")
        raise ApplicationError(message, code="bad_file", extra={"file": [message]})

    errors: list[dict] = []
    result: list[StaffRegisterRow] = []
    seen: dict[str, int] = {}
    for row in rows:
        number = row.values.get(ID_NUMBER_COLUMN, "")
        department = row.values.get(DEPARTMENT_COLUMN, "").strip()
        try:
            validate_id_number(number)
        except ValidationError as exc:
            errors.append({"row": row.number, "message": exc.messages[0]})
            continue
        if not department:
            errors.append({"row": row.number, "message": _("The department is missing.")})
            continue
        if len(department) > DEPARTMENT_MAX_LENGTH:
            errors.append(
                {
                    "row": row.number,
                    "message": _("The department name is longer than %(limit)d characters.")
                    % {"limit": DEPARTMENT_MAX_LENGTH},
                }
            )
            continue
        hashed = id_number_hash(number)
        if hashed in seen:
            errors.append(
                {
                    "row": row.number,
                    "message": _("The same ID number is already on row %(row)d.")
                    % {"row": seen[hashed]},
                }
            )
            continue
        seen[hashed] = row.number
        result.append(
            StaffRegisterRow(number=row.number, id_number_hash=hashed, department_name=department)
        )
    if errors:
        raise bad_rows_error(errors)
    return result


@transaction.atomic
def staff_register_import(
    *, actor: User, rows: list[StaffRegisterRow], replace: bool
) -> StaffRegisterImportResult:
    """Save checked rows: new people are added, known ones get the department given; with
    `replace`, people not in the rows are removed (the file is the whole register).

    Raises ApplicationError when the actor is not a regulator or there are no rows."""
    require("accounts.regulate", actor)
    if not rows:
        raise ApplicationError(_("There is nothing to import."), code="nothing_to_import")
    wanted = {row.id_number_hash: row.department_name for row in rows}
    existing = {
        entry.id_number_hash: entry
        for entry in StaffRegisterEntry.objects.select_for_update().filter(
            id_number_hash__in=wanted
        )
    }
    changed = []
    for hashed, entry in existing.items():
        if entry.department_name != wanted[hashed]:
            entry.department_name = wanted[hashed]
            changed.append(entry)
    StaffRegisterEntry.objects.bulk_update(changed, ["department_name"], batch_size=500)
    StaffRegisterEntry.objects.bulk_create(
        [
            StaffRegisterEntry(id_number_hash=hashed, department_name=department)
            for hashed, department in wanted.items()
            if hashed not in existing
        ],
        batch_size=500,
    )
    removed = 0
    if replace:
        removed, _details = StaffRegisterEntry.objects.exclude(id_number_hash__in=wanted).delete()
    # Every agency employing someone on the new register is asked about again (R4).
    for agency_id in (
        Practitioner.objects.filter(active=True, id_number_hash__in=wanted)
        .values_list("agency_id", flat=True)
        .distinct()
    ):
        eligibility_changed(agency_id=agency_id)
    return StaffRegisterImportResult(
        created=len(wanted) - len(existing), updated=len(changed), removed=removed
    )


def staff_register_import_file(
    *, actor: User, upload: UploadedFile, replace: bool
) -> StaffRegisterImportResult:
    """Check and save a register file in one step (no preview).

    Raises ApplicationError as `staff_register_read` and `staff_register_import` do."""
    rows = staff_register_read(actor=actor, upload=upload)
    return staff_register_import(actor=actor, rows=rows, replace=replace)
