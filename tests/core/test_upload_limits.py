"""Issue 9, findings 3 and 4: a small spreadsheet that unpacks into a million rows crashed a
web worker, and a 300 MB upload was received whole before the 10 MB check refused it."""

import functools
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory, override_settings
from django.utils import timezone

import core.tabular
from core.request_limits import RequestSizeLimitMiddleware
from core.tabular import TABLE_MAX_ROWS, read_table
from tests.refusals import refused_validation

pytestmark = pytest.mark.django_db
MILLION = 1_000_000


# The OOXML vocabulary the minimal workbook below needs.
_PKG = "http://schemas.openxmlformats.org/package/2006"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"


@functools.cache
def _xlsx_with_rows(count: int) -> bytes:
    """A minimal .xlsx written by hand: one sheet, a header and `count` one-cell rows. It
    compresses to a few hundred kilobytes, as the finding's file did."""
    # Rows without their optional numbers repeat exactly, so they compress the way the
    # finding's 494 KB file did.
    rows = "<row><c><v>1</v></c></row>" * count
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row><c t="inlineStr"><is><t>编号</t></is></c></row>'
        f"{rows}</sheetData></worksheet>"
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<Types xmlns="{_PKG}/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_SHEET_TYPE}.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            f'ContentType="{_SHEET_TYPE}.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<Relationships xmlns="{_PKG}/relationships">'
            f'<Relationship Id="rId1" Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'xmlns:r="{_DOC}">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<Relationships xmlns="{_PKG}/relationships">'
            f'<Relationship Id="rId1" Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": sheet,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_finding_3_a_million_row_spreadsheet_is_refused_after_reading_past_the_limit_only(
    monkeypatch,
):
    content = _xlsx_with_rows(MILLION)
    assert len(content) < 5 * 1024 * 1024  # small enough to pass the size check
    rows_read = []
    real_rows = core.tabular._xlsx_rows

    def counted_rows(upload):
        for row in real_rows(upload):
            rows_read.append(row)
            yield row

    monkeypatch.setattr(core.tabular, "_xlsx_rows", counted_rows)
    upload = SimpleUploadedFile("catalogue.xlsx", content)
    with refused_validation("table_too_long"):
        read_table(upload)
    # It stopped at the limit instead of loading the whole sheet first.
    assert len(rows_read) <= TABLE_MAX_ROWS + 2


def test_finding_3_the_import_page_answers_a_million_row_file_with_the_limit(
    client, regulator_user
):
    client.force_login(regulator_user)
    upload = SimpleUploadedFile("catalogue.xlsx", _xlsx_with_rows(MILLION))
    response = client.post(
        "/admin/service_items/import/",
        {"file": upload, "effective_date": timezone.localdate().isoformat(), "reason": "导入"},
    )
    assert response.status_code == 200
    assert str(TABLE_MAX_ROWS) in response.content.decode()


class _UnreadableInput(io.BytesIO):
    def read(self, *args, **kwargs):
        raise AssertionError("the body was read")

    readline = read


@override_settings(REQUEST_MAX_BYTES=30 * 1024 * 1024)
def test_finding_4_a_body_larger_than_the_limit_is_refused_before_it_is_read():
    request = RequestFactory().generic(
        "POST", "/agencies/register/", b"", content_type="multipart/form-data; boundary=x"
    )
    request.META["CONTENT_LENGTH"] = str(300 * 1024 * 1024)
    request.META["wsgi.input"] = _UnreadableInput()
    response = RequestSizeLimitMiddleware(lambda request: pytest.fail("view reached"))(request)
    assert response.status_code == 413


@override_settings(REQUEST_MAX_BYTES=1024)
def test_finding_4_the_site_answers_413_with_a_page(client):
    response = client.post("/accounts/login/", {"username": "x" * 2000, "password": "y"})
    assert response.status_code == 413
    assert "text/html" in response["Content-Type"]
