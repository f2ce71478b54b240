"""The platform's certificate authority: a root certificate, the timestamp authority's
certificate, one signing certificate per organisation, and the revocation list.

    PKI_DIR/ca.pem, ca.key.pem      the root (self-signed, RSA-2048, ten years)
    PKI_DIR/tsa.pem, tsa.key.pem    the local RFC 3161 timestamp authority (contracts/tsa.py)
    PKI_DIR/crl.der                 the current CRL, reissued on every revocation and daily

Organisations' certificates and keys are rows of SigningCertificate. Every private key, on disk
or in the database, is PKCS#8 encrypted with PKI_KEY_PASSPHRASE, which lives only in the
environment. This CA is the demo's: it is not a licensed certification service provider, and
docs/signatures.md says what production uses instead.
"""

import contextlib
import datetime
import fcntl
import logging
import os
import tempfile
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation
from contracts.models import SigningCertificate
from core.exceptions import ApplicationError

logger = logging.getLogger(__name__)

CA_CERTIFICATE_FILE = "ca.pem"
CA_KEY_FILE = "ca.key.pem"
TSA_CERTIFICATE_FILE = "tsa.pem"
TSA_KEY_FILE = "tsa.key.pem"
CRL_FILE = "crl.der"
_LOCK_FILE = ".lock"

# The timestamp authority's name, in its certificate and in every timestamp token it signs.
TSA_NAME = "中介超市时间戳服务 (demo)"
CA_LIFETIME = datetime.timedelta(days=3652)
TSA_LIFETIME = datetime.timedelta(days=3652)
ORGANISATION_CERTIFICATE_LIFETIME = datetime.timedelta(days=730)
# A certificate this close to its end is not used for a new signature: a new one is issued, so
# that no signature is made in the last moments of a certificate's life.
_RENEW_BEFORE = datetime.timedelta(days=1)
CRL_LIFETIME = datetime.timedelta(days=7)
_KEY_SIZE = 2048
# RFC 5280's upper bound for a common or organisation name, in characters.
_NAME_MAX_CHARACTERS = 64


@dataclass
class PkiInitReport:
    """What init_pki did: the files it made, and those it found and kept."""

    directory: Path
    made: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    ca_subject: str = ""
    ca_fingerprint: str = ""


# Files ----------------------------------------------------------------------------------------


def pki_dir() -> Path:
    return Path(settings.PKI_DIR)


def _passphrase() -> bytes:
    return settings.PKI_KEY_PASSPHRASE.encode()


def key_pem_encrypted(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(_passphrase()),
    )


def key_load(pem: bytes | str) -> rsa.RSAPrivateKey:
    """A private key stored by this module, opened with PKI_KEY_PASSPHRASE. Raises
    ImproperlyConfigured when the passphrase does not open it."""
    if isinstance(pem, str):
        pem = pem.encode()
    try:
        key = serialization.load_pem_private_key(pem, password=_passphrase())
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            "PKI_KEY_PASSPHRASE does not open a signing key (was it changed since the key "
            "was made?)"
        ) from error
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ImproperlyConfigured("A signing key is not an RSA key.")
    return key


def _write_atomically(path: Path, data: bytes, *, private: bool) -> None:
    """Write `path` whole or not at all (a reader never sees half a file); a private file is
    created readable by its owner only, before a byte is written to it."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(handle, 0o600 if private else 0o644)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


@contextlib.contextmanager
def _pki_lock(directory: Path) -> Iterator[None]:
    """One writer at a time in PKI_DIR (init_pki, crl_issue), across processes: the CRL number
    is read, incremented and written, and two issuers must not write the same number."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(directory / _LOCK_FILE, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _read(name: str) -> bytes:
    path = pki_dir() / name
    try:
        return path.read_bytes()
    except FileNotFoundError as error:
        raise ImproperlyConfigured(
            f"No certificate authority in {pki_dir()} ({name} is missing): run "
            "`python manage.py init_pki`."
        ) from error


def ca_certificate() -> x509.Certificate:
    """The root certificate. Raises ImproperlyConfigured when there is no CA in PKI_DIR."""
    return x509.load_pem_x509_certificate(_read(CA_CERTIFICATE_FILE))


def ca_certificate_pem() -> bytes:
    return ca_certificate().public_bytes(serialization.Encoding.PEM)


