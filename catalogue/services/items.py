"""Keeping the service catalogue (R1, R2, R10): drafts, publication, versioned changes with an
effective date and a reason, retirement, and the daily application of scheduled changes.

An item's content travels as a plain dict of field values (`ItemValues`) plus its
qualification requirements (`RequirementSpec`). The same `service_item_clean` checks it for
the back-office form, the import and the services themselves, so a rule holds wherever an
item is written."""

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import Organisation, User
from catalogue.models import (
    FeeMode,
    QualificationRequirement,
    QualificationType,
    RegionalAssessmentKind,
    ServiceItem,
    ServiceItemVersion,
)
from catalogue.signals import service_item_requirements_changed
from core.exceptions import ApplicationError
from core.status import lock_for_update, status_check, status_move

# The public content of an item, in the order the adjustment log lists changes.
CONTENT_FIELDS: tuple[str, ...] = (
    "code",
    "name",
    "summary",
    "approval_department",
    "related_approval_item",
    "legal_basis",
    "legal_references",
    "statutory_time_limit_days",
    "fee_mode",
    "fee_basis",
    "fee_amount",
    "fee_ceiling",
    "reference_price_low",
    "reference_price_high",
    "paid_by_department",
    "guide_materials",
    "guide_steps",
    "guide_deliverables",
    "regional_assessment_kind",
    "owner_may_self_prepare",
)
REQUIREMENTS = "requirements"
AMOUNT_FIELDS = ("fee_amount", "fee_ceiling", "reference_price_low", "reference_price_high")
# Which amounts each fee mode needs (R2); the others must stay empty.
FEE_MODE_AMOUNTS: dict[str, tuple[str, ...]] = {
    FeeMode.GOVERNMENT_SET: ("fee_amount",),
    FeeMode.GOVERNMENT_GUIDANCE: ("fee_ceiling",),
    FeeMode.MARKET: ("reference_price_low", "reference_price_high"),
}
LINE_LIST_FIELDS = ("legal_references", "guide_materials", "guide_steps", "guide_deliverables")
TEXT_FIELDS = ("code", "name", "summary", "related_approval_item", "legal_basis", "fee_basis")
BOOLEAN_FIELDS = ("paid_by_department", "owner_may_self_prepare")
# R10: a published item tells the owner everything at once.
GUIDE_FIELDS = ("legal_basis", "guide_materials", "guide_steps", "guide_deliverables")
CENT = Decimal("0.01")

ItemValues = dict[str, Any]


@dataclass(frozen=True)
class RequirementSpec:
    """One required qualification: all specs sharing an alternative must be held together."""

    alternative: int
    qualification_type: QualificationType
    minimum_grade: str = ""

    def key(self) -> tuple[int, str]:
        return (self.qualification_type.pk, self.minimum_grade)


# Permissions ------------------------------------------------------------------------------------


def _require_perm(user: User | None, permission: str) -> None:
    if user is None or not user.has_perm(permission):
        raise ApplicationError(
            gettext("You may not change the service catalogue."), code="not_catalogue_keeper"
        )


# Requirements in their compact written form ---------------------------------------------------

_ALTERNATIVE_SEPARATOR = re.compile(r"\s*[|｜\n]\s*")
_PART_SEPARATOR = re.compile(r"\s*[+＋]\s*")
_GRADE_SEPARATOR = re.compile(r"\s*[:：]\s*")


