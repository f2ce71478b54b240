"""The catalogue as a spreadsheet: export, and an import that is previewed and then applied
all rows or none (R1).

The file is one row per item under these headers (`CATALOGUE_COLUMNS`); only 编码 is
required, and a column left out keeps an existing item's value (a new item gets it empty):

    编码, 名称, 状态, 审批部门, 对应审批事项, 简介, 设定依据, 法律依据条款, 服务时限,
    收费方式, 收费依据, 政府定价, 指导价上限, 参考价下限, 参考价上限, 部门付费,
    申请材料, 办理步骤, 服务成果, 可自行编制, 区域评估类别, 资质要求

- 状态: 草稿, 已发布 or 已停用 (empty: a new item is a draft, an existing one keeps its
  status). A new row marked 已发布 is created and published at once; an existing draft
  marked 已发布 is published; a published item marked 已停用 is retired (with the import's
  reason). No item goes back to 草稿.
- 审批部门: the department's name exactly as registered.
- 服务时限: whole working days. Amounts in yuan, plain numbers.
- 收费方式: 政府定价, 政府指导价 or 市场调节价; fill in only that mode's amounts (R2).
- 部门付费 and 可自行编制: 是 or 否 (empty means 否).
- 区域评估类别: empty, or 环境影响评价, 节能评估, 地震安全性评价, 地质灾害危险性评估,
  水土保持方案, 洪水影响评价 (R8).
- 法律依据条款, 申请材料, 办理步骤, 服务成果: one entry per line within the cell.
- 资质要求: `测绘资质:乙级+工程勘察资质:丙级|地质灾害评估资质:丙级` — `|` separates
  alternatives (any one suffices), `+` joins qualifications needed together, `:` gives the
  minimum grade; a qualification is named by its name or code.

A change to a published item becomes a new version with the effective date and reason given
on the import form. Rows that change nothing are left alone, so importing an export changes
nothing."""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from catalogue.models import FeeMode, RegionalAssessmentKind, ServiceItem
from catalogue.services.items import (
    REQUIREMENTS,
    ItemValues,
    RequirementSpec,
    content_changes,
    guide_missing,
    requirement_specs_of,
    requirements_format,
    requirements_parse,
    service_item_clean,
    service_item_create,
    service_item_pending_version,
    service_item_planned_content,
    service_item_publish,
    service_item_retire,
    service_item_update,
    service_item_values,
)
from core.exceptions import ApplicationError
from core.tabular import read_table

# (key, header): the key is a ServiceItem field, "status" or "requirements".
CATALOGUE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("code", "编码"),
    ("name", "名称"),
    ("status", "状态"),
    ("approval_department", "审批部门"),
    ("related_approval_item", "对应审批事项"),
    ("summary", "简介"),
    ("legal_basis", "设定依据"),
    ("legal_references", "法律依据条款"),
    ("statutory_time_limit_days", "服务时限"),
    ("fee_mode", "收费方式"),
    ("fee_basis", "收费依据"),
    ("fee_amount", "政府定价"),
    ("fee_ceiling", "指导价上限"),
    ("reference_price_low", "参考价下限"),
    ("reference_price_high", "参考价上限"),
    ("paid_by_department", "部门付费"),
    ("guide_materials", "申请材料"),
    ("guide_steps", "办理步骤"),
    ("guide_deliverables", "服务成果"),
    ("owner_may_self_prepare", "可自行编制"),
    ("regional_assessment_kind", "区域评估类别"),
    (REQUIREMENTS, "资质要求"),
)
HEADER_OF = dict(CATALOGUE_COLUMNS)
KEY_OF = {header: key for key, header in CATALOGUE_COLUMNS}

# The file's words for the choices; the stored values are accepted too.
FEE_MODE_WORDS = {
    "政府定价": FeeMode.GOVERNMENT_SET,
    "政府指导价": FeeMode.GOVERNMENT_GUIDANCE,
    "市场调节价": FeeMode.MARKET,
}
REGIONAL_KIND_WORDS = {
    "环境影响评价": RegionalAssessmentKind.ENVIRONMENTAL_IMPACT,
    "节能评估": RegionalAssessmentKind.ENERGY_SAVING,
    "地震安全性评价": RegionalAssessmentKind.SEISMIC_SAFETY,
    "地质灾害危险性评估": RegionalAssessmentKind.GEOLOGICAL_HAZARD,
    "水土保持方案": RegionalAssessmentKind.SOIL_WATER_CONSERVATION,
    "洪水影响评价": RegionalAssessmentKind.FLOOD_IMPACT,
}
STATUS_WORDS = {
    "草稿": ServiceItem.Status.DRAFT,
    "已发布": ServiceItem.Status.PUBLISHED,
    "已停用": ServiceItem.Status.RETIRED,
}
YES_WORDS = {"是", "y", "yes", "true", "1", "√"}
NO_WORDS = {"否", "n", "no", "false", "0", ""}