def ca_key() -> rsa.RSAPrivateKey:
    return key_load(_read(CA_KEY_FILE))


def tsa_certificate() -> x509.Certificate:
    return x509.load_pem_x509_certificate(_read(TSA_CERTIFICATE_FILE))


def tsa_key() -> rsa.RSAPrivateKey:
    return key_load(_read(TSA_KEY_FILE))


def crl_der() -> bytes:
    """The current CRL, DER, as /pki/crl.der serves it."""
    return _read(CRL_FILE)


def crl() -> x509.CertificateRevocationList:
    return x509.load_der_x509_crl(crl_der())


def serial_text(serial_number: int) -> str:
    """A certificate's serial number as stored and shown: lowercase hexadecimal."""
    return format(serial_number, "x")


def fingerprint(certificate: x509.Certificate) -> str:
    return certificate.fingerprint(hashes.SHA256()).hex(":").upper()


# Names and extensions ---------------------------------------------------------------------------


def _name_attribute(oid: x509.ObjectIdentifier, value: str) -> x509.NameAttribute:
    # RFC 5280 bounds a common name at 64 characters; cryptography counts UTF-8 bytes, which
    # would cut a Chinese name at 21 characters. The bound checked here is the RFC's.
    value = value[:_NAME_MAX_CHARACTERS]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return x509.NameAttribute(oid, value, _validate=False)


def _subject(certificate: x509.Certificate) -> x509.Name:
    # cryptography warns again, reading a long Chinese common name back (see above).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return certificate.subject


def _platform_name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            _name_attribute(NameOID.ORGANIZATION_NAME, settings.WAGTAIL_SITE_NAME),
            _name_attribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def organisation_subject(organisation: Organisation) -> x509.Name:
    """The subject of an organisation's certificate: CN and O its name, serialNumber its
    unified social credit code when it has one."""
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        _name_attribute(NameOID.ORGANIZATION_NAME, organisation.name),
        _name_attribute(NameOID.COMMON_NAME, organisation.name),
    ]
    if organisation.credit_code:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, organisation.credit_code))
    return x509.Name(attributes)


def crl_url() -> str:
    return f"{settings.SITE_URL}/pki/crl.der"


def _crl_distribution_point() -> x509.CRLDistributionPoints:
    return x509.CRLDistributionPoints(
        [
            x509.DistributionPoint(
                full_name=[x509.UniformResourceIdentifier(crl_url())],
                relative_name=None,
                reasons=None,
                crl_issuer=None,
            )
        ]
    )


def _authority_key_identifier(ca: x509.Certificate) -> x509.AuthorityKeyIdentifier:
    identifier = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(identifier)


def _key_usage(**granted: bool) -> x509.KeyUsage:
    usages = dict.fromkeys(
        (
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "key_cert_sign",
            "crl_sign",
            "encipher_only",
            "decipher_only",
        ),
        False,
    )
    usages.update(granted)
    return x509.KeyUsage(**usages)


