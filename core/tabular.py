"""Reading and writing simple tables (CSV, Excel .xlsx) for imports and exports.

Imports go through `read_table`: the first row is the header, every later row becomes a dict
keyed by it, with its 1-based spreadsheet row number, so an importer can report errors at the
row a person sees in Excel."""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.exceptions import ApplicationError
from core.uploads import XLSX, FileKind, validate_size, validate_upload

CSV = FileKind("CSV", (".csv",), ())
TABLE_MAX_BYTES = 5 * 1024 * 1024
TABLE_MAX_ROWS = 5000
TABLE_MAX_COLUMNS = 100
TABLE_MAX_UNPACKED_BYTES = 200 * 1024 * 1024
# Empty rows are skipped but count towards this, so a sheet of a million blank rows stops too.
TABLE_MAX_SCANNED_ROWS = TABLE_MAX_ROWS * 2 + 1


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


_ROW_START = re.compile(rb"<(?:\w+:)?row[\s/>]")


def _xlsx_precheck(upload: UploadedFile) -> None:
    """Refuse a workbook whose sheets unpack into too many rows or bytes, counting row tags in
    the decompressed stream — a fraction of a second for a million rows, where openpyxl
    parses a whole sheet that does not state its size before yielding its first row."""
    upload.seek(0)
    try:
        archive = zipfile.ZipFile(upload)
    except zipfile.BadZipFile as exc:
        raise ValidationError(_("The Excel file cannot be read."), code="table_unreadable") from exc
    with archive:
        for name in archive.namelist():
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            rows = unpacked = 0
            tail = b""
            with archive.open(name) as sheet:
                while chunk := sheet.read(1 << 20):
                    unpacked += len(chunk)
                    rows += len(_ROW_START.findall(tail + chunk))
                    tail = chunk[-16:]
                    # A tag cut by the chunk boundary is counted with the next chunk only.
                    rows -= len(_ROW_START.findall(tail))
                    if rows > TABLE_MAX_SCANNED_ROWS:
                        raise _too_long()
                    if unpacked > TABLE_MAX_UNPACKED_BYTES:
                        raise ValidationError(
                            _("The file unpacks to more than %(limit)s; it cannot be imported."),
                            code="table_too_large_unpacked",
                            params={"limit": filesizeformat(TABLE_MAX_UNPACKED_BYTES)},
                        )


def _too_long() -> ValidationError:
    return ValidationError(
        _("The file has more than %(limit)d rows; at most %(limit)d can be imported at once."),
        code="table_too_long",
        params={"limit": TABLE_MAX_ROWS},
    )


def _xlsx_rows(upload: UploadedFile) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    _xlsx_precheck(upload)
    upload.seek(0)
    try:
        # read_only streams the sheet's XML instead of building it all in memory.
        workbook = load_workbook(upload, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
    except Exception as exc:
        # A file that starts like a workbook but is not one fails in openpyxl in many ways
        # (a missing part, broken XML, no sheet); to the person uploading it, all are one.
        raise ValidationError(_("The Excel file cannot be read."), code="table_unreadable") from exc
    try:
        # Explicit bounds: without them openpyxl reads the whole sheet first to find its size
        # when the file does not state it — seconds per million rows.
        for row in sheet.iter_rows(
            max_row=TABLE_MAX_SCANNED_ROWS, max_col=TABLE_MAX_COLUMNS, values_only=True
        ):
            yield [_cell(value) for value in row]
    except ValidationError:
        raise
    except Exception as exc:
        raise ValidationError(_("The Excel file cannot be read."), code="table_unreadable") from exc
    finally:
        workbook.close()


def _csv_rows(upload: UploadedFile) -> Iterator[list[str]]:
    upload.seek(0)
    # At most TABLE_MAX_BYTES, so decoding the whole text at once is bounded. newline=""
    # leaves line ends to the csv module, which knows a quoted field may hold one.
    try:
        for row in csv.reader(io.StringIO(_decode_csv(upload.read()), newline="")):
            yield [cell.strip() for cell in row[:TABLE_MAX_COLUMNS]]
    except csv.Error as exc:
        raise ValidationError(
            _("The CSV file cannot be read; save it again from Excel as CSV and retry."),
            code="table_unreadable",
        ) from exc


def read_table(upload: UploadedFile) -> tuple[list[str], list[Row]]:
    """Return the header and the non-empty rows of a .csv or .xlsx upload.

    Rows are read one at a time and reading stops at the first row past the limit, so a
    small file that unpacks into millions of rows is refused in moments.

    Raises ValidationError for a file of another kind, too large, without a header, or with
    more than TABLE_MAX_ROWS rows."""
    validate_size(upload, TABLE_MAX_BYTES)
    name = (upload.name or "").lower()
    if _is_xlsx(upload):
        lines = _xlsx_rows(upload)
    elif name.endswith(".csv"):
        lines = _csv_rows(upload)
    else:
        raise ValidationError(
            _("Only CSV and Excel (.xlsx) files can be imported."), code="table_type"
        )
    header = next(lines, [])
    if any("\x00" in cell for cell in header):
        raise ValidationError(
            _("Row %(row)d holds a NUL character; the file is damaged."),
            code="table_nul",
            params={"row": 1},
        )
    if not any(header):
        raise ValidationError(_("The file has no header row."), code="table_no_header")
    rows: list[Row] = []
    for number, cells in enumerate(lines, start=2):
        if number > TABLE_MAX_SCANNED_ROWS or (len(rows) == TABLE_MAX_ROWS and any(cells)):
            raise _too_long()
        if any("\x00" in cell for cell in cells):
            # No import can store it (PostgreSQL refuses it) and no person typed it.
            raise ValidationError(
                _("Row %(row)d holds a NUL character; the file is damaged."),
                code="table_nul",
                params={"row": number},
            )
        if any(cells):
            padded = cells + [""] * (len(header) - len(cells))
            rows.append(Row(number=number, values=dict(zip(header, padded, strict=False))))
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


def bad_rows_error(errors: list[dict]) -> ApplicationError:
    """The refusal ("bad_rows") of an import whose rows `errors` ({"row": n, "message": ...})
    are wrong: nothing is imported, and every bad row is named, by field ("rows") and as
    text for the file field ("file")."""
    lines = [
        gettext("Row %(row)d: %(message)s") % {"row": error["row"], "message": error["message"]}
        for error in errors
    ]
    return ApplicationError(
        gettext("Nothing was imported: %(count)d rows have errors.") % {"count": len(errors)},
        code="bad_rows",
        extra={"rows": errors, "file": lines},
    )
