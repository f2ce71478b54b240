"""Anyone checks a contract at /verify/contract/ (R11): by its number, the platform's record of
each file the signatures produced; by its PDF, what each signature proves and whether the file
is exactly one the platform made. The upload is checked in memory and never kept. Signatures
are dated by the local TSA on 127.0.0.1 (tests/conftest.py)."""

import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from contracts.models import ContractSignature
from contracts.selectors import contract_public_revision
from core.files import private_storage
from tests.contracts.factories import ContractFactory, drawn_contract, signed_contract

pytestmark = pytest.mark.django_db


def english(name: str, *args) -> str:
    """The English page's address: the messages asserted below are the English ones."""
    with translation.override("en"):
        return reverse(name, args=args)


URL = english("contracts:verify")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

EXACT = "This file is exactly the contract as signed on the platform"
NOT_OURS = "No signature in this file was changed after signing, but the file is not a revision"
TAMPERED = "This file was changed after it was signed"


@pytest.fixture
def contract():
    return signed_contract(
        agency__organisation__name="四川示例工程咨询有限公司",
        project__owner__name="眉山市彭山区示例建设有限公司",
    )


def _stored_pdf(contract) -> bytes:
    with contract.versions.get().pdf.open("rb") as handle:
        return handle.read()


def _check(client, data: bytes, name: str = "contract.pdf", **query):
    url = URL + (f"?number={query['number']}" if query else "")
    return client.post(url, {"pdf": SimpleUploadedFile(name, data, "application/pdf")})


def _stored_names(folder: str = "") -> set[str]:
    """Every file in the private storage (the tests' is in memory)."""
    storage = private_storage()
    folders, files = storage.listdir(folder)
    names = {f"{folder}{name}" for name in files}
    for name in folders:
        names |= _stored_names(f"{folder}{name}/")
    return names


def test_r11_the_platforms_own_signed_pdf_is_exact_and_intact(client, contract):
    pdf = _stored_pdf(contract)

    response = _check(client, pdf)

    assert response.status_code == 200
    check = response.context["check"]
    assert check.verdict == "exact"
    assert check.sha256 == hashlib.sha256(pdf).hexdigest()
    assert check.revision.contract == contract and check.revision.final
    assert [report.signer_name for report in check.signatures] == [
        "四川示例工程咨询有限公司",
        "眉山市彭山区示例建设有限公司",
    ]
    assert all(
        not report.tampered and report.trusted and report.timestamped and report.level == "B-LT"
        for report in check.signatures
    )
    html = response.content.decode()
    assert EXACT in html
    assert f'href="{english("contracts:detail", contract.number)}"' in html
    assert "PAdES B-LT" in html and "dated by a trusted timestamp" in html
    assert "changed after signing" not in html
    # The file's name is not echoed back.
    assert "contract.pdf" not in html


def test_r11_the_file_after_the_first_signature_is_a_revision_but_not_the_final_one(
    client, contract
):
    first = ContractSignature.objects.filter(version__contract=contract).earliest("signed_at")
    pdf = _stored_pdf(contract)
    # The file as the first signature left it is the start of the final one (each signature
    # is an incremental update), ending at one of its end-of-file markers.
    ends = [match.end() for match in re.finditer(rb"%%EOF\r?\n?", pdf)]
    earlier = next(
        pdf[:end] for end in ends if hashlib.sha256(pdf[:end]).hexdigest() == first.pdf_sha256
    )

    response = _check(client, earlier)

    check = response.context["check"]
    assert check.verdict == "exact_partial"
    assert check.revision.signature == first and not check.revision.final
    assert len(check.signatures) == 1 and not check.signatures[0].tampered
    html = response.content.decode()
    assert "It is not the final contract" in html
    assert EXACT not in html


