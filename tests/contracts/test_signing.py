"""PAdES B-LT signatures on contract PDFs (contracts/signing.py): two organisations sign in
turn, and the result is checked by pyHanko and, independently, by poppler's pdfsig; then the
file is tampered with, certificates are revoked, and junk is uploaded. Signatures are dated by
the local TSA on 127.0.0.1 (tests/conftest.py); nothing reaches further."""

import datetime
import re
import shutil
import socket
from io import BytesIO

import pytest
import time_machine
from cryptography.hazmat.primitives import hashes
from django.conf import settings
from django.test import override_settings
from django.utils import timezone, translation
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import DocumentSecurityStore

from accounts.models import Role
from contracts import pki
from contracts.signing import SIGNATURE_BOXES, NotAPdf, pdf_sign, pdf_signatures
from tests.accounts.factories import OrganisationFactory
from tests.programs import run_program
from tests.refusals import refused

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    """The reports' problems are sentences in the active language; these tests read English."""
    with translation.override("en"):
        yield


OWNER_NAME = "眉山市彭山区住房和城乡建设局"
AGENCY_NAME = "四川某某工程咨询有限公司"
PDFSIG = shutil.which("pdfsig")
CERTUTIL = shutil.which("certutil")


@pytest.fixture(scope="module")
def contract_pdf() -> bytes:
    """An A4 contract of two pages in Chinese, its last page with room for the two seals."""
    from weasyprint import HTML

    html = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>
        @page { size: A4; margin: 20mm }
        body { font-family: "WenQuanYi Zen Hei"; font-size: 11pt }
        .last { page-break-before: always }
    </style></head><body>
        <h1>技术服务合同</h1>
        <p>甲方：眉山市彭山区住房和城乡建设局　乙方：四川某某工程咨询有限公司</p>
        <p>乙方为甲方提供建设项目环境影响评价服务，服务费人民币壹拾万元整。</p>
        <p class="last">签署页</p>
    </body></html>"""
    return HTML(string=html).write_pdf()


@pytest.fixture
def owner():
    return OrganisationFactory(kind=Role.PROJECT_OWNER, name=OWNER_NAME)


@pytest.fixture
def agency():
    return OrganisationFactory(kind=Role.AGENCY, name=AGENCY_NAME)


def _sign(pdf: bytes, organisation, party: str, **overrides) -> bytes:
    arguments = {
        "certificate": pki.organisation_certificate(organisation),
        "field_name": party,
        "box": SIGNATURE_BOXES[party],
        "seal_name": organisation.name,
        "reason": "签订技术服务合同",
        "location": "眉山",
    }
    return pdf_sign(pdf, **{**arguments, **overrides})


@pytest.fixture
def signed_by_both(contract_pdf, owner, agency) -> bytes:
    return _sign(_sign(contract_pdf, owner, "owner"), agency, "agency")


def test_two_signatures_validate_with_pyhanko(signed_by_both, owner, agency):
    before = timezone.now()

    reports = pdf_signatures(signed_by_both)

    assert [report.field_name for report in reports] == ["owner", "agency"]
    for report, organisation in zip(reports, (owner, agency), strict=True):
        assert report.signer_name == organisation.name
        assert report.signer_credit_code == organisation.credit_code
        assert report.certificate_serial == pki.organisation_certificate(organisation).serial_number
        assert report.intact and report.valid and report.trusted
        assert report.timestamped and report.long_term and report.level == "B-LT"
        assert report.covers_whole_document and not report.tampered
        assert report.revoked_at is None
        assert report.reason == "签订技术服务合同"
        assert report.problems == ()
        # The time is the TSA's, to the second.
        assert before - datetime.timedelta(minutes=1) < report.signing_time <= timezone.now()
    assert reports[0].signing_time <= reports[1].signing_time


def test_the_document_security_store_holds_the_validation_data(signed_by_both):
    reader = PdfFileReader(BytesIO(signed_by_both))
    store = DocumentSecurityStore.read_dss(reader)

    certificates = {certificate.sha256 for certificate in store.load_certs()}
    signers = {signature.signer_cert.sha256 for signature in reader.embedded_regular_signatures}
    assert signers <= certificates
    assert pki.ca_certificate().fingerprint(hashes.SHA256()) in certificates
    assert [reference.get_object().data for reference in store.crls] == [pki.crl_der()]


def test_the_seal_is_on_the_last_page_at_the_box_in_chinese(signed_by_both, tmp_path):
    reader = PdfFileReader(BytesIO(signed_by_both))
    last_page = reader.root["/Pages"]["/Kids"][-1].get_object()
    widgets = {
        annotation.get_object()["/T"]: annotation.get_object()
        for annotation in last_page["/Annots"]
    }

    for party in ("owner", "agency"):
        rectangle = [float(side) for side in widgets[party]["/Rect"]]
        assert rectangle == [float(side) for side in SIGNATURE_BOXES[party]]
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed_by_both)
    fonts = run_program("pdffonts", "-f", "2", "-l", "2", str(path)).stdout
    assert re.search(r"WenQuanYi\S*\s.*\byes\b", fonts), fonts  # the CJK font, embedded
    text = run_program("pdftotext", "-f", "2", "-l", "2", str(path), "-").stdout
    assert set(OWNER_NAME) <= set(text) and set(AGENCY_NAME) <= set(text)


@pytest.mark.skipif(not (PDFSIG and CERTUTIL), reason="needs poppler-utils and libnss3-tools")
def test_two_signatures_validate_with_pdfsig(signed_by_both, tmp_path):
    # pdfsig checks with NSS: a database trusting only our CA. Our certificates name no OCSP
    # responder (no AIA), and NSS does not fetch CRLs, so pdfsig asks nobody anything.
    database = tmp_path / "nssdb"
    database.mkdir()
    ca = settings.PKI_DIR / pki.CA_CERTIFICATE_FILE
    run_program("certutil", "-N", "-d", f"sql:{database}", "--empty-password")
    run_program(
        "certutil", "-A", "-d", f"sql:{database}", "-n", "zjcs-ca", "-t", "CT,C,C", "-i", str(ca)
    )
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed_by_both)

    result = run_program("pdfsig", "-nssdir", f"sql:{database}", str(path), check=False)

    output = result.stdout
    assert result.returncode == 0, result.stderr
    assert output.count("Signature Validation: Signature is Valid.") == 2, output
    assert output.count("Certificate Validation: Certificate is Trusted.") == 2, output
    assert f"Signer Certificate Common Name: {OWNER_NAME}" in output
    assert f"Signer Certificate Common Name: {AGENCY_NAME}" in output
    assert "Signature Type: ETSI.CAdES.detached" in output


def test_changing_one_signed_byte_breaks_both_signatures(signed_by_both):
    # WeasyPrint writes its name in the document information, inside both signed ranges.
    position = signed_by_both.index(b"WeasyPrint")
    tampered = bytearray(signed_by_both)
    tampered[position] = ord("w")

    reports = pdf_signatures(bytes(tampered))

    assert [report.intact for report in reports] == [False, False]
    assert all(report.tampered and not report.trusted for report in reports)
    assert all("the signed bytes differ" in report.problems[0] for report in reports)


def test_a_change_appended_after_signing_is_caught(signed_by_both):
    # An incremental update that draws on the first page, as a forger would add a line.
    writer = IncrementalPdfFileWriter(BytesIO(signed_by_both))
    writer.add_stream_to_page(
        0, writer.add_object(generic.StreamObject(stream_data=b"0 0 m 100 100 l S"))
    )
    out = BytesIO()
    writer.write(out)

    reports = pdf_signatures(out.getvalue())

    assert all(report.intact and report.valid for report in reports)
    assert [report.covers_whole_document for report in reports] == [False, False]
    assert all(report.tampered for report in reports)


def test_a_signature_made_before_revocation_stays_trusted(
    contract_pdf, owner, own_pki, django_capture_on_commit_callbacks
):
    signed = _sign(contract_pdf, owner, "owner")
    certificate = pki.organisation_certificate(owner)

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5)):
        with django_capture_on_commit_callbacks(execute=True):
            pki.certificate_revoke(certificate=certificate, reason="公章遗失")
        [report] = pdf_signatures(signed)

    # The timestamp proves the signature is older than the revocation.
    assert report.trusted and report.timestamped
    assert report.revoked_at is not None and report.revoked_at > report.signing_time
    assert report.problems == ()


def test_a_revoked_certificate_cannot_sign(contract_pdf, owner, own_pki):
    # The signer holds the row as it was read before the revocation: the database is asked.
    certificate = pki.organisation_certificate(owner)
    pki.certificate_revoke(certificate=certificate, reason="公章遗失")

    with refused("certificate_revoked"):
        _sign(contract_pdf, owner, "owner", certificate=certificate)


def test_a_certificate_listed_in_the_crl_cannot_sign(
    contract_pdf, owner, own_pki, django_capture_on_commit_callbacks
):
    # The CRL is what others check: a certificate listed there cannot sign, even when its row
    # says otherwise (say, the database was restored from a backup older than the revocation).
    certificate = pki.organisation_certificate(owner)
    with django_capture_on_commit_callbacks(execute=True):
        pki.certificate_revoke(certificate=certificate, reason="私钥泄露")
    type(certificate).objects.filter(pk=certificate.pk).update(revoked_at=None)
    certificate.refresh_from_db()

    with refused("certificate_not_trusted"):
        _sign(contract_pdf, owner, "owner", certificate=certificate)


def test_a_signature_timestamped_after_revocation_is_not_trusted(
    contract_pdf, owner, agency, own_pki, django_capture_on_commit_callbacks
):
    # Given a signature the TSA dates an hour from now…
    certificate = pki.organisation_certificate(owner)
    now = timezone.now()
    with time_machine.travel(now + datetime.timedelta(hours=1)):
        signed = _sign(contract_pdf, owner, "owner", certificate=certificate)
    # …and a revocation dated half an hour from now (as if the key was reported stolen then),
    with (
        time_machine.travel(now + datetime.timedelta(minutes=30)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        pki.certificate_revoke(certificate=certificate, reason="私钥被盗")

    # then the signature was made with a revoked key: it is not trusted.
    with time_machine.travel(now + datetime.timedelta(hours=2)):
        [report] = pdf_signatures(signed)

    assert report.intact and report.valid and report.timestamped
    assert not report.trusted
    assert "revoked before this signature" in " ".join(report.problems)


def test_signatures_of_another_ca_are_not_trusted(signed_by_both, tmp_path):
    pki.init_pki(tmp_path)

    with override_settings(PKI_DIR=tmp_path):
        reports = pdf_signatures(signed_by_both)

    assert all(report.intact and report.valid for report in reports)
    assert not any(report.trusted or report.timestamped for report in reports)


def test_a_signed_place_cannot_be_signed_again(contract_pdf, owner):
    signed = _sign(contract_pdf, owner, "owner")

    with refused("signature_field_taken"):
        _sign(signed, owner, "owner")


def test_without_the_tsa_nothing_is_signed(contract_pdf, owner):
    with socket.socket() as closed:  # a port of 127.0.0.1 nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with override_settings(TSA_URL=f"http://127.0.0.1:{port}"), refused("timestamp_unavailable"):
        _sign(contract_pdf, owner, "owner")


@pytest.mark.parametrize(
    "upload",
    [
        b"",
        b"PK\x03\x04 a zip file",
        bytes(range(256)) * 40,
        b"%PDF-1.7\n" + b"\x00garbage" * 100,
    ],
)
def test_junk_is_not_a_pdf(upload):
    with refused("not_a_pdf"):
        pdf_signatures(upload)
    with pytest.raises(NotAPdf):
        pdf_signatures(upload)


def test_a_pdf_without_signatures_has_none(contract_pdf):
    assert pdf_signatures(contract_pdf) == []


def test_a_truncated_signed_pdf_never_raises_anything_but_not_a_pdf(signed_by_both):
    for cut in (100, len(signed_by_both) // 3, len(signed_by_both) - 50):
        try:
            reports = pdf_signatures(signed_by_both[:cut])
        except NotAPdf:
            continue
        assert all(report.tampered for report in reports)


def test_a_damaged_signature_is_reported_not_raised(signed_by_both):
    # Overwrite the start of the owner's CMS blob (inside /Contents <…>) with zeros.
    start = signed_by_both.index(b"/Contents <") + len(b"/Contents <")
    damaged = signed_by_both[:start] + b"0" * 64 + signed_by_both[start + 64 :]

    reports = pdf_signatures(damaged)

    assert len(reports) == 2
    assert sum(report.tampered for report in reports) >= 1
    assert any("cannot be read" in " ".join(report.problems) for report in reports)


def test_junk_cannot_be_signed(owner):
    with refused("not_a_pdf"):
        _sign(b"PK\x03\x04 a zip file", owner, "owner")
