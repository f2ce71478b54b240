"""`manage.py contract_pdf`: an operator gets a contract's stored, signed PDF exactly as kept."""

import hashlib

import pytest
from django.core.management import CommandError, call_command

from tests.contracts.factories import signed_contract

pytestmark = pytest.mark.django_db


def test_the_command_writes_the_signed_pdf_as_stored(tmp_path):
    contract = signed_contract()
    version = contract.versions.get()
    out = tmp_path / "contract.pdf"

    call_command("contract_pdf", contract.number, "--out", str(out))

    assert hashlib.sha256(out.read_bytes()).hexdigest() == version.pdf_sha256
    assert version.signatures.get(party="owner").pdf_sha256 == version.pdf_sha256


def test_the_command_refuses_an_unknown_number_or_version(tmp_path):
    contract = signed_contract()
    out = tmp_path / "contract.pdf"

    with pytest.raises(CommandError, match="No contract has the number 'ZJHT-0000-9999'"):
        call_command("contract_pdf", "ZJHT-0000-9999", "--out", str(out))
    with pytest.raises(CommandError, match="has no version 2; its versions are: 1"):
        call_command("contract_pdf", contract.number, "--version", "2", "--out", str(out))
    assert not out.exists()


def test_the_command_does_not_overwrite_a_file_unless_told(tmp_path):
    contract = signed_contract()
    out = tmp_path / "contract.pdf"
    out.write_bytes(b"kept")

    with pytest.raises(CommandError, match="exists; give --force"):
        call_command("contract_pdf", contract.number, "--version", "1", "--out", str(out))
    assert out.read_bytes() == b"kept"

    call_command("contract_pdf", contract.number, "--out", str(out), "--force")
    assert out.read_bytes().startswith(b"%PDF-")
