"""PAdES signatures on contract PDFs (pyHanko): signing with an organisation's certificate and
a red round seal, and reading back every signature of an uploaded PDF.

A signature is PAdES baseline B-LT: the CMS signature (SHA-256, RSA) covers the whole file as
it was, the timestamp authority at TSA_URL dates it (an RFC 3161 token over the signature), and
an incremental update after it stores the validation data — the certificates and the CRL —
in the document security store (DSS), so it can be checked without asking us, long after.
Nothing here goes to the network except the timestamp request: certificates and the CRL come
from PKI_DIR. docs/signatures.md explains the chain of trust and its limits.
"""

import html
import logging
import math
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contracts import pdf as pdf_layout
from contracts import pki
from contracts.models import SigningCertificate
from core.exceptions import ApplicationError

logger = logging.getLogger(__name__)

# Where the signatures go on the contract's last page, in PDF points from its bottom-left
# corner: owner (甲方) and agency (乙方). The renderer defines them and leaves them empty.
SIGNATURE_BOXES = pdf_layout.SIGNATURE_BOXES

_SEAL_RED = "#d7000f"
# The seal's font, installed by scripts/system-deps.sh (fonts-wqy-zenhei).
_SEAL_FONT = "WenQuanYi Zen Hei"
# A PDF starts with its header within the first kilobyte (readers tolerate a little junk).
_HEADER_WINDOW = 1024


class NotAPdf(ApplicationError):
    """An upload that cannot be read as a PDF: not one at all, broken, or encrypted."""

    def __init__(self, message: str | None = None, *, code: str = "not_a_pdf"):
        super().__init__(message or _("This file is not a PDF document."), code=code)


@dataclass(frozen=True)
class SignatureReport:
    """What one signature in a PDF proves.

    `intact`: the signed bytes hash to the value that was signed. `valid`: the signature over
    that hash verifies with the certificate's key. `trusted`: the certificate chains to the
    platform's CA and was not revoked at the signing time. `timestamped`: a token from the
    timestamp authority, itself valid and trusted, dates the signature; `signing_time` is then
    the TSA's time, otherwise the signer's own claim (or None). `covers_whole_document`: the
    signature covers the file to its end, or only other signatures and validation data were
    added after it. `long_term`: the document's DSS holds the signer's certificate and a CRL
    from our CA, so the signature can be checked offline (B-LT)."""

    field_name: str
    signer_name: str
    signer_credit_code: str
    certificate_serial: str
    signing_time: datetime | None
    timestamped: bool
    intact: bool
    valid: bool
    trusted: bool
    revoked_at: datetime | None
    covers_whole_document: bool
    long_term: bool
    modification_level: str
    reason: str
    problems: tuple[str, ...]

    @property
    def tampered(self) -> bool:
        """The document is not what this signer signed (plus later signatures)."""
        return not (self.intact and self.valid and self.covers_whole_document)

    @property
    def level(self) -> str:
        """The PAdES baseline level this signature reaches: B-B, B-T or B-LT."""
        if self.timestamped and self.long_term:
            return "B-LT"
        return "B-T" if self.timestamped else "B-B"


# Signing ----------------------------------------------------------------------------------------


