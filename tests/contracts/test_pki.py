"""The platform's certificate authority (contracts/pki.py), its public files and the local RFC
3161 timestamp authority (contracts/tsa.py, contracts/tsa_server.py), served over real HTTP on
127.0.0.1 only."""

import datetime
import hashlib
import io
import socket
import stat
import urllib.error
import urllib.request

import pytest
from asn1crypto import tsp
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory, override_settings
from pyhanko.sign.timestamps.api import TimeStamper

from accounts.models import Role
from contracts import pki
from contracts.models import SigningCertificate
from contracts.pki_views import ca_pem, crl_der
from contracts.tasks import crl_reissue_daily
from contracts.tsa import TSA_POLICY_OID, _RejectionResp, local_authority, timestamp_response
from tests.accounts.factories import OrganisationFactory
from tests.core.test_settings import _start_production
from tests.refusals import refused

KEYS = (pki.CA_KEY_FILE, pki.TSA_KEY_FILE)


def _crl_serials(directory) -> set[int]:
    revocation_list = x509.load_der_x509_crl((directory / pki.CRL_FILE).read_bytes())
    return {entry.serial_number for entry in revocation_list}


def _crl_number(directory) -> int:
    revocation_list = x509.load_der_x509_crl((directory / pki.CRL_FILE).read_bytes())
    return revocation_list.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number


# Setting up the CA --------------------------------------------------------------------------------


def test_init_pki_makes_the_root_the_tsa_and_a_crl(tmp_path):
    report = pki.init_pki(tmp_path)

    assert len(report.made) == 3 and report.kept == []
    ca = x509.load_pem_x509_certificate((tmp_path / pki.CA_CERTIFICATE_FILE).read_bytes())
    assert ca.subject == ca.issuer
    assert ca.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == settings.PKI_CA_NAME
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert ca.public_key().key_size == 2048
    assert ca.not_valid_after_utc - ca.not_valid_before_utc >= datetime.timedelta(days=3650)
    tsa = x509.load_pem_x509_certificate((tmp_path / pki.TSA_CERTIFICATE_FILE).read_bytes())
    tsa.verify_directly_issued_by(ca)
    usage = tsa.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert usage.critical and list(usage.value) == [ExtendedKeyUsageOID.TIME_STAMPING]
    assert _crl_serials(tmp_path) == set() and _crl_number(tmp_path) == 1


def test_init_pki_again_keeps_the_ca(tmp_path):
    pki.init_pki(tmp_path)
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}

    report = pki.init_pki(tmp_path)

    assert report.made == [] and len(report.kept) == 3
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before


def test_init_pki_force_makes_a_new_root(tmp_path):
    pki.init_pki(tmp_path)
    old_root = (tmp_path / pki.CA_CERTIFICATE_FILE).read_bytes()

    report = pki.init_pki(tmp_path, force=True)

    assert len(report.made) == 3
    assert (tmp_path / pki.CA_CERTIFICATE_FILE).read_bytes() != old_root


def test_keys_are_private_and_encrypted(tmp_path):
    pki.init_pki(tmp_path)

    for name in KEYS:
        path = tmp_path / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        pem = path.read_bytes()
        assert pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
        with pytest.raises(TypeError, match="encrypted"):
            serialization.load_pem_private_key(pem, password=None)
        with pytest.raises(ValueError):
            serialization.load_pem_private_key(pem, password=b"not-the-passphrase")
        serialization.load_pem_private_key(pem, password=settings.PKI_KEY_PASSPHRASE.encode())


def test_a_wrong_passphrase_stops_init_pki(tmp_path):
    pki.init_pki(tmp_path)

    with (
        override_settings(PKI_KEY_PASSPHRASE="another"),
        pytest.raises(ImproperlyConfigured, match="PKI_KEY_PASSPHRASE"),
    ):
        pki.init_pki(tmp_path)


def test_init_pki_command_says_what_it_did(tmp_path):
    out = io.StringIO()
    with override_settings(PKI_DIR=tmp_path):
        call_command("init_pki", stdout=out)
        call_command("init_pki", stdout=out)

    text = out.getvalue()
    assert f"made root certificate {tmp_path / pki.CA_CERTIFICATE_FILE}" in text
    assert f"kept root certificate {tmp_path / pki.CA_CERTIFICATE_FILE}" in text
    assert "The certificate authority already exists; nothing was changed." in text
    assert "CA SHA-256 fingerprint:" in text


def test_without_a_ca_the_loaders_say_how_to_make_one(tmp_path):
    with (
        override_settings(PKI_DIR=tmp_path / "none"),
        pytest.raises(ImproperlyConfigured, match="init_pki"),
    ):
        pki.ca_certificate()


# Organisations' certificates ----------------------------------------------------------------------