def _word_of(words: Mapping[str, str], value: object) -> str:
    return next((word for word, stored in words.items() if stored == value), "")


class ImportAction:
    CREATE = "create"
    CHANGE = "change"
    PUBLISH = "publish"
    RETIRE = "retire"

    LABELS = {
        CREATE: _("create as draft"),
        CHANGE: _("change"),
        PUBLISH: _("publish"),
        RETIRE: _("retire"),
    }


@dataclass
class CatalogueImportRow:
    number: int
    code: str
    name: str
    actions: list[str] = field(default_factory=list)
    changed_fields: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    scheduled: bool = False
    # What applying the row writes; not shown.
    values: ItemValues | None = None
    requirements: list[RequirementSpec] = field(default_factory=list)
    service_item: ServiceItem | None = None

    @property
    def action_labels(self) -> list[str]:
        return [str(ImportAction.LABELS[action]) for action in self.actions]

    @property
    def changed_field_labels(self) -> list[str]:
        return [_column_label(name) for name in self.changed_fields]


@dataclass
class CatalogueImportPreview:
    rows: list[CatalogueImportRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return bool(self.file_errors) or any(row.errors for row in self.rows)

    @property
    def error_rows(self) -> list[CatalogueImportRow]:
        return [row for row in self.rows if row.errors]

    @property
    def changing_rows(self) -> list[CatalogueImportRow]:
        return [row for row in self.rows if row.actions]

    @property
    def unchanged_count(self) -> int:
        return sum(1 for row in self.rows if not row.actions and not row.errors)


def _column_label(key: str) -> str:
    return HEADER_OF.get(key, key)


def _row_message(key: str, message: str) -> str:
    return gettext("%(column)s: %(message)s") % {"column": _column_label(key), "message": message}


# Reading one row ------------------------------------------------------------------------------


@dataclass
class _Context:
    departments: dict[str, Organisation]
    items: dict[str, ServiceItem]


def _read_row(
    cells: dict[str, str], base: tuple[ItemValues, list[RequirementSpec]], context: _Context
) -> tuple[ItemValues, list[RequirementSpec], str, list[str]]:
    """The row's values over `base` (the existing item's, or empty); returns the values, the
    requirements, the wanted status word's value ("" when not given) and the errors."""
    values = dict(base[0])
    specs = list(base[1])
    status = ""
    errors: list[str] = []

    def error(key: str, message: str) -> None:
        errors.append(_row_message(key, message))

    for key, raw in cells.items():
        if key == "status":
            if raw and raw not in STATUS_WORDS and raw not in ServiceItem.Status.values:
                error(key, gettext("Use 草稿, 已发布 or 已停用."))
            status = STATUS_WORDS.get(raw, raw)
        elif key == "approval_department":
            department = context.departments.get(raw)
            if department is None:
                error(key, gettext("Unknown approval department “%(name)s”.") % {"name": raw})
            values[key] = department
        elif key == "fee_mode":
            fee_mode = FEE_MODE_WORDS.get(raw, raw)
            if fee_mode not in FeeMode.values:
                error(key, gettext("Use 政府定价, 政府指导价 or 市场调节价."))
            values[key] = fee_mode
        elif key == "regional_assessment_kind":
            kind = REGIONAL_KIND_WORDS.get(raw, raw)
            if kind and kind not in RegionalAssessmentKind.values:
                error(key, gettext("Unknown regional assessment kind “%(name)s”.") % {"name": raw})
            values[key] = kind
        elif key in ("paid_by_department", "owner_may_self_prepare"):
            word = raw.lower()
            if word not in YES_WORDS | NO_WORDS:
                error(key, gettext("Use 是 or 否."))
            values[key] = word in YES_WORDS
        elif key == REQUIREMENTS:
            try:
                specs = requirements_parse(raw)
            except ApplicationError as problem:
                for message in problem.extra.get(REQUIREMENTS, [problem.message]):
                    error(key, message)
        else:
            values[key] = raw
    return values, specs, status, errors


def _empty_base() -> tuple[ItemValues, list[RequirementSpec]]:
    return {"fee_mode": ""}, []


def _plan_row(
    row: CatalogueImportRow,
    cells: dict[str, str],
    context: _Context,
    effective_date: datetime.date,
) -> None:
    """Fill in what the row would do, or its errors."""
    service_item = context.items.get(row.code)
    row.service_item = service_item
    if service_item is None:
        base = _empty_base()
    elif service_item.status == ServiceItem.Status.PUBLISHED:
        base = service_item_planned_content(service_item=service_item)
    else:
        base = (service_item_values(service_item), requirement_specs_of(service_item))
    values, specs, status, errors = _read_row(cells, base, context)
    row.errors.extend(errors)
    if errors:
        return
    try:
        values, specs = service_item_clean(
            values=values, requirements=specs, service_item=service_item
        )
    except ApplicationError as problem:
        for key, messages in problem.extra.items():
            row.errors.extend(_row_message(key, message) for message in messages)
        return
    row.values, row.requirements = values, specs
    row.name = values["name"]

    current = service_item.status if service_item else None
    wanted = status or current or ServiceItem.Status.DRAFT
    if service_item is None:
        row.actions.append(ImportAction.CREATE)
        row.changed_fields = []
    else:
        row.changed_fields = content_changes(base, (values, specs))
        if row.changed_fields:
            row.actions.append(ImportAction.CHANGE)
    if wanted != (current or ServiceItem.Status.DRAFT):
        if wanted not in ServiceItem.TRANSITIONS[current or ServiceItem.Status.DRAFT]:
            row.errors.append(
                _row_message(
                    "status",
                    gettext("A %(from)s item cannot become %(to)s.")
                    % {
                        "from": ServiceItem.Status(current or ServiceItem.Status.DRAFT).label,
                        "to": ServiceItem.Status(wanted).label,
                    },
                )
            )
            return
        row.actions.append(
            ImportAction.PUBLISH if wanted == ServiceItem.Status.PUBLISHED else ImportAction.RETIRE
        )
    if current == ServiceItem.Status.RETIRED and ImportAction.CHANGE in row.actions:
        row.errors.append(gettext("A retired item cannot be changed."))
    if ImportAction.RETIRE in row.actions and ImportAction.CHANGE in row.actions:
        row.errors.append(gettext("Retire an item without changing it in the same row."))
    if wanted == ServiceItem.Status.PUBLISHED and row.actions:
        for key in guide_missing(values):
            row.errors.append(_row_message(key, gettext("Required before the item is published.")))
    if (
        service_item is not None
        and current == ServiceItem.Status.PUBLISHED
        and ImportAction.CHANGE in row.actions
    ):
        pending = service_item_pending_version(service_item=service_item)
        if pending and effective_date < pending.effective_date:
            row.errors.append(
                gettext("A change is already scheduled for %(date)s; date this one on or after it.")
                % {"date": pending.effective_date.isoformat()}
            )
        row.scheduled = effective_date > timezone.localdate()


# Preview and apply ----------------------------------------------------------------------------


def _require_import_perms(user: User | None) -> None:
    if user is None or not (
        user.has_perm("catalogue.add_serviceitem") and user.has_perm("catalogue.change_serviceitem")
    ):
        raise ApplicationError(
            gettext("You may not change the service catalogue."), code="not_catalogue_keeper"
        )


def catalogue_import_preview(
    *, user: User | None, upload: UploadedFile, effective_date: datetime.date
) -> CatalogueImportPreview:
    """Read an uploaded catalogue file and tell, row by row, what importing it would do and
    what is wrong. Writes nothing. Raises ApplicationError without the permissions."""
    _require_import_perms(user)
    preview = CatalogueImportPreview()
    try:
        header, table = read_table(upload)
    except ValidationError as problem:
        preview.file_errors.extend(problem.messages)
        return preview
    unknown = [name for name in header if name and name not in KEY_OF]
    if unknown:
        preview.file_errors.append(
            gettext("Unknown columns: %(columns)s.") % {"columns": "、".join(unknown)}
        )
    if HEADER_OF["code"] not in header:
        preview.file_errors.append(
            gettext("The file needs a %(column)s column.") % {"column": HEADER_OF["code"]}
        )
    if preview.file_errors:
        return preview

    codes = [line.values.get(HEADER_OF["code"], "") for line in table]
    context = _Context(
        departments={
            department.name: department
            for department in Organisation.objects.filter(
                kind=Organisation.Kind.APPROVAL_DEPARTMENT
            )
        },
        items={
            item.code: item
            for item in ServiceItem.objects.filter(code__in=[code for code in codes if code])
            .select_related("approval_department")
            .prefetch_related("requirements__qualification_type")
        },
    )
    first_row_of: dict[str, int] = {}
    for line in table:
        cells = {KEY_OF[name]: value for name, value in line.values.items() if name in KEY_OF}
        code = cells.get("code", "")
        row = CatalogueImportRow(number=line.number, code=code, name=cells.get("name", ""))
        preview.rows.append(row)
        if not code:
            row.errors.append(_row_message("code", gettext("This field is required.")))
            continue
        if code in first_row_of:
            row.errors.append(
                gettext("The code %(code)s is already on row %(row)d.")
                % {"code": code, "row": first_row_of[code]}
            )
            continue
        first_row_of[code] = line.number
        _plan_row(row, cells, context, effective_date)
    if not preview.rows:
        preview.file_errors.append(gettext("The file has no rows to import."))
    return preview


def catalogue_import_apply(
    *,
    user: User | None,
    upload: UploadedFile,
    effective_date: datetime.date,
    reason: str,
) -> CatalogueImportPreview:
    """Import every row of the file, or none: nothing is written when any row has an error.
    Changes to published items become versions dated `effective_date` with `reason`.

    Raises ApplicationError without the permissions, without a reason, or when the file
    has errors (see `catalogue_import_preview`)."""
    _require_import_perms(user)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            gettext("An import needs a reason."),
            code="reason_required",
            extra={"reason": [gettext("Give a reason.")]},
        )
    preview = catalogue_import_preview(user=user, upload=upload, effective_date=effective_date)
    if preview.has_errors:
        raise ApplicationError(
            gettext("Nothing was imported: the file has errors. Correct them and upload it again."),
            code="file_has_errors",
        )
    with transaction.atomic():
        for row in preview.changing_rows:
            try:
                _apply_row(row, user=user, effective_date=effective_date, reason=reason)
            except ApplicationError as problem:
                raise ApplicationError(
                    gettext("Row %(row)d: %(message)s")
                    % {"row": row.number, "message": problem.message},
                    code=problem.code,
                ) from problem
    return preview