def pdf_sign(
    pdf: bytes,
    *,
    certificate: SigningCertificate,
    field_name: str,
    box: tuple[float, float, float, float],
    seal_name: str,
    reason: str,
    location: str = "",
) -> bytes:
    """`pdf` with one more signature, by `certificate`'s key, appended as an incremental
    update: a new signature field `field_name` on the last page at `box`, showing a seal with
    `seal_name`, dated by the TSA at TSA_URL, followed by the validation data (B-LT).

    Raises ApplicationError: `certificate_revoked`, `certificate_not_trusted` (expired, not
    issued by our CA, or revoked in the CRL), `signature_field_taken` (the field is already
    signed), `timestamp_unavailable` (the TSA did not answer); NotAPdf (`not_a_pdf`,
    `pdf_damaged`, `pdf_encrypted`) for a file that cannot be signed. Raises
    ImproperlyConfigured when PKI_DIR has no CA or the passphrase is wrong."""
    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields, signers
    from pyhanko.sign.general import SigningError
    from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError
    from pyhanko.stamp import StaticStampStyle
    from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

    _require_pdf_header(pdf)
    # Asks the database, not only the instance: it may be a copy from before a revocation.
    revoked = SigningCertificate.objects.filter(pk=certificate.pk, revoked_at__isnull=False)
    if certificate.revoked_at is not None or revoked.exists():
        raise ApplicationError(
            _("This signing certificate was revoked; it cannot sign any more."),
            code="certificate_revoked",
        )
    started = time.perf_counter()
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
        encrypted = writer.prev.encrypted
        field_taken = _field_signed(writer.prev, field_name)
    except PdfError as error:
        raise NotAPdf(_("This PDF is damaged and cannot be signed."), code="pdf_damaged") from error
    if encrypted:
        raise NotAPdf(_("This PDF is encrypted."), code="pdf_encrypted")
    if field_taken:
        raise ApplicationError(
            _("This document is already signed in that place."), code="signature_field_taken"
        )

    trust = _Trust.load()
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
        embed_validation_info=True,
        validation_context=trust.context(),
        signer_key_usage={"non_repudiation"},
    )
    seal = StaticStampStyle(
        background=_pdf_page(seal_pdf(seal_name, width=box[2] - box[0], height=box[3] - box[1])),
        background_opacity=1.0,
        border_width=0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0),
        ),
    )
    pdf_signer = signers.PdfSigner(
        metadata,
        _signer(certificate, trust),
        timestamper=HTTPTimeStamper(settings.TSA_URL, timeout=settings.TSA_TIMEOUT_SECONDS),
        stamp_style=seal,
        new_field_spec=fields.SigFieldSpec(
            sig_field_name=field_name, on_page=-1, box=_whole_points(box)
        ),
    )
    not_trusted = ApplicationError(
        _("This signing certificate is not valid now (expired, revoked or not ours)."),
        code="certificate_not_trusted",
    )
    try:
        signed = pdf_signer.sign_pdf(writer).getvalue()
    except TimestampRequestError as error:
        logger.warning("timestamp authority unavailable", exc_info=error)
        raise ApplicationError(
            _("The timestamp service did not answer; try again in a moment."),
            code="timestamp_unavailable",
        ) from error
    except (PathBuildingError, PathValidationError) as error:
        raise not_trusted from error
    except SigningError as error:
        # pyHanko checks the certificate (with our CRL) before signing and wraps its refusal.
        if isinstance(error.__cause__, (PathBuildingError, PathValidationError)):
            raise not_trusted from error
        raise
    logger.info(
        "pdf signed",
        extra={
            "field": field_name,
            "serial_number": certificate.serial_number,
            "seconds": round(time.perf_counter() - started, 3),
        },
    )
    return signed


def _signer(certificate: SigningCertificate, trust: "_Trust"):
    """What makes the CMS signature: here the key from the database, decrypted in memory.
    With an HSM or a cloud signing service this becomes pyHanko's PKCS11Signer or CSCSigner
    (docs/signatures.md)."""
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    return signers.SimpleSigner(
        signing_cert=_asn1_certificate(certificate.certificate_pem.encode()),
        signing_key=_asn1_private_key(certificate.private_key_pem),
        cert_registry=SimpleCertificateStore.from_certs([trust.ca]),
    )