def requirements_parse(text: str) -> list[RequirementSpec]:
    """Read `测绘资质:乙级+工程勘察资质:丙级|地质灾害评估资质:丙级`: `|` (or a new line)
    separates alternatives, `+` joins the qualifications one alternative needs together, and
    `:` gives the minimum grade (left out for a qualification without grades). A
    qualification is named by its name or its code.

    Raises ApplicationError naming every unknown qualification or grade."""
    groups = [group for group in _ALTERNATIVE_SEPARATOR.split((text or "").strip()) if group]
    if not groups:
        return []
    names = {
        part_name
        for group in groups
        for part in _PART_SEPARATOR.split(group)
        if (part_name := _GRADE_SEPARATOR.split(part, maxsplit=1)[0].strip())
    }
    types = {
        key: qualification_type
        for qualification_type in QualificationType.objects.filter(name__in=names)
        | QualificationType.objects.filter(code__in=names)
        for key in (qualification_type.name, qualification_type.code)
    }
    specs: list[RequirementSpec] = []
    errors: list[str] = []
    for alternative, group in enumerate(groups, start=1):
        for part in _PART_SEPARATOR.split(group):
            if not part.strip():
                continue
            name, *grade_part = _GRADE_SEPARATOR.split(part.strip(), maxsplit=1)
            grade = grade_part[0].strip() if grade_part else ""
            qualification_type = types.get(name)
            if qualification_type is None:
                errors.append(gettext("Unknown qualification “%(name)s”.") % {"name": name})
                continue
            specs.append(RequirementSpec(alternative, qualification_type, grade))
    if errors:
        raise ApplicationError(
            " ".join(errors), code="unknown_qualification", extra={REQUIREMENTS: errors}
        )
    return specs


def requirements_format(specs: list[RequirementSpec]) -> str:
    """The compact written form `requirements_parse` reads."""
    groups: dict[int, list[str]] = {}
    for spec in specs:
        text = spec.qualification_type.name
        if spec.minimum_grade:
            text = f"{text}:{spec.minimum_grade}"
        groups.setdefault(spec.alternative, []).append(text)
    return "|".join("+".join(parts) for _number, parts in sorted(groups.items()))


def requirement_specs_of(service_item: ServiceItem) -> list[RequirementSpec]:
    return [
        RequirementSpec(
            requirement.alternative, requirement.qualification_type, requirement.minimum_grade
        )
        for requirement in service_item.requirements.all()
    ]


def _requirement_errors(specs: list[RequirementSpec]) -> list[str]:
    errors: list[str] = []
    seen: set[tuple[int, int]] = set()
    for spec in specs:
        qualification_type = spec.qualification_type
        if (spec.alternative, qualification_type.pk) in seen:
            errors.append(
                gettext("“%(name)s” is named twice in one alternative.")
                % {"name": qualification_type.name}
            )
        seen.add((spec.alternative, qualification_type.pk))
        if qualification_type.grades and spec.minimum_grade not in qualification_type.grades:
            errors.append(
                gettext("“%(name)s” needs a minimum grade, one of: %(grades)s.")
                % {"name": qualification_type.name, "grades": "、".join(qualification_type.grades)}
            )
        elif not qualification_type.grades and spec.minimum_grade:
            errors.append(
                gettext("“%(name)s” has no grades; leave the grade out.")
                % {"name": qualification_type.name}
            )
    return errors


def _requirement_groups(specs: list[RequirementSpec]) -> set[frozenset[tuple[int, str]]]:
    """The requirements as a reader compares them: the numbering of alternatives is not a
    change, only what each alternative asks for."""
    groups: dict[int, set[tuple[int, str]]] = {}
    for spec in specs:
        groups.setdefault(spec.alternative, set()).add(spec.key())
    return {frozenset(group) for group in groups.values()}


def _renumbered(specs: list[RequirementSpec]) -> list[RequirementSpec]:
    numbers: dict[int, int] = {}
    for spec in specs:
        numbers.setdefault(spec.alternative, len(numbers) + 1)
    return [
        RequirementSpec(numbers[spec.alternative], spec.qualification_type, spec.minimum_grade)
        for spec in specs
    ]


# Checking an item's content -------------------------------------------------------------------


def _lines(text: str) -> str:
    return "\n".join(line.strip() for line in str(text or "").splitlines() if line.strip())


