"""Private files: every document people upload (business licences, certificate scans,
proposals) is stored under a random name in a storage no URL points at, and reaches a
browser only through a view that has asked the permission layer first (`serve_private`).

The demo streams the file from Django; production hands the path to the proxy with
X-Accel-Redirect (django-sendfile2's nginx backend, docs/deployment.md), so large files do
not hold a worker. Nothing is ever served from a guessable address."""

import os
import uuid

from django.core.files.storage import FileSystemStorage, InMemoryStorage, storages
from django.core.signals import setting_changed
from django.db.models.fields.files import FieldFile
from django.dispatch import receiver
from django.http import FileResponse, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.deconstruct import deconstructible
from django.utils.functional import LazyObject, empty
from django_sendfile import sendfile


class _NoAddress:
    def url(self, name):
        raise ValueError(
            "A private file has no public address; serve it through a view "
            "(core.files.serve_private)."
        )


class PrivateFileSystemStorage(_NoAddress, FileSystemStorage):
    """The private files on disk (settings.PRIVATE_MEDIA_ROOT)."""


class PrivateInMemoryStorage(_NoAddress, InMemoryStorage):
    """The tests' private files, which never touch the disk."""


class _PrivateStorage(LazyObject):
    """settings.STORAGES["private"], looked up when first used and again after the setting
    changes (a field's storage is fixed when the model class is built)."""

    def _setup(self):
        self._wrapped = storages["private"]


_private = _PrivateStorage()


@receiver(setting_changed)
def _private_storage_reset(*, setting: str, **kwargs) -> None:
    if setting == "STORAGES":
        _private._wrapped = empty


def private_storage():
    """The storage of uploaded documents; a callable, so migrations name the function and
    the backend can be swapped in settings without one."""
    return _private


@deconstructible
class RandomName:
    """upload_to for private files: `<folder>/<32 hex digits><extension>`. The uploader's
    file name — which may name a person or a price — is never part of the path."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        extension = os.path.splitext(filename)[1].lower()[:10]
        return f"{self.folder}/{uuid.uuid4().hex}{extension}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RandomName) and other.folder == self.folder


def serve_private(request: HttpRequest, file: FieldFile, *, download_name: str) -> HttpResponseBase:
    """Send one private file as an attachment named `download_name` plus its extension. The
    caller has already decided the user may have it."""
    name = download_name + os.path.splitext(file.name or "")[1]
    response: HttpResponseBase
    if isinstance(file.storage, FileSystemStorage):
        response = sendfile(request, file.path, attachment=True, attachment_filename=name)
    else:
        # A storage without files on disk (the tests' in-memory one): stream it ourselves.
        response = FileResponse(file.open("rb"), as_attachment=True, filename=name)
    # A private document must not stay in a shared cache or the browser's.
    response["Cache-Control"] = "private, no-store"
    return response
