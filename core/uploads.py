"""Uploaded files are checked by their content, not by their name or the browser's word."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FileKind:
    label: str
    extensions: tuple[str, ...]
    signatures: tuple[bytes, ...]


PDF = FileKind("PDF", (".pdf",), (b"%PDF-",))
JPEG = FileKind("JPEG", (".jpg", ".jpeg"), (b"\xff\xd8\xff",))
PNG = FileKind("PNG", (".png",), (b"\x89PNG\r\n\x1a\n",))
XLSX = FileKind("Excel (.xlsx)", (".xlsx",), (b"PK\x03\x04",))

SCAN_KINDS = (PDF, JPEG, PNG)
SCAN_MAX_BYTES = 10 * 1024 * 1024


def validate_size(upload: UploadedFile, max_bytes: int) -> None:
    size = upload.size or 0
    if size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s."),
            code="file_too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(max_bytes)},
        )


def validate_upload(
    upload: UploadedFile,
    *,
    kinds: tuple[FileKind, ...] = SCAN_KINDS,
    max_bytes: int = SCAN_MAX_BYTES,
) -> FileKind:
    """Return the kind of file this is; raise ValidationError if it is too big, or if its
    first bytes are not those of an allowed kind with a matching extension."""
    validate_size(upload, max_bytes)
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    name = (upload.name or "").lower()
    for kind in kinds:
        if any(head.startswith(signature) for signature in kind.signatures):
            if not name.endswith(kind.extensions):
                break
            return kind
    raise ValidationError(
        _("Only these files are accepted: %(kinds)s."),
        code="file_type",
        params={"kinds": ", ".join(kind.label for kind in kinds)},
    )