@pytest.mark.django_db
def test_an_organisation_certificate_is_issued_once():
    organisation = OrganisationFactory(kind=Role.AGENCY, name="眉山市彭山区某某工程咨询有限公司")

    first = pki.organisation_certificate(organisation)
    second = pki.organisation_certificate(organisation)

    assert second.pk == first.pk
    assert SigningCertificate.objects.filter(organisation=organisation).count() == 1
    certificate = x509.load_pem_x509_certificate(first.certificate_pem.encode())
    certificate.verify_directly_issued_by(pki.ca_certificate())
    assert first.serial_number == format(certificate.serial_number, "x")
    subject = certificate.subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == organisation.name
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == organisation.name
    assert (
        subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == organisation.credit_code
    )
    usage = certificate.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.content_commitment
    assert not usage.value.key_cert_sign
    points = certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert points[0].full_name[0].value == f"{settings.SITE_URL}/pki/crl.der"
    assert certificate.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier)
    assert (first.not_after - first.not_before).days == 730
    assert first.private_key_pem.startswith("-----BEGIN ENCRYPTED PRIVATE KEY-----")


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore:Attribute's length")
def test_a_long_chinese_name_is_kept_whole_and_no_credit_code_means_no_serial_number():
    # Twenty-six characters: more than cryptography's 64-byte limit, within RFC 5280's 64.
    name = "中华人民共和国四川省眉山市彭山区建设工程咨询有限公司"
    organisation = OrganisationFactory(kind=Role.PROJECT_OWNER, name=name, credit_code=None)

    record = pki.organisation_certificate(organisation)

    certificate = x509.load_pem_x509_certificate(record.certificate_pem.encode())
    assert certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == name
    assert certificate.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER) == []


@pytest.mark.django_db
def test_a_renamed_organisation_gets_a_certificate_in_its_new_name():
    organisation = OrganisationFactory(kind=Role.AGENCY)
    old = pki.organisation_certificate(organisation)

    organisation.name = "改名后的咨询有限公司"
    organisation.save()
    new = pki.organisation_certificate(organisation)

    assert new.pk != old.pk
    subject = x509.load_pem_x509_certificate(new.certificate_pem.encode()).subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "改名后的咨询有限公司"


@pytest.mark.django_db
def test_certificates_of_a_replaced_root_are_not_used(tmp_path):
    organisation = OrganisationFactory(kind=Role.AGENCY)
    with override_settings(PKI_DIR=tmp_path):
        pki.init_pki()
        old = pki.organisation_certificate(organisation)
        pki.init_pki(force=True)

        new = pki.organisation_certificate(organisation)

    assert new.pk != old.pk


# Revocation ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_revocation_is_listed_in_the_next_crl(own_pki, django_capture_on_commit_callbacks):
    organisation = OrganisationFactory(kind=Role.AGENCY)
    record = pki.organisation_certificate(organisation)
    number = _crl_number(own_pki)

    with django_capture_on_commit_callbacks(execute=True):
        pki.certificate_revoke(certificate=record, reason="私钥泄露")

    record.refresh_from_db()
    assert record.revoked_at is not None and record.revocation_reason == "私钥泄露"
    assert _crl_serials(own_pki) == {int(record.serial_number, 16)}
    assert _crl_number(own_pki) == number + 1
    revocation_list = x509.load_der_x509_crl((own_pki / pki.CRL_FILE).read_bytes())
    assert revocation_list.is_signature_valid(pki.ca_certificate().public_key())
    assert revocation_list.next_update_utc - revocation_list.last_update_utc == pki.CRL_LIFETIME
    # The organisation's next signature gets a new certificate.
    assert pki.organisation_certificate(organisation).pk != record.pk


@pytest.mark.django_db
def test_revoking_twice_is_refused(own_pki):
    record = pki.organisation_certificate(OrganisationFactory(kind=Role.AGENCY))
    pki.certificate_revoke(certificate=record, reason="离职")

    with refused("certificate_already_revoked"):
        pki.certificate_revoke(certificate=record, reason="again")


@pytest.mark.django_db
def test_revoking_needs_a_reason(own_pki):
    record = pki.organisation_certificate(OrganisationFactory(kind=Role.AGENCY))

    with refused("revocation_reason_required"):
        pki.certificate_revoke(certificate=record, reason="  ")


@pytest.mark.django_db
def test_the_daily_task_reissues_the_crl(own_pki):
    number = _crl_number(own_pki)

    crl_reissue_daily()

    assert _crl_number(own_pki) == number + 1


# Public files -------------------------------------------------------------------------------------


