"""The demo's RFC 3161 timestamp authority: a TimeStampReq in, a TimeStampResp out, signed
with the TSA certificate and key that init_pki put in PKI_DIR. contracts/tsa_server.py serves it
over HTTP on 127.0.0.1; production asks a real TSA at TSA_URL instead and never runs this.

The token follows RFC 3161 as amended by RFC 5816: SHA-256 throughout, the TSA's certificate
named by an ESSCertIDv2 (signing-certificate-v2 attribute), genTime to the second with an
accuracy of one second, the request's nonce echoed, the TSA's certificate included when the
request asks for it.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.utils import timezone
from pyhanko.sign.general import as_signing_certificate_v2, simple_cms_attribute

from contracts import pki

logger = logging.getLogger(__name__)

# This TSA's policy: an OID under 2.25, the arc ITU-T X.667 gives to anyone who takes a fresh
# UUID (49ced665-b152-44c8-8d50-68f538f6fd92), so it needs no registration and names no one
# else's policy.
TSA_POLICY_OID = "2.25.98107605337734932087662900098312371602"
# The hashes a request may use for its message imprint, with their lengths.
_IMPRINT_HASHES = {"sha256": 32, "sha384": 48, "sha512": 64}
_MAX_REQUEST_BYTES = 4096


@dataclass(frozen=True)
class TimestampAuthority:
    """The TSA's certificate (and its issuer's, to include in tokens) and its private key."""

    certificate: asn1_x509.Certificate
    ca_certificate: asn1_x509.Certificate
    private_key: rsa.RSAPrivateKey


def local_authority() -> TimestampAuthority:
    """The TSA of PKI_DIR, key opened with PKI_KEY_PASSPHRASE. Raises ImproperlyConfigured when
    there is none (run init_pki)."""
    return TimestampAuthority(
        certificate=_asn1(pki.tsa_certificate()),
        ca_certificate=_asn1(pki.ca_certificate()),
        private_key=pki.tsa_key(),
    )


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def timestamp_response(
    request_der: bytes, *, authority: TimestampAuthority, now: datetime | None = None
) -> bytes:
    """The DER TimeStampResp answering the DER TimeStampReq `request_der`: a token when the
    request is well formed, otherwise a rejection with RFC 3161's failure bit (never an
    exception for a bad request)."""
    try:
        request = _parse_request(request_der)
    except _Rejected as rejection:
        return _rejection(rejection.fail_info, rejection.text)
    moment = (now or timezone.now()).astimezone(UTC).replace(microsecond=0)
    token = _token(request, authority=authority, moment=moment)
    response = tsp.TimeStampResp(
        {"status": tsp.PKIStatusInfo({"status": "granted"}), "time_stamp_token": token}
    )
    return response.dump()


class _Rejected(Exception):
    def __init__(self, fail_info: str, text: str):
        super().__init__(text)
        self.fail_info = fail_info
        self.text = text


def _parse_request(request_der: bytes) -> tsp.TimeStampReq:
    if len(request_der) > _MAX_REQUEST_BYTES:
        raise _Rejected("bad_data_format", "request too large")
    try:
        request = tsp.TimeStampReq.load(request_der, strict=True)
        request.native  # noqa: B018 — asn1crypto parses lazily: decode every field now
        algorithm = request["message_imprint"]["hash_algorithm"]["algorithm"].native
        hashed_message = request["message_imprint"]["hashed_message"].native
        version = request["version"].native
    except (ValueError, TypeError, KeyError) as error:
        raise _Rejected("bad_data_format", "not a TimeStampReq") from error
    if version != "v1":
        raise _Rejected("bad_request", "unsupported version")
    if algorithm not in _IMPRINT_HASHES:
        raise _Rejected("bad_alg", f"unsupported hash algorithm {algorithm}")
    if len(hashed_message) != _IMPRINT_HASHES[algorithm]:
        raise _Rejected("bad_data_format", "message imprint of the wrong length")
    policy = request["req_policy"].native
    if policy is not None and request["req_policy"].dotted != TSA_POLICY_OID:
        raise _Rejected("unaccepted_policy", "unknown policy")
    if request["extensions"].native:
        raise _Rejected("unaccepted_extensions", "no extensions are supported")
    return request


def _rejection(fail_info: str, text: str) -> bytes:
    status = tsp.PKIStatusInfo(
        {
            "status": "rejection",
            "status_string": [text],
            "fail_info": tsp.PKIFailureInfo({fail_info}),
        }
    )
    return _RejectionResp({"status": status}).dump()


class _RejectionResp(core.Sequence):
    """A TimeStampResp without a token. RFC 3161 makes the token OPTIONAL, but asn1crypto's
    TimeStampResp requires it; the DER of this is the same as a token-less TimeStampResp."""

    _fields = [("status", tsp.PKIStatusInfo)]


def _token(
    request: tsp.TimeStampReq, *, authority: TimestampAuthority, moment: datetime
) -> cms.ContentInfo:
    certificate = authority.certificate
    tst_info = {
        "version": "v1",
        "policy": TSA_POLICY_OID,
        "message_imprint": request["message_imprint"],
        "serial_number": x509.random_serial_number(),
        "gen_time": moment,
        "accuracy": {"seconds": 1},
        "tsa": asn1_x509.GeneralName(name="directory_name", value=certificate.subject),
    }
    if request["nonce"].native is not None:
        tst_info["nonce"] = request["nonce"]
    tst_info_der = tsp.TSTInfo(tst_info).dump()

    signed_attributes = cms.CMSAttributes(
        [
            simple_cms_attribute("content_type", "tst_info"),
            simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(moment)})),
            simple_cms_attribute("message_digest", hashlib.sha256(tst_info_der).digest()),
            simple_cms_attribute("signing_certificate_v2", as_signing_certificate_v2(certificate)),
        ]
    )
    signature = authority.private_key.sign(
        signed_attributes.dump(), padding.PKCS1v15(), hashes.SHA256()
    )
    digest_algorithm = algos.DigestAlgorithm({"algorithm": "sha256"})
    signer_info = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                name="issuer_and_serial_number",
                value=cms.IssuerAndSerialNumber(
                    {"issuer": certificate.issuer, "serial_number": certificate.serial_number}
                ),
            ),
            "digest_algorithm": digest_algorithm,
            "signed_attrs": signed_attributes,
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "rsassa_pkcs1v15"}),
            "signature": signature,
        }
    )
    signed_data = {
        "version": "v3",
        "digest_algorithms": [digest_algorithm],
        "encap_content_info": {
            "content_type": "tst_info",
            "content": cms.ParsableOctetString(tst_info_der),
        },
        "signer_infos": [signer_info],
    }
    if request["cert_req"].native:
        signed_data["certificates"] = [certificate, authority.ca_certificate]
    return cms.ContentInfo({"content_type": "signed_data", "content": cms.SignedData(signed_data)})