def _amount(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value.quantize(CENT)
    try:
        return Decimal(str(value).replace(",", "").strip()).quantize(CENT)
    except (InvalidOperation, ValueError):
        raise ValueError(value) from None


def service_item_clean(
    *,
    values: ItemValues,
    requirements: list[RequirementSpec],
    service_item: ServiceItem | None = None,
) -> tuple[ItemValues, list[RequirementSpec]]:
    """Normalise an item's content and check it: required fields, the department, the time
    limit, the fee amounts against the fee mode (R2) and the requirements' grades.

    Returns the cleaned values and requirements. Raises ApplicationError with the messages
    per field in `extra`."""
    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    cleaned: ItemValues = {}
    for field in TEXT_FIELDS:
        cleaned[field] = str(values.get(field) or "").replace("\r\n", "\n").strip()
    for field in LINE_LIST_FIELDS:
        cleaned[field] = _lines(values.get(field) or "")
    for field in BOOLEAN_FIELDS:
        cleaned[field] = bool(values.get(field))
    for field in ("code", "name", "related_approval_item"):
        if not cleaned[field]:
            error(field, gettext("This field is required."))
    if cleaned["code"]:
        same_code = ServiceItem.objects.filter(code=cleaned["code"])
        if service_item is not None:
            same_code = same_code.exclude(pk=service_item.pk)
        if same_code.exists():
            error("code", gettext("Another service item already has this code."))
    if (
        service_item is not None
        and service_item.status != ServiceItem.Status.DRAFT
        and cleaned["code"] != service_item.code
    ):
        error("code", gettext("The code of a published item cannot change."))

    department = values.get("approval_department")
    if not isinstance(department, Organisation):
        error("approval_department", gettext("Choose the approval department."))
    elif department.kind != Organisation.Kind.APPROVAL_DEPARTMENT:
        error("approval_department", gettext("This organisation is not an approval department."))
    cleaned["approval_department"] = department

    days = values.get("statutory_time_limit_days")
    try:
        days = int(str(days).strip())
        if days < 1 or days > 32767:
            raise ValueError(days)
    except (TypeError, ValueError):
        error(
            "statutory_time_limit_days",
            gettext("The time limit must be a whole number of working days, at least 1."),
        )
        days = None
    cleaned["statutory_time_limit_days"] = days

    fee_mode = values.get("fee_mode") or ""
    if fee_mode not in FeeMode.values:
        error("fee_mode", gettext("Choose a fee mode."))
    cleaned["fee_mode"] = fee_mode
    for field in AMOUNT_FIELDS:
        try:
            cleaned[field] = _amount(values.get(field))
        except ValueError:
            error(field, gettext("Enter an amount in yuan, such as 12000 or 12000.50."))
            cleaned[field] = None
            continue
        if cleaned[field] is not None and cleaned[field] > Decimal("999999999999.99"):
            error(field, gettext("This amount is too large."))
    if fee_mode in FEE_MODE_AMOUNTS:
        _check_fee_amounts(cleaned, fee_mode, error)

    regional_kind = values.get("regional_assessment_kind") or ""
    if regional_kind not in ("", *RegionalAssessmentKind.values):
        error("regional_assessment_kind", gettext("Choose a regional assessment kind or none."))
    cleaned["regional_assessment_kind"] = regional_kind

    requirements = _renumbered(list(requirements))
    for message in _requirement_errors(requirements):
        error(REQUIREMENTS, message)

    if errors:
        first = next(iter(errors.values()))[0]
        raise ApplicationError(
            first if len(errors) == 1 else _fix_below(), code="invalid_item", extra=errors
        )
    return cleaned, requirements


def _fix_below() -> str:
    return gettext("Please correct the errors below.")


def _check_fee_amounts(cleaned: ItemValues, fee_mode: str, error) -> None:
    """R2: each fee mode publishes exactly its own amounts, all above zero."""
    wanted = FEE_MODE_AMOUNTS[fee_mode]
    for field in AMOUNT_FIELDS:
        value = cleaned[field]
        if field in wanted:
            if value is None or value <= 0:
                error(field, gettext("This fee mode needs an amount above zero here."))
        elif value is not None:
            error(field, gettext("Leave this amount empty for the chosen fee mode."))
    low, high = cleaned["reference_price_low"], cleaned["reference_price_high"]
    if fee_mode == FeeMode.MARKET and low and high and low > high:
        error(
            "reference_price_high",
            gettext("The upper reference price must not be below the lower one."),
        )


def guide_missing(values: ItemValues) -> list[str]:
    """The R10 fields a published item must fill in: legal basis, materials, steps and
    deliverables. Returns their names (empty when the guide is complete)."""
    return [field for field in GUIDE_FIELDS if not str(values.get(field) or "").strip()]


def _check_publishable(values: ItemValues) -> None:
    missing = guide_missing(values)
    if missing:
        raise ApplicationError(
            gettext(
                "An item can be published only with its legal basis and a complete service "
                "guide: the materials the owner provides, the steps and the deliverables."
            ),
            code="guide_incomplete",
            extra={field: [gettext("Required before the item is published.")] for field in missing},
        )


# Snapshots: the content of one version --------------------------------------------------------


def _snapshot(values: ItemValues, requirements: list[RequirementSpec]) -> dict:
    snapshot: dict[str, Any] = {}
    for field in CONTENT_FIELDS:
        value = values.get(field)
        if field == "approval_department":
            snapshot[field] = value.pk if value is not None else None
            snapshot["approval_department_name"] = value.name if value is not None else ""
        elif field in AMOUNT_FIELDS:
            snapshot[field] = str(value) if value is not None else None
        else:
            snapshot[field] = value
    snapshot[REQUIREMENTS] = [
        {
            "alternative": spec.alternative,
            "qualification_type": spec.qualification_type.pk,
            "qualification_type_name": spec.qualification_type.name,
            "minimum_grade": spec.minimum_grade,
        }
        for spec in requirements
    ]
    return snapshot


def service_item_values(service_item: ServiceItem) -> ItemValues:
    """The item's content as it stands, in the form `service_item_clean` takes."""
    values = {field: getattr(service_item, field) for field in CONTENT_FIELDS}
    for field in AMOUNT_FIELDS:
        if values[field] is not None:
            values[field] = Decimal(values[field]).quantize(CENT)
    return values


def _values_from_snapshot(snapshot: dict) -> tuple[ItemValues, list[RequirementSpec]]:
    values: ItemValues = {field: snapshot.get(field) for field in CONTENT_FIELDS}
    values["approval_department"] = Organisation.objects.get(pk=snapshot["approval_department"])
    for field in AMOUNT_FIELDS:
        values[field] = Decimal(values[field]) if values[field] is not None else None
    types = QualificationType.objects.in_bulk(
        [row["qualification_type"] for row in snapshot.get(REQUIREMENTS, [])]
    )
    specs = [
        RequirementSpec(row["alternative"], types[row["qualification_type"]], row["minimum_grade"])
        for row in snapshot.get(REQUIREMENTS, [])
    ]
    return values, specs


def content_changes(
    before: tuple[ItemValues, list[RequirementSpec]],
    after: tuple[ItemValues, list[RequirementSpec]],
) -> list[str]:
    old, new = _snapshot(*before), _snapshot(*after)
    changed = [field for field in CONTENT_FIELDS if old[field] != new[field]]
    if _requirement_groups(before[1]) != _requirement_groups(after[1]):
        changed.append(REQUIREMENTS)
    return changed


def service_item_pending_version(*, service_item: ServiceItem) -> ServiceItemVersion | None:
    """The latest change still waiting for its effective date, if any."""
    return (
        service_item.versions.filter(applied_at__isnull=True)
        .order_by("-effective_date", "-number")
        .first()
    )


def service_item_planned_content(
    *, service_item: ServiceItem
) -> tuple[ItemValues, list[RequirementSpec]]:
    """What the item will be once every scheduled change applies: the base a new change
    builds on, so that it neither undoes nor is undone by a change already scheduled."""
    pending = service_item_pending_version(service_item=service_item)
    if pending is not None:
        return _values_from_snapshot(pending.snapshot)
    return service_item_values(service_item), requirement_specs_of(service_item)


def _write_content(
    service_item: ServiceItem, values: ItemValues, requirements: list[RequirementSpec]
) -> None:
    for field in CONTENT_FIELDS:
        setattr(service_item, field, values[field])
    service_item.save()
    service_item.requirements.all().delete()
    QualificationRequirement.objects.bulk_create(
        QualificationRequirement(
            service_item=service_item,
            alternative=spec.alternative,
            qualification_type=spec.qualification_type,
            minimum_grade=spec.minimum_grade,
        )
        for spec in requirements
    )


def _next_version_number(service_item: ServiceItem) -> int:
    return (service_item.versions.aggregate(top=Max("number"))["top"] or 0) + 1


def _lock(service_item: ServiceItem) -> ServiceItem:
    # Two regulators saving the same item at once would otherwise both take the same next
    # version number, or both publish; the row lock makes the second wait and see the first.
    return lock_for_update(service_item)


# Writes ---------------------------------------------------------------------------------------


@transaction.atomic
def service_item_create(
    *, user: User | None, values: ItemValues, requirements: list[RequirementSpec]
) -> ServiceItem:
    """Create a draft item. Raises ApplicationError without the permission or for content
    that fails `service_item_clean`."""
    _require_perm(user, "catalogue.add_serviceitem")
    cleaned, specs = service_item_clean(values=values, requirements=requirements)
    service_item = ServiceItem(status=ServiceItem.Status.DRAFT)
    _write_content(service_item, cleaned, specs)
    return service_item


@transaction.atomic
def service_item_update(
    *,
    user: User | None,
    service_item: ServiceItem,
    values: ItemValues,
    requirements: list[RequirementSpec],
    effective_date: datetime.date | None = None,
    reason: str = "",
) -> ServiceItemVersion | None:
    """Change an item. A draft is simply saved (returns None). A published item changes
    only through a new version with an effective date and a reason (R1): dated today or
    earlier it applies at once, dated later it is scheduled and the daily task applies it.

    Raises ApplicationError without the permission, for a retired item, for bad content,
    without a date or reason, for a date before a change already scheduled, or when
    nothing changed."""
    _require_perm(user, "catalogue.change_serviceitem")
    service_item = _lock(service_item)
    cleaned, specs = service_item_clean(
        values=values, requirements=requirements, service_item=service_item
    )
    if service_item.status == ServiceItem.Status.DRAFT:
        # A draft is in no agency's scope, so its scopes need no recomputing.
        _write_content(service_item, cleaned, specs)
        return None
    if service_item.status == ServiceItem.Status.RETIRED:
        raise ApplicationError(gettext("A retired item cannot be changed."), code="item_retired")

    _check_publishable(cleaned)
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    if effective_date is None:
        errors["effective_date"] = [gettext("A change to a published item needs a date.")]
    if not reason:
        errors["reason"] = [gettext("A change to a published item needs a reason.")]
    if effective_date and effective_date < timezone.localdate():
        errors["effective_date"] = [gettext("The date cannot be in the past.")]
    pending = service_item_pending_version(service_item=service_item)
    if effective_date and pending and effective_date < pending.effective_date:
        errors["effective_date"] = [
            gettext("A change is already scheduled for %(date)s; date this one on or after it.")
            % {"date": pending.effective_date.isoformat()}
        ]
    if errors or effective_date is None:
        raise ApplicationError(
            next(iter(errors.values()))[0], code="change_needs_date_and_reason", extra=errors
        )
    planned = service_item_planned_content(service_item=service_item)
    changed = content_changes(planned, (cleaned, specs))
    if not changed:
        raise ApplicationError(gettext("Nothing was changed."), code="nothing_changed")
    version = ServiceItemVersion.objects.create(
        service_item=service_item,
        number=_next_version_number(service_item),
        effective_date=effective_date,
        reason=reason,
        changed_fields=changed,
        snapshot=_snapshot(cleaned, specs),
        status=ServiceItem.Status.PUBLISHED,
        created_by=user,
    )
    if effective_date <= timezone.localdate():
        _apply(version, service_item)
    return version


@transaction.atomic
def service_item_publish(
    *, user: User | None, service_item: ServiceItem, reason: str = ""
) -> ServiceItemVersion:
    """Publish a draft today, as a new version in the adjustment log. Raises
    ApplicationError without the permission, for an item that is not a draft, for content
    that fails `service_item_clean`, or without a complete guide and legal basis (R10)."""
    _require_perm(user, "catalogue.change_serviceitem")
    service_item = _lock(service_item)
    status_check(service_item, ServiceItem.Status.PUBLISHED)
    specs = requirement_specs_of(service_item)
    cleaned, specs = service_item_clean(
        values=service_item_values(service_item), requirements=specs, service_item=service_item
    )
    _check_publishable(cleaned)
    today = timezone.localdate()
    version = ServiceItemVersion.objects.create(
        service_item=service_item,
        number=_next_version_number(service_item),
        effective_date=today,
        reason=(reason or "").strip() or gettext("Published in the catalogue"),
        changed_fields=["status"],
        snapshot=_snapshot(cleaned, specs),
        status=ServiceItem.Status.PUBLISHED,
        created_by=user,
    )
    _apply(version, service_item)
    return version


@transaction.atomic
def service_item_retire(
    *, user: User | None, service_item: ServiceItem, reason: str
) -> ServiceItemVersion:
    """Take a published item out of the catalogue today; it stays readable at its address.
    Raises ApplicationError without the permission, a reason, or for an item not
    published."""
    _require_perm(user, "catalogue.change_serviceitem")
    service_item = _lock(service_item)
    status_check(service_item, ServiceItem.Status.RETIRED)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            gettext("Retiring an item needs a reason."),
            code="reason_required",
            extra={"reason": [gettext("Retiring an item needs a reason.")]},
        )
    version = ServiceItemVersion.objects.create(
        service_item=service_item,
        number=_next_version_number(service_item),
        effective_date=timezone.localdate(),
        reason=reason,
        changed_fields=["status"],
        snapshot=_snapshot(service_item_values(service_item), requirement_specs_of(service_item)),
        status=ServiceItem.Status.RETIRED,
        created_by=user,
    )
    _apply(version, service_item)
    return version