def _whole_points(box: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    left, bottom, right, top = (round(side) for side in box)
    return left, bottom, right, top


def _field_signed(reader, field_name: str) -> bool:
    from pyhanko.sign.fields import enumerate_sig_fields

    return any(True for _field in enumerate_sig_fields(reader, True, with_name=field_name))


def _asn1_certificate(pem_or_der: bytes) -> asn1_x509.Certificate:
    certificate = (
        x509.load_pem_x509_certificate(pem_or_der)
        if pem_or_der.lstrip().startswith(b"-----")
        else x509.load_der_x509_certificate(pem_or_der)
    )
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def _asn1_private_key(pem: str) -> asn1_keys.PrivateKeyInfo:
    key = pki.key_load(pem)
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return asn1_keys.PrivateKeyInfo.load(der)


def _pdf_page(pdf: bytes):
    """The first page of a PDF held in memory, as pyHanko content (its ImportedPdfPage reads
    a file by name): the seal, drawn as the stamp's background."""
    from pyhanko.pdf_utils import content
    from pyhanko.pdf_utils.layout import BoxConstraints
    from pyhanko.pdf_utils.reader import PdfFileReader

    class PdfPageContent(content.PdfContent):
        def render(self) -> bytes:
            xobject = self._ensure_writer.import_page_as_xobject(
                PdfFileReader(BytesIO(pdf)), page_ix=0
            )
            name = f"/Seal{uuid.uuid4().hex}"
            self.resources.xobject[name] = xobject
            x1, y1, x2, y2 = (float(side) for side in xobject.get_object()["/BBox"])
            self.box = BoxConstraints(width=abs(x2 - x1), height=abs(y2 - y1))
            return name.encode() + b" Do"

    return PdfPageContent()


# The seal ---------------------------------------------------------------------------------------


def seal_pdf(name: str, *, width: float, height: float, moment: datetime | None = None) -> bytes:
    """A one-page PDF of `width` × `height` points: a red round seal (电子印章) with a star in
    the middle and `name` around the upper arc, and under it the signing time (Beijing time).
    The seal is in the site's language (Chinese), whatever the signer's page was in."""
    from weasyprint import HTML

    with translation.override(settings.LANGUAGE_CODE):
        moment_text = timezone.localtime(moment or timezone.now()).strftime("%Y-%m-%d %H:%M")
        time_line = _("Signed %(time)s (UTC+8)") % {"time": moment_text}
    svg = _seal_svg(name, time_line, width=width, height=height)
    document = (
        "<!doctype html><html><head><meta charset='utf-8'><style>"
        f"@page {{ size: {width}pt {height}pt; margin: 0 }}"
        f"html, body {{ margin: 0 }} svg {{ display: block; width: {width}pt; height: {height}pt }}"
        f"</style></head><body>{svg}</body></html>"
    )
    return HTML(string=document, url_fetcher=_no_fetching).write_pdf()


def _no_fetching(url: str, *args, **kwargs):
    raise ValueError(f"the seal loads nothing ({url})")


def _seal_svg(name: str, time_line: str, *, width: float, height: float) -> str:
    time_size = 9.0
    radius = min(width, height - time_size - 6) / 2 - 1
    cx, cy = width / 2, radius + 1
    ring = max(2.5, radius / 18)
    parts = [
        f'<circle cx="{cx:.2f}" cy="{cy:.2f}" r="{radius - ring / 2:.2f}" fill="none" '
        f'stroke="{_SEAL_RED}" stroke-width="{ring:.2f}"/>',
        f'<polygon points="{_star_points(cx, cy, radius * 0.3)}" fill="{_SEAL_RED}"/>',
    ]
    parts += _arc_text(name, cx=cx, cy=cy, radius=radius - ring - 2)
    parts.append(
        f'<text x="{cx:.2f}" y="{height - 3:.2f}" font-size="{time_size}" text-anchor="middle" '
        f'fill="{_SEAL_RED}" font-family="{_SEAL_FONT}">{html.escape(time_line)}</text>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">{"".join(parts)}</svg>'
    )


def _star_points(cx: float, cy: float, outer: float) -> str:
    inner = outer * 0.382  # a regular five-pointed star's inner radius
    points = []
    for k in range(10):
        angle = math.radians(-90 + 36 * k)
        length = outer if k % 2 == 0 else inner
        points.append(f"{cx + length * math.cos(angle):.2f},{cy + length * math.sin(angle):.2f}")
    return " ".join(points)


def _arc_text(name: str, *, cx: float, cy: float, radius: float) -> list[str]:
    """`name` along the upper arc, one glyph at a time, each upright towards the rim, as on a
    carved seal: the glyphs sit as close as their size allows, over at most 250 degrees, and
    shrink when a long name would not fit."""
    glyphs = list(name.strip()) or ["?"]
    count = len(glyphs)
    size = radius * 0.33
    if count > 1:
        for _round in range(4):  # the glyphs' radius depends on their size: settle both
            text_radius = radius - size * 0.55
            step = min(size * 1.12 / text_radius, math.radians(250) / (count - 1))
            size = max(radius * 0.1, min(radius * 0.33, step * text_radius / 1.12))
    text_radius = radius - size * 0.55
    step = size * 1.12 / text_radius if count > 1 else 0.0
    step = min(step, math.radians(250) / max(count - 1, 1))
    first = -step * (count - 1) / 2
    parts = []
    for index, glyph in enumerate(glyphs):
        angle = first + step * index
        x = cx + text_radius * math.sin(angle)
        y = cy - text_radius * math.cos(angle)
        parts.append(
            f'<text x="0" y="0" dy="{size * 0.36:.2f}" '
            f'transform="translate({x:.2f},{y:.2f}) rotate({math.degrees(angle):.2f})" '
            f'font-size="{size:.2f}" text-anchor="middle" fill="{_SEAL_RED}" '
            f'font-family="{_SEAL_FONT}">{html.escape(glyph)}</text>'
        )
    return parts


# Trust ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Trust:
    """Our CA and its current CRL (from PKI_DIR), from which validation contexts are made:
    nothing is fetched from the network."""

    ca: asn1_x509.Certificate
    crl: asn1_crl.CertificateList

    @classmethod
    def load(cls) -> "_Trust":
        return cls(
            ca=_asn1_certificate(pki.ca_certificate_pem()),
            crl=asn1_crl.CertificateList.load(pki.crl_der()),
        )

    def context(self, *, moment: datetime | None = None):
        """A validation context trusting our CA only, checking revocation against the CRL
        (hard-fail: a certificate whose status cannot be checked is not trusted), at `moment`
        (a past signing time, proved by a timestamp) or now. At a past moment the current CRL
        still counts: a certificate revoked before that moment is revoked, one revoked after
        it is not."""
        from pyhanko_certvalidator import ValidationContext

        return ValidationContext(
            trust_roots=[self.ca],
            crls=[self.crl],
            allow_fetching=False,
            revocation_mode="hard-fail",
            moment=moment,
            retroactive_revinfo=moment is not None,
        )

    def revoked_at(self, serial_number: int) -> datetime | None:
        for entry in self.crl["tbs_cert_list"]["revoked_certificates"]:
            if entry["user_certificate"].native == serial_number:
                return entry["revocation_date"].native
        return None


# Validation -------------------------------------------------------------------------------------


def pdf_signatures(pdf: bytes) -> list[SignatureReport]:
    """A report for each signature in `pdf`, in signing order; [] for a PDF without any.
    Document timestamps are not listed. A signature that cannot be read is reported as such
    rather than raised. Raises NotAPdf for a file that is not a readable PDF (codes
    `not_a_pdf`, `pdf_encrypted`), and ImproperlyConfigured when PKI_DIR has no CA."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import enumerate_sig_fields

    _require_pdf_header(pdf)
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        encrypted = reader.encrypted
        fields_found = list(enumerate_sig_fields(reader, filled_status=True))
    except Exception as error:  # a hostile upload may break the parser anywhere
        raise NotAPdf() from error
    if encrypted:
        raise NotAPdf(
            _("This PDF is encrypted; upload it without a password."), code="pdf_encrypted"
        )
    if not fields_found:
        return []
    trust = _Trust.load()
    embedded_data = _embedded_validation_data(reader)
    found = []
    for name, signature_object, field in fields_found:
        revision_and_report = _signature_report(
            reader, name, signature_object, field, trust, embedded_data
        )
        if revision_and_report is not None:
            found.append(revision_and_report)
    return [report for _revision, report in sorted(found, key=lambda pair: pair[0])]


def _signature_report(reader, name, signature_object, field, trust, embedded_data):
    """(revision, report) for one filled signature field, None for a document timestamp."""
    from pyhanko.sign.validation import EmbeddedPdfSignature

    try:
        if signature_object.get_object().get("/Type") == "/DocTimeStamp":
            return None
        embedded = EmbeddedPdfSignature(reader, field, name)
    except Exception:
        logger.info("unreadable signature in an uploaded pdf", exc_info=True)
        return (math.inf, _unreadable(name))
    try:
        return (embedded.signed_revision, _validated(embedded, trust, embedded_data))
    except Exception:
        logger.info("signature validation failed on an uploaded pdf", exc_info=True)
        return (embedded.signed_revision, _unreadable(name))


def _unreadable(field_name: str) -> SignatureReport:
    return SignatureReport(
        field_name=str(field_name),
        signer_name="",
        signer_credit_code="",
        certificate_serial="",
        signing_time=None,
        timestamped=False,
        intact=False,
        valid=False,
        trusted=False,
        revoked_at=None,
        covers_whole_document=False,
        long_term=False,
        modification_level="",
        reason="",
        problems=(_("This signature cannot be read: it is damaged or in a form we do not know."),),
    )


def _validated(embedded, trust: _Trust, embedded_data) -> SignatureReport:
    from pyhanko.sign.validation import validate_pdf_signature

    claimed_timestamp = _claimed_timestamp_time(embedded)
    now_context = trust.context()
    status = validate_pdf_signature(
        embedded,
        # The signer's certificate is judged at the time the TSA vouches for; the TSA's own
        # certificate, and so that time, is judged now.
        signer_validation_context=trust.context(moment=claimed_timestamp),
        ts_validation_context=now_context,
    )
    timestamp = status.timestamp_validity
    timestamped = bool(timestamp and timestamp.intact and timestamp.valid and timestamp.trusted)
    if claimed_timestamp is not None and not timestamped:
        # A timestamp we cannot trust proves no time: judge the certificate now instead.
        status = validate_pdf_signature(
            embedded, signer_validation_context=trust.context(), ts_validation_context=now_context
        )
    certificate = embedded.signer_cert
    subject = certificate.subject.native
    revoked_at = (
        trust.revoked_at(certificate.serial_number) if _issued_by(certificate, trust) else None
    )
    covers = _covers_whole_document(status)
    long_term = (
        certificate.sha256 in embedded_data.certificate_hashes
        and trust.ca.subject in embedded_data.crl_issuers
    )
    report = SignatureReport(
        field_name=str(embedded.field_name),
        signer_name=str(subject.get("organization_name") or subject.get("common_name") or ""),
        signer_credit_code=str(subject.get("serial_number") or ""),
        certificate_serial=pki.serial_text(certificate.serial_number),
        signing_time=timestamp.timestamp
        if timestamp and timestamped
        else status.signer_reported_dt,
        timestamped=timestamped,
        intact=status.intact,
        valid=status.valid,
        trusted=status.trusted and not status.revoked,
        revoked_at=revoked_at,
        covers_whole_document=covers,
        long_term=long_term,
        modification_level=status.modification_level.name if status.modification_level else "",
        reason=str(embedded.sig_object.get("/Reason", "")),
        problems=(),
    )
    return _with_problems(report, revoked_before=status.revoked)


def _claimed_timestamp_time(embedded) -> datetime | None:
    """The time in the signature's timestamp token, not yet checked."""
    from pyhanko.sign.general import find_unique_cms_attribute

    try:
        token = find_unique_cms_attribute(
            embedded.signer_info["unsigned_attrs"], "signature_time_stamp_token"
        )
        return token["content"]["encap_content_info"]["content"].parsed["gen_time"].native
    except (KeyError, ValueError, TypeError, AttributeError):
        return None


def _issued_by(certificate: asn1_x509.Certificate, trust: _Trust) -> bool:
    return certificate.issuer == trust.ca.subject


def _covers_whole_document(status) -> bool:
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import SignatureCoverageLevel

    if status.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    # What pyHanko's difference analysis calls "form filling" is, in our contracts (which have
    # no form fields but the signatures'), adding the next signature; "LTA updates" are the
    # DSS and document timestamps. Anything else after a signature is a change to the document.
    return bool(
        status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
        and status.docmdp_ok
        and status.modification_level
        in (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING)
    )


def _with_problems(report: SignatureReport, *, revoked_before: bool) -> SignatureReport:
    problems = []
    if not report.intact:
        problems.append(
            _("The document was changed after this signature: the signed bytes differ.")
        )
    elif not report.valid:
        problems.append(_("The signature does not match the signer's certificate."))
    elif not report.covers_whole_document:
        problems.append(
            _("The document was changed after this signature in ways other than adding signatures.")
        )
    if revoked_before:
        problems.append(_("The certificate had been revoked before this signature was made."))
    elif not report.trusted:
        problems.append(
            _(
                "The certificate is not one of the platform's certificate authority, or its "
                "validity could not be checked."
            )
        )
    if not report.timestamped:
        problems.append(
            _("No trusted timestamp dates this signature: its time is the signer's own claim.")
        )
    return SignatureReport(**{**report.__dict__, "problems": tuple(problems)})


@dataclass(frozen=True)
class _EmbeddedValidationData:
    certificate_hashes: frozenset[bytes]
    crl_issuers: tuple[asn1_x509.Name, ...]


def _embedded_validation_data(reader) -> _EmbeddedValidationData:
    """The certificates and the CRLs' issuers in the document security store, if any."""
    from pyhanko.sign.validation import DocumentSecurityStore
    from pyhanko.sign.validation.errors import NoDSSFoundError

    try:
        dss = DocumentSecurityStore.read_dss(reader)
        hashes = frozenset(certificate.sha256 for certificate in dss.load_certs())
        issuers = tuple(
            asn1_crl.CertificateList.load(reference.get_object().data).issuer
            for reference in dss.crls
        )
    except NoDSSFoundError:
        return _EmbeddedValidationData(frozenset(), ())
    except Exception:
        logger.info("unreadable DSS in an uploaded pdf", exc_info=True)
        return _EmbeddedValidationData(frozenset(), ())
    return _EmbeddedValidationData(hashes, issuers)


def _require_pdf_header(pdf: bytes) -> None:
    if not isinstance(pdf, bytes | bytearray) or b"%PDF-" not in pdf[:_HEADER_WINDOW]:
        raise NotAPdf()