def _apply_row(
    row: CatalogueImportRow, *, user: User | None, effective_date: datetime.date, reason: str
) -> None:
    # Only rows planned without errors come here, so their values are filled in.
    values = row.values or {}
    service_item = row.service_item
    if ImportAction.CREATE in row.actions:
        service_item = service_item_create(user=user, values=values, requirements=row.requirements)
    if service_item is None:
        return
    if ImportAction.CHANGE in row.actions:
        service_item_update(
            user=user,
            service_item=service_item,
            values=values,
            requirements=row.requirements,
            effective_date=effective_date,
            reason=reason,
        )
    if ImportAction.PUBLISH in row.actions:
        service_item_publish(user=user, service_item=service_item, reason=reason)
    if ImportAction.RETIRE in row.actions:
        service_item_retire(user=user, service_item=service_item, reason=reason)


# Export ---------------------------------------------------------------------------------------


def _cell(key: str, values: ItemValues, specs: list[RequirementSpec], status: str) -> object:
    if key == "status":
        return _word_of(STATUS_WORDS, status)
    if key == REQUIREMENTS:
        return requirements_format(specs)
    value = values.get(key)
    if key == "approval_department":
        return value.name if value is not None else ""
    if key == "fee_mode":
        return _word_of(FEE_MODE_WORDS, value)
    if key == "regional_assessment_kind":
        return _word_of(REGIONAL_KIND_WORDS, value)
    if key in ("paid_by_department", "owner_may_self_prepare"):
        return "是" if value else "否"
    if value is None:
        return ""
    if key == "statutory_time_limit_days":
        return value
    return str(value)


def catalogue_export_table(*, user: User | None) -> tuple[list[str], list[list[object]]]:
    """The whole catalogue (every status) as a header and rows that the import reads back
    unchanged. A published item is written as it will be once its scheduled changes apply,
    the state a new change builds on. Raises ApplicationError without the view
    permission."""
    if user is None or not user.has_perm("catalogue.view_serviceitem"):
        raise ApplicationError(
            gettext("You may not export the service catalogue."), code="not_catalogue_keeper"
        )
    items = (
        ServiceItem.objects.select_related("approval_department")
        .prefetch_related("requirements__qualification_type")
        .order_by("code")
    )
    rows = []
    for item in items:
        if item.status == ServiceItem.Status.PUBLISHED:
            values, specs = service_item_planned_content(service_item=item)
        else:
            values, specs = service_item_values(item), requirement_specs_of(item)
        rows.append([_cell(key, values, specs, item.status) for key, _header in CATALOGUE_COLUMNS])
    return [header for _key, header in CATALOGUE_COLUMNS], rows
