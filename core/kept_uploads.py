"""Uploads kept across a failed submission, so nobody chooses the same file twice.

A browser never puts a file back into a form shown again. So when a form with file fields
fails, each file that passed its own checks is stored in private storage under a random name,
and the form is shown again with a signed token in a hidden input beside the file input ("已上传：
licence.pdf — choose again to replace it"). On the next submission a file input left empty takes
the kept file; a newly chosen file always wins.

The token names the stored file and the person it was kept for: the signed-in user, else the
session. It is signed with a salt per field (a token moved to another field is refused) and
expires with the files, which `kept_uploads_delete_expired` deletes after a day.

    keeper = UploadKeeper(request)
    keeper.restore(form, *formset.forms)   # before validation
    ...                                    # validate, run the service
    keeper.keep(form, *formset.forms)      # after a failure: keep what passed
    keeper.discard(form, *formset.forms)   # after a success: the kept copies are not needed

`core.forms.handle_form` does all three for a page with one form (`keeper=`)."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.files import RandomName, private_storage
from core.uploads import validate_upload

FOLDER = "kept-uploads"
MAX_AGE = datetime.timedelta(days=1)
# The hidden input beside a file input `<name>` is `<name>__kept`.
KEPT_INPUT_SUFFIX = "__kept"

REFUSED_MESSAGE = _("The file uploaded earlier can no longer be used; please choose it again.")


@dataclass(frozen=True)
class KeptUpload:
    """What the form shows again for one file field: the hidden input and the file's name."""

    token_input: str
    token: str
    name: str


class KeptFile(UploadedFile):
    """A kept file, handed to the form as if it had just been uploaded."""

    def __init__(self, *, stored_name: str, name: str) -> None:
        storage = private_storage()
        super().__init__(
            file=storage.open(stored_name, "rb"), name=name, size=storage.size(stored_name)
        )
        self.stored_name = stored_name


def _salt(input_name: str) -> str:
    return f"core.kept_uploads:{input_name}"


def kept_uploads_of(form: forms.BaseForm) -> dict[str, KeptUpload]:
    """The files kept for a form, by field name, as templates/includes/form.html shows them."""
    return getattr(form, "kept_uploads", {})


def _set_kept_uploads(form: forms.BaseForm, kept: dict[str, KeptUpload]) -> None:
    # An attribute of the form, so that the form travels to the template with its files.
    form.kept_uploads = kept  # type: ignore[attr-defined]


def _file_fields(form: forms.BaseForm) -> list[str]:
    return [name for name, field in form.fields.items() if isinstance(field, forms.FileField)]


class UploadKeeper:
    """Keeps the uploads of one request's forms for the person who sent them.

    `check` is what a file must pass to be kept, besides its field having no error: the scan
    check (PDF, JPEG or PNG, at most 10 MB) unless told otherwise."""

    def __init__(
        self,
        request: HttpRequest,
        *,
        check: Callable[[UploadedFile], object] = validate_upload,
    ) -> None:
        self.request = request
        self.check = check

    @property
    def owner(self) -> str:
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated:
            return f"user:{user.pk}"
        session = self.request.session
        if session.session_key is None:
            # Only on a POST (the keeper is used on failed submissions): a GET never writes.
            session.save()
        return f"session:{session.session_key}"

    def restore(self, *forms_: forms.BaseForm) -> None:
        """Put kept files into the file fields left empty, then validate the forms; a token
        that is forged, expired, another person's or whose file is gone becomes an error at
        its field ("kept_upload_invalid", "kept_upload_not_yours", "kept_upload_gone")."""
        for form in forms_:
            if not form.is_bound:
                continue
            refusals: dict[str, ValidationError] = {}
            restored: dict[str, KeptUpload] = {}
            for name in _file_fields(form):
                input_name = form.add_prefix(name)
                token = form.data.get(input_name + KEPT_INPUT_SUFFIX)
                if not token or form.files.get(input_name):
                    continue
                try:
                    kept = self._load(input_name, token)
                except ValidationError as error:
                    refusals[name] = error
                    continue
                form.files = form.files.copy()
                form.files[input_name] = kept
                restored[name] = KeptUpload(input_name + KEPT_INPUT_SUFFIX, token, kept.name or "")
            _set_kept_uploads(form, restored)
            # Validate now, so that the refusals stand beside the form's own errors.
            form.full_clean()
            for name, refusal in refusals.items():
                form.add_error(name, refusal)

    def keep(self, *forms_: forms.BaseForm) -> None:
        """After a failed submission: store each new upload whose field has no error and
        which passes the check, and note what to show again for it."""
        for form in forms_:
            if not form.is_bound:
                continue
            earlier = kept_uploads_of(form)
            kept: dict[str, KeptUpload] = {}
            _set_kept_uploads(form, kept)
            for name in _file_fields(form):
                if form.has_error(name):
                    continue
                if name in earlier:
                    kept[name] = earlier[name]
                    continue
                upload = form.files.get(form.add_prefix(name))
                if not isinstance(upload, UploadedFile) or not self._passes(upload):
                    continue
                input_name = form.add_prefix(name)
                stored_name = private_storage().save(
                    RandomName(FOLDER)(None, upload.name or ""), upload
                )
                token = signing.dumps(
                    {"file": stored_name, "name": upload.name, "owner": self.owner},
                    salt=_salt(input_name),
                )
                kept[name] = KeptUpload(input_name + KEPT_INPUT_SUFFIX, token, upload.name or "")

    def discard(self, *forms_: forms.BaseForm) -> None:
        """After a success: delete the kept files the forms used (they have been copied to
        where they belong)."""
        for form in forms_:
            for name in _file_fields(form):
                upload = form.files.get(form.add_prefix(name))
                if isinstance(upload, KeptFile):
                    upload.close()
                    private_storage().delete(upload.stored_name)

    def _passes(self, upload: UploadedFile) -> bool:
        try:
            self.check(upload)
        except ValidationError:
            return False
        return True

    def _load(self, input_name: str, token: str) -> KeptFile:
        try:
            payload = signing.loads(token, salt=_salt(input_name), max_age=MAX_AGE)
            stored_name, name, owner = payload["file"], payload["name"], payload["owner"]
        except (signing.BadSignature, KeyError, TypeError) as exc:
            raise ValidationError(REFUSED_MESSAGE, code="kept_upload_invalid") from exc
        if owner != self.owner:
            raise ValidationError(REFUSED_MESSAGE, code="kept_upload_not_yours")
        if not stored_name.startswith(FOLDER + "/") or not private_storage().exists(stored_name):
            raise ValidationError(REFUSED_MESSAGE, code="kept_upload_gone")
        return KeptFile(stored_name=stored_name, name=name)


def kept_uploads_delete_expired(*, now: datetime.datetime | None = None) -> int:
    """Delete the kept files older than a day (their tokens have expired too); returns how
    many were deleted."""
    storage = private_storage()
    cutoff = (now or timezone.now()) - MAX_AGE
    try:
        _, names = storage.listdir(FOLDER)
    except FileNotFoundError:
        return 0
    deleted = 0
    for name in names:
        path = f"{FOLDER}/{name}"
        if storage.get_modified_time(path) < cutoff:
            storage.delete(path)
            deleted += 1
    return deleted