def test_the_ca_certificate_and_crl_are_served():
    request = RequestFactory().get("/pki/ca.pem")

    certificate = ca_pem(request)
    revocation_list = crl_der(RequestFactory().get("/pki/crl.der"))

    assert certificate.status_code == 200
    assert certificate["Content-Type"] == "application/x-pem-file"
    assert x509.load_pem_x509_certificate(certificate.content) == pki.ca_certificate()
    assert revocation_list.status_code == 200
    assert revocation_list["Content-Type"] == "application/pkix-crl"
    assert revocation_list.content == pki.crl_der()


def test_without_a_ca_the_public_files_are_not_found(tmp_path):
    from django.http import Http404

    with override_settings(PKI_DIR=tmp_path / "none"):
        with pytest.raises(Http404):
            crl_der(RequestFactory().get("/pki/crl.der"))
        with pytest.raises(Http404):
            ca_pem(RequestFactory().get("/pki/ca.pem"))


def test_the_public_files_answer_get_only():
    assert crl_der(RequestFactory().post("/pki/crl.der")).status_code == 405


# The timestamp authority --------------------------------------------------------------------------


def _request(algorithm: str = "sha256", digest: bytes | None = None) -> tuple[int, bytes]:
    digest = digest if digest is not None else hashlib.new(algorithm, b"contract").digest()
    nonce, request = TimeStamper().request_cms(digest, algorithm)
    return nonce, request.dump()


def _post(url: str, body: bytes, content_type: str = "application/timestamp-query"):
    request = urllib.request.Request(  # noqa: S310 — the local TSA on 127.0.0.1
        url, data=body, headers={"Content-Type": content_type}
    )
    return urllib.request.urlopen(request, timeout=5)  # noqa: S310


def test_the_tsa_answers_a_request_with_a_token():
    nonce, request = _request()

    response = tsp.TimeStampResp.load(timestamp_response(request, authority=local_authority()))

    assert response["status"]["status"].native == "granted"
    signed_data = response["time_stamp_token"]["content"]
    info = signed_data["encap_content_info"]["content"].parsed
    assert info["policy"].dotted == TSA_POLICY_OID
    assert info["nonce"].native == nonce
    assert info["message_imprint"]["hashed_message"].native == hashlib.sha256(b"contract").digest()
    tsa = x509.load_pem_x509_certificate((settings.PKI_DIR / pki.TSA_CERTIFICATE_FILE).read_bytes())
    assert {certificate.chosen.serial_number for certificate in signed_data["certificates"]} >= {
        tsa.serial_number
    }
    attributes = {
        attribute["type"].native for attribute in signed_data["signer_infos"][0]["signed_attrs"]
    }
    assert "signing_certificate_v2" in attributes and "message_digest" in attributes


@pytest.mark.parametrize(
    ("bad_request", "fail_info"),
    [
        (lambda: b"not a request", "bad_data_format"),
        (lambda: _request("sha1")[1], "bad_alg"),
        (lambda: _request(digest=b"short")[1], "bad_data_format"),
    ],
    ids=["junk", "sha1", "short-imprint"],
)
def test_the_tsa_rejects_a_bad_request(bad_request, fail_info):
    answer = timestamp_response(bad_request(), authority=local_authority())

    parsed = _RejectionResp.load(answer)
    assert parsed["status"]["status"].native == "rejection"
    assert parsed["status"]["fail_info"].native == {fail_info}


def test_the_tsa_serves_over_http_on_loopback(local_pki):
    _nonce, request = _request()

    with _post(local_pki["tsa_url"], request) as answer:
        assert answer.headers["Content-Type"] == "application/timestamp-reply"
        response = tsp.TimeStampResp.load(answer.read())

    assert response["status"]["status"].native == "granted"
    assert local_pki["tsa_url"].startswith("http://127.0.0.1:")


def test_the_tsa_server_wants_a_timestamp_query(local_pki):
    with pytest.raises(urllib.error.HTTPError) as wrong_type:
        _post(local_pki["tsa_url"], b"{}", content_type="application/json")
    with pytest.raises(urllib.error.HTTPError) as get:
        urllib.request.urlopen(local_pki["tsa_url"], timeout=5)  # noqa: S310 — 127.0.0.1

    assert wrong_type.value.code == 415
    assert get.value.code == 405 and get.value.headers["Allow"] == "POST"


def test_run_tsa_refuses_a_taken_port():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(CommandError, match=f"Cannot listen on 127.0.0.1:{port}"):
            call_command("run_tsa", port=port)


@pytest.mark.slow
def test_production_refuses_the_demo_passphrase():
    result = _start_production({"PKI_KEY_PASSPHRASE": settings.PKI_DEMO_KEY_PASSPHRASE})

    assert result.returncode != 0
    assert "PKI_KEY_PASSPHRASE is the demo's passphrase" in result.stderr
