"""Uploaded files are checked by their content, not by their name or the browser's word."""

import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class FileKind:
    label: str
    extensions: tuple[str, ...]
    signatures: tuple[bytes, ...]
    # A closer look for kinds whose first bytes are shared with others (every Office file is a
    # ZIP): given the upload, says whether its content really is of this kind.
    inspect: Callable[[UploadedFile], bool] | None = None

    @property
    def code(self) -> str:
        """A short, stable name for storing: the first extension without its dot."""
        return self.extensions[0].removeprefix(".")


def _zip_members(upload: UploadedFile) -> set[str]:
    """The names in a ZIP's central directory (nothing is decompressed), or none when it is
    not a readable ZIP."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return set()
    finally:
        upload.seek(0)


def _is_word_document(upload: UploadedFile) -> bool:
    members = _zip_members(upload)
    # The main part of a WordprocessingML package; an XLSX, a PPTX or any other ZIP lacks it.
    # A macro-enabled document (.docm) renamed .docx carries its macros in vbaProject.bin:
    # refused, since a document delivered to an owner must not run code when opened.
    return "word/document.xml" in members and "word/vbaProject.bin" not in members


PDF = FileKind("PDF", (".pdf",), (b"%PDF-",))
JPEG = FileKind("JPEG", (".jpg", ".jpeg"), (b"\xff\xd8\xff",))
PNG = FileKind("PNG", (".png",), (b"\x89PNG\r\n\x1a\n",))
XLSX = FileKind("Excel (.xlsx)", (".xlsx",), (b"PK\x03\x04",))
DOCX = FileKind("Word (.docx)", (".docx",), (b"PK\x03\x04",), inspect=_is_word_document)

SCAN_KINDS = (PDF, JPEG, PNG)
SCAN_MAX_BYTES = 10 * 1024 * 1024

# What an agency may deliver against a contract's milestone (contracts/services/delivery.py).
DELIVERABLE_KINDS = (PDF, DOCX, JPEG, PNG)
DELIVERABLE_MAX_BYTES = 50 * 1024 * 1024


def deliverable_max_bytes() -> int:
    """The size limit of a deliverable: settings.DELIVERABLE_MAX_BYTES, else 50 MB."""
    return int(getattr(settings, "DELIVERABLE_MAX_BYTES", DELIVERABLE_MAX_BYTES))


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
    """Return the kind of file this is; raise ValidationError if it is too big ("file_too_large"),
    or unless its extension, its first bytes and (for a kind that has one) a look inside all
    say the same allowed kind ("file_type")."""
    validate_size(upload, max_bytes)
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    name = (upload.name or "").lower()
    for kind in kinds:
        # Kinds may share first bytes (DOCX and XLSX are both ZIPs), so the name picks the
        # kind to test and the content must then prove it.
        if not name.endswith(kind.extensions):
            continue
        if not any(head.startswith(signature) for signature in kind.signatures):
            continue
        if kind.inspect is not None and not kind.inspect(upload):
            continue
        return kind
    raise ValidationError(
        _("Only these files are accepted: %(kinds)s."),
        code="file_type",
        params={"kinds": ", ".join(kind.label for kind in kinds)},
    )