def test_r11_a_copy_changed_by_one_signed_byte_is_tampered(client, contract):
    pdf = _stored_pdf(contract)
    # The first signature covers [0, a) and [b, end): change a byte inside a content stream
    # in the middle of [0, a), so the file still reads as a PDF.
    signed_until = int(re.search(rb"/ByteRange\s*\[\s*0\s+(\d+)", pdf).group(1))
    stream = re.compile(rb"(?<!end)stream\r?\n").search(pdf, signed_until // 2)
    position = stream.end() + 10
    assert position < signed_until
    tampered = bytearray(pdf)
    tampered[position] ^= 0x01

    response = _check(client, bytes(tampered))

    check = response.context["check"]
    assert check.verdict == "tampered" and check.revision is None
    assert all(report.tampered and not report.intact for report in check.signatures)
    html = response.content.decode()
    assert TAMPERED in html and "changed after signing" in html
    assert EXACT not in html and NOT_OURS not in html
    assert f'href="{english("contracts:detail", contract.number)}"' not in html


def test_r11_a_file_of_a_contract_awaiting_signatures_is_not_disclosed(client):
    contract = drawn_contract()
    pdf = _stored_pdf(contract)  # the platform made it, but the contract is not in force
    assert contract_public_revision(sha256=hashlib.sha256(pdf).hexdigest()) is None

    response = _check(client, pdf)

    check = response.context["check"]
    assert check.verdict == "unsigned" and check.revision is None
    html = response.content.decode()
    assert contract.number not in html
    assert "This PDF carries no signature" in html


def test_a_png_named_pdf_is_refused_with_a_form_error(client):
    response = _check(client, PNG, name="contract.pdf")

    assert response.status_code == 200
    assert response.context["check"] is None
    form = response.context["pdf_form"]
    assert form.errors["pdf"] == ["Only these files are accepted: PDF."]
    assert form.has_error("pdf", code="file_type")


def test_a_broken_pdf_is_refused_with_a_form_error(client):
    response = _check(client, b"%PDF-1.7\n" + b"\x00garbage" * 100)

    assert response.context["check"] is None
    assert response.context["pdf_form"].errors["pdf"] == ["This file is not a PDF document."]


def test_a_file_over_the_limit_is_refused(client, monkeypatch, contract):
    monkeypatch.setattr("contracts.public_forms.VERIFY_MAX_BYTES", 1000)

    response = _check(client, _stored_pdf(contract))

    assert response.context["check"] is None
    assert response.context["pdf_form"].has_error("pdf", code="file_too_large")


def test_nothing_of_the_upload_is_stored(client, contract):
    pdf = _stored_pdf(contract)
    before = _stored_names()

    _check(client, pdf)

    assert _stored_names() == before


def test_the_upload_needs_the_csrf_token():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        URL, {"pdf": SimpleUploadedFile("contract.pdf", b"%PDF-1.7\n")}
    )

    assert response.status_code == 403


def test_r11_the_number_shows_the_platforms_record_of_each_revision(client, contract):
    version = contract.versions.get()
    signatures = list(version.signatures.select_related("certificate", "organisation"))

    response = client.get(URL, {"number": contract.number})

    assert response.status_code == 200
    assert response.context["contract"] == contract
    html = response.content.decode()
    for signature in signatures:
        assert signature.organisation.name in html
        assert signature.pdf_sha256 in html
        assert signature.certificate.serial_number in html
        assert timezone.localtime(signature.signed_at).strftime("%Y-%m-%d %H:%M:%S") in html
    assert version.pdf_sha256 == signatures[-1].pdf_sha256
    # Never the text.
    assert "任何一方违约的，应赔偿对方因此受到的实际损失" not in html


def test_looking_up_with_a_file_of_another_contract_says_so(client, contract):
    other = ContractFactory()

    response = _check(client, _stored_pdf(contract), number=other.number)

    assert response.context["check"].verdict == "exact"
    assert f"This file is of contract {contract.number}, not of contract {other.number}" in (
        response.content.decode()
    )


def test_r11_a_file_signed_with_a_platform_certificate_but_never_on_the_platform_is_not_ours(
    client,
):
    """A party who signs an altered text with its own certificate, outside the platform, gets
    intact signatures — and is told the file is not the contract signed on the platform."""
    from contracts.pdf import SIGNATURE_BOXES
    from contracts.pki import organisation_certificate
    from contracts.signing import pdf_sign

    contract = drawn_contract()
    altered = _stored_pdf(contract) + b"\n% altered copy\n"
    organisation = contract.agency.organisation
    signed = pdf_sign(
        altered,
        certificate=organisation_certificate(organisation),
        field_name="agency-v1",
        box=SIGNATURE_BOXES["agency"],
        seal_name=organisation.name,
        reason="outside the platform",
    )

    html = _check(client, signed).content.decode()

    assert NOT_OURS in html
    assert EXACT not in html and TAMPERED not in html
