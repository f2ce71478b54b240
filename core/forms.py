from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect

from core.exceptions import ApplicationError
from core.kept_uploads import UploadKeeper
from core.models import Region


def apply_application_error(form: forms.BaseForm, error: ApplicationError) -> None:
    """Show a service's error on the form: field details at their fields, the message on top."""
    placed = False
    for field, field_messages in error.extra.items():
        if field in form.fields:
            for message in field_messages if isinstance(field_messages, list) else [field_messages]:
                form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


def handle_form(
    request: HttpRequest,
    form: forms.BaseForm,
    action: Callable[[dict], Any],
    *,
    success: str | Callable[[Any], str],
    redirect_to: str | Callable[[Any], HttpResponse],
    keeper: UploadKeeper | None = None,
) -> HttpResponse | None:
    """The one pattern for a page with a form: on a valid POST, run the service (`action`
    receives the cleaned data), then say so and redirect. Returns None when the page should be
    shown again — a GET, an invalid form, or a service's refusal, which is put on the form
    beside the other errors so that all of them show at once. With a `keeper`, the files of a
    failed submission are kept for the next one (core/kept_uploads.py)."""
    if request.method != "POST":
        return None
    if keeper is not None:
        keeper.restore(form)
    if not form.is_valid():
        if keeper is not None:
            keeper.keep(form)
        return None
    try:
        result = action(form.cleaned_data)
    except ApplicationError as error:
        apply_application_error(form, error)
        if keeper is not None:
            keeper.keep(form)
        return None
    if keeper is not None:
        keeper.discard(form)
    messages.success(request, success(result) if callable(success) else success)
    return redirect_to(result) if callable(redirect_to) else redirect(redirect_to)


class ServiceActionMixin:
    """The class-based form of `handle_form`, for back-office pages: a valid form runs one
    service (`act`, given the cleaned data), says `get_done_message()` and goes to
    `get_success_url()`; a refusal goes back onto the form beside the other errors."""

    def act(self, data: dict) -> Any:
        raise NotImplementedError

    def get_done_message(self) -> str:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.act(form.cleaned_data)
        except ApplicationError as error:
            apply_application_error(form, error)
            if hasattr(self, "get_error_message"):
                # Wagtail's generic model views draw their error banner from these, which
                # only their own validation sets.
                self.produced_error_code = error.code
                self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        messages.success(self.request, self.get_done_message())
        # A URL, never a view name: redirect() would try to reverse a bare word from ?next=.
        return HttpResponseRedirect(self.get_success_url())


def is_row_id(value: Any) -> bool:
    text = str(value).strip()
    return text.isascii() and text.isdigit() and int(text) < 2**63


class RowChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose text that no database row could have as its id — not digits,
    or past 64 bits, which SQLite refuses to compare at all — is an invalid choice, never a
    server error."""

    def to_python(self, value):
        if value not in self.empty_values and not is_row_id(value):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class RowMultipleChoiceField(forms.ModelMultipleChoiceField):
    """The same for several choices."""

    def _check_values(self, value):
        for each in value:
            if not is_row_id(each):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": each},
                )
        return super()._check_values(value)


class _RegionLabels:
    def label_from_instance(self, obj: Any) -> str:
        # Choices come in tree order (Region's ordering), so indenting by depth draws the tree.
        return obj.tree_label


class RegionChoiceField(_RegionLabels, RowChoiceField):
    """One area, chosen from the region tree."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Region.objects.all(), **kwargs)


class RegionMultipleChoiceField(_RegionLabels, RowMultipleChoiceField):
    """Several areas, chosen from the region tree."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Region.objects.all(), **kwargs)


def decision_field(*, label, yes, no) -> forms.TypedChoiceField:
    """A regulator's two-way decision as radio buttons, cleaned to True (`yes`) or False
    (`no`); nothing is chosen until the regulator chooses."""
    return forms.TypedChoiceField(
        label=label,
        choices=[("1", yes), ("0", no)],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
