"""Reading and writing simple tables (CSV, Excel .xlsx) for imports and exports.

Imports go through `read_table`: the first row is the header, every later row becomes a dict
keyed by it, with its 1-based spreadsheet row number, so an importer can report errors at the
row a person sees in Excel."""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from core.uploads import XLSX, FileKind, validate_size, validate_upload

CSV = FileKind("CSV", (".csv",), ())
TABLE_MAX_BYTES = 5 * 1024 * 1024
TABLE_MAX_ROWS = 5000


@dataclass(frozen=True)
class Row:
    number: int  # as the spreadsheet shows it: the header is row 1
    values: dict[str, str]


def _is_xlsx(upload: UploadedFile) -> bool:
    try:
        validate_upload(upload, kinds=(XLSX,), max_bytes=TABLE_MAX_BYTES)
    except ValidationError:
        return False
    return True


def _decode_csv(raw: bytes) -> str:
    # Excel in China saves CSV as GB18030 (a superset of GBK) unless told otherwise.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("The CSV file is neither UTF-8 nor GBK text."), code="csv_encoding")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(upload: UploadedFile) -> tuple[list[str], list[Row]]:
    """Return the header and the non-empty rows of a .csv or .xlsx upload.

    Raises ValidationError for a file of another kind, too large, without a header, or with
    more than TABLE_MAX_ROWS rows."""
    validate_size(upload, TABLE_MAX_BYTES)
    name = (upload.name or "").lower()
    if _is_xlsx(upload):
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(upload.read()), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        matrix = [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        workbook.close()
    elif name.endswith(".csv"):
        upload.seek(0)
        matrix = [
            [cell.strip() for cell in row]
            for row in csv.reader(io.StringIO(_decode_csv(upload.read())))
        ]
    else:
        raise ValidationError(
            _("Only CSV and Excel (.xlsx) files can be imported."), code="table_type"
        )
    if not matrix or not any(matrix[0]):
        raise ValidationError(_("The file has no header row."), code="table_no_header")
    header = matrix[0]
    rows = [
        Row(
            number=index,
            values=dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False)),
        )
        for index, cells in enumerate(matrix[1:], start=2)
        if any(cells)
    ]
    if len(rows) > TABLE_MAX_ROWS:
        raise ValidationError(
            _("The file has %(count)d rows; at most %(limit)d can be imported at once."),
            code="table_too_long",
            params={"count": len(rows), "limit": TABLE_MAX_ROWS},
        )
    return header, rows


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """UTF-8 with a byte-order mark, which Excel needs to show Chinese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def write_xlsx(header: Sequence[str], rows: Iterable[Sequence[object]], *, title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