def _apply(version: ServiceItemVersion, service_item: ServiceItem) -> None:
    """Make the item what the version says; the caller holds the item's row lock."""
    values, specs = _values_from_snapshot(version.snapshot)
    before = (
        service_item.status,
        service_item.approval_department_id,
        _requirement_groups(requirement_specs_of(service_item)),
    )
    _write_content(service_item, values, specs)
    if version.status != service_item.status and service_item.status != ServiceItem.Status.RETIRED:
        # A change scheduled before the item was retired updates its text but never brings
        # it back.
        status_move(service_item, version.status, actor=version.created_by, note=version.reason)
    service_item.version = version.number
    service_item.effective_date = version.effective_date
    service_item.save(update_fields=["version", "effective_date"])
    version.applied_at = timezone.now()
    version.save(update_fields=["applied_at"])
    after = (service_item.status, service_item.approval_department_id, _requirement_groups(specs))
    if before != after:
        service_item_requirements_changed.send(sender=ServiceItem, service_item=service_item)


@transaction.atomic
def service_item_version_apply(*, version: ServiceItemVersion) -> bool:
    """Apply one scheduled version to its item. Safe to run twice: a version already
    applied is left alone. Returns whether it applied the version now."""
    # Lock the item first, then the version, as every writer here does: a regulator's
    # change and the daily task then never apply the same version twice.
    service_item = _lock(version.service_item)
    version = ServiceItemVersion.objects.select_for_update().get(pk=version.pk)
    if version.applied_at is not None:
        return False
    _apply(version, service_item)
    return True


def service_item_versions_apply_due(*, today: datetime.date | None = None) -> int:
    """Apply every scheduled version whose effective date has come, oldest first (the
    daily task). Returns how many it applied."""
    today = today or timezone.localdate()
    due = ServiceItemVersion.objects.filter(
        applied_at__isnull=True, effective_date__lte=today
    ).order_by("effective_date", "number")
    return sum(service_item_version_apply(version=version) for version in list(due))