def _issued_by_ca(
    subject: x509.Name,
    public_key: rsa.RSAPublicKey,
    *,
    ca: x509.Certificate,
    not_before: datetime.datetime,
    not_after: datetime.datetime,
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        # A certificate never outlives the CA that vouches for it.
        .not_valid_after(min(not_after, ca.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(_authority_key_identifier(ca), critical=False)
        .add_extension(_crl_distribution_point(), critical=False)
    )


# Setting up -------------------------------------------------------------------------------------


def init_pki(directory: Path | str | None = None, *, force: bool = False) -> PkiInitReport:
    """Make the CA in `directory` (PKI_DIR by default): the root, the TSA's certificate and
    the first CRL. Whatever already exists is kept, unless `force`, which makes a new root
    (and so makes every certificate issued under the old one worthless)."""
    directory = Path(directory or settings.PKI_DIR)
    report = PkiInitReport(directory=directory)
    with _pki_lock(directory):
        ca_path, ca_key_path = directory / CA_CERTIFICATE_FILE, directory / CA_KEY_FILE
        if force or not (ca_path.exists() and ca_key_path.exists()):
            ca, key = _make_ca()
            _write_atomically(ca_key_path, key_pem_encrypted(key), private=True)
            _write_atomically(ca_path, ca.public_bytes(serialization.Encoding.PEM), private=False)
            report.made.append(f"root certificate {ca_path}")
            ca_made = tsa_stale = crl_stale = True
        else:
            ca = x509.load_pem_x509_certificate(ca_path.read_bytes())
            key = key_load(ca_key_path.read_bytes())  # the passphrase must still open it
            report.kept.append(f"root certificate {ca_path}")
            ca_made = False
            tsa_stale = not _issued_by(directory / TSA_CERTIFICATE_FILE, ca)
            tsa_stale = tsa_stale or not (directory / TSA_KEY_FILE).exists()
            crl_stale = not (directory / CRL_FILE).exists()

        tsa_path = directory / TSA_CERTIFICATE_FILE
        if tsa_stale:
            tsa, tsa_private_key = _make_tsa_certificate(ca, key)
            _write_atomically(
                directory / TSA_KEY_FILE, key_pem_encrypted(tsa_private_key), private=True
            )
            _write_atomically(tsa_path, tsa.public_bytes(serialization.Encoding.PEM), private=False)
            report.made.append(f"timestamp authority certificate {tsa_path}")
        else:
            report.kept.append(f"timestamp authority certificate {tsa_path}")

        if crl_stale:
            # A new root has revoked nothing yet: its first CRL is empty, made without asking
            # the database (which may not exist yet when the demo is being set up).
            _write_crl(directory, ca, key, revoked=() if ca_made else None)
            report.made.append(f"revocation list {directory / CRL_FILE}")
        else:
            report.kept.append(f"revocation list {directory / CRL_FILE}")
    report.ca_subject = ca.subject.rfc4514_string()
    report.ca_fingerprint = fingerprint(ca)
    return report


def _issued_by(path: Path, ca: x509.Certificate) -> bool:
    try:
        certificate = x509.load_pem_x509_certificate(path.read_bytes())
    except (FileNotFoundError, ValueError):
        return False
    return _verify_issued(certificate, ca)


def _verify_issued(certificate: x509.Certificate, ca: x509.Certificate) -> bool:
    try:
        certificate.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _make_ca() -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    # RSA-2048 with SHA-256: what pyHanko, poppler's pdfsig (NSS) and Adobe Reader all check.
    key = rsa.generate_private_key(public_exponent=65537, key_size=_KEY_SIZE)
    name = _platform_name(settings.PKI_CA_NAME)
    now = timezone.now()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + CA_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    return certificate, key


def _make_tsa_certificate(
    ca: x509.Certificate, ca_private_key: rsa.RSAPrivateKey
) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=_KEY_SIZE)
    now = timezone.now()
    certificate = (
        _issued_by_ca(
            _platform_name(TSA_NAME),
            key.public_key(),
            ca=ca,
            not_before=now,
            not_after=now + TSA_LIFETIME,
        )
        .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        # RFC 3161 §2.3: the TSA's certificate has exactly this one extended key usage, critical.
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(ca_private_key, hashes.SHA256())
    )
    return certificate, key


# Organisations' certificates --------------------------------------------------------------------


def organisation_certificate(organisation: Organisation) -> SigningCertificate:
    """The organisation's current signing certificate: issued by the current CA, in force for
    at least another day, not revoked, in the organisation's current name. One is issued
    (two years) when there is none. Raises ImproperlyConfigured when there is no CA."""
    ca = ca_certificate()
    current = _current_certificate(organisation, ca)
    if current is not None:
        return current
    with transaction.atomic():
        # Locks the organisation's row: two first signatures by one organisation at the same
        # moment would otherwise each issue it a certificate.
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        current = _current_certificate(organisation, ca)
        if current is not None:
            return current
        return _certificate_issue(organisation, ca)


def _current_certificate(
    organisation: Organisation, ca: x509.Certificate
) -> SigningCertificate | None:
    now = timezone.now()
    candidates = SigningCertificate.objects.filter(
        organisation=organisation,
        revoked_at__isnull=True,
        not_before__lte=now,
        not_after__gt=now + _RENEW_BEFORE,
    ).order_by("-not_before", "-pk")
    subject = organisation_subject(organisation)
    for candidate in candidates:
        certificate = x509.load_pem_x509_certificate(candidate.certificate_pem.encode())
        # After `init_pki --force` the old CA's certificates are worthless; after a change of
        # name or credit code the old subject is wrong. Neither is used for a new signature.
        if _subject(certificate) == subject and _verify_issued(certificate, ca):
            return candidate
    return None


def _certificate_issue(organisation: Organisation, ca: x509.Certificate) -> SigningCertificate:
    key = rsa.generate_private_key(public_exponent=65537, key_size=_KEY_SIZE)
    now = timezone.now()
    private_ca_key = ca_key()
    certificate = (
        _issued_by_ca(
            organisation_subject(organisation),
            key.public_key(),
            ca=ca,
            not_before=now,
            not_after=now + ORGANISATION_CERTIFICATE_LIFETIME,
        )
        .add_extension(_key_usage(digital_signature=True, content_commitment=True), critical=True)
        .sign(private_ca_key, hashes.SHA256())
    )
    record = SigningCertificate.objects.create(
        organisation=organisation,
        serial_number=serial_text(certificate.serial_number),
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        private_key_pem=key_pem_encrypted(key).decode(),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
    )
    logger.info(
        "signing certificate issued",
        extra={"organisation": organisation.pk, "serial_number": record.serial_number},
    )
    return record


def certificate_revoke(*, certificate: SigningCertificate, reason: str) -> SigningCertificate:
    """Revoke `certificate` from now on and, once that is committed, reissue the CRL.
    Signatures timestamped before now stay valid (docs/signatures.md).

    Raises ApplicationError: `revocation_reason_required` when `reason` is blank,
    `certificate_already_revoked` when it was revoked before."""
    reason = reason.strip()
    if not reason:
        raise ApplicationError(
            _("Give the reason for revoking the certificate."), code="revocation_reason_required"
        )
    with transaction.atomic():
        # Locks the certificate's row: two revocations at once would otherwise both record
        # their own time and reason.
        certificate = SigningCertificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.revoked_at is not None:
            raise ApplicationError(
                _("This certificate was already revoked."), code="certificate_already_revoked"
            )
        certificate.revoked_at = timezone.now()
        certificate.revocation_reason = reason[:255]
        certificate.save(update_fields=["revoked_at", "revocation_reason"])
        transaction.on_commit(crl_issue)
    logger.info(
        "signing certificate revoked",
        extra={"certificate": certificate.pk, "serial_number": certificate.serial_number},
    )
    return certificate


# Revocation list --------------------------------------------------------------------------------


def crl_issue() -> x509.CertificateRevocationList:
    """Write a fresh CRL to PKI_DIR (valid 7 days) listing every revoked certificate, and
    return it. Raises ImproperlyConfigured when there is no CA."""
    directory = pki_dir()
    with _pki_lock(directory):
        return _write_crl(directory, ca_certificate(), ca_key())


def _write_crl(
    directory: Path,
    ca: x509.Certificate,
    key: rsa.RSAPrivateKey,
    *,
    revoked: Iterable[tuple[str, datetime.datetime]] | None = None,
) -> x509.CertificateRevocationList:
    """Sign and write the CRL listing `revoked` (serial number, revocation time), by default
    every revoked certificate in the database."""
    now = timezone.now()
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.subject)
        .last_update(now)
        .next_update(now + CRL_LIFETIME)
        .add_extension(x509.CRLNumber(_next_crl_number(directory)), critical=False)
        .add_extension(_authority_key_identifier(ca), critical=False)
    )
    if revoked is None:
        rows = SigningCertificate.objects.filter(revoked_at__isnull=False).values_list(
            "serial_number", "revoked_at"
        )
        revoked = [(serial_number, at) for serial_number, at in rows if at is not None]
    for serial_number, revoked_at in revoked:
        # No reasonCode entry: RFC 5280 asks to leave it out rather than say "unspecified",
        # and the stated reason is free text kept in the database.
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(int(serial_number, 16))
            .revocation_date(revoked_at)
            .build()
        )
    revocation_list = builder.sign(key, hashes.SHA256())
    _write_atomically(
        directory / CRL_FILE,
        revocation_list.public_bytes(serialization.Encoding.DER),
        private=False,
    )
    return revocation_list


def _next_crl_number(directory: Path) -> int:
    """RFC 5280 wants CRL numbers to increase: one more than the current file's."""
    try:
        current = x509.load_der_x509_crl((directory / CRL_FILE).read_bytes())
        number = current.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    except (FileNotFoundError, ValueError, x509.ExtensionNotFound):
        return 1
    return number + 1
