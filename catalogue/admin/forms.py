import re

from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from catalogue.models import QualificationType, ServiceItem
from catalogue.services import (
    CONTENT_FIELDS,
    requirements_format,
    requirements_parse,
    service_item_planned_content,
)
from core.exceptions import ApplicationError

REQUIREMENTS_HELP = _(
    "One alternative per line (or separated by |); an agency holding any one alternative "
    "qualifies. Join qualifications needed together with +, and give the minimum grade after "
    "a colon, e.g. 测绘资质:乙级+工程勘察资质:丙级. Leave empty when no qualification is "
    "needed."
)

# The form's own fields for what a service reports under another name.
SERVICE_ERROR_FIELDS = {
    "requirements": "requirements_text",
    "effective_date": "change_effective_date",
    "reason": "change_reason",
}


def service_error_for_form(error: ApplicationError) -> ApplicationError:
    """The same error with its field names as the back-office form spells them."""
    extra = {SERVICE_ERROR_FIELDS.get(key, key): value for key, value in error.extra.items()}
    return ApplicationError(error.message, code=error.code, extra=extra)


class ServiceItemAdminForm(WagtailAdminModelForm):
    """A catalogue item in the back office. It only collects the content; the services in
    catalogue/services/items.py decide whether and how it is saved (draft, or a version)."""

    requirements_text = forms.CharField(
        label=_("Required qualifications"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=REQUIREMENTS_HELP,
    )
    change_effective_date = forms.DateField(
        label=_("Effective date of this change"),
        required=False,
        help_text=_(
            "Today or later. A later date is published now as scheduled and applies on that day."
        ),
    )
    change_reason = forms.CharField(
        label=_("Reason for this change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown in the public adjustment log."),
    )

    class Meta:
        model = ServiceItem
        fields = list(CONTENT_FIELDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        item = self.instance
        self.is_published = item.pk is not None and item.status == ServiceItem.Status.PUBLISHED
        if item.pk is None or item.status == ServiceItem.Status.DRAFT:
            del self.fields["change_effective_date"]
            del self.fields["change_reason"]
        else:
            self.fields["code"].disabled = True
        if item.pk is None:
            return
        # A published item is edited from what it will be once its scheduled changes apply,
        # the base the next change builds on.
        values, specs = service_item_planned_content(service_item=item)
        for field in CONTENT_FIELDS:
            value = values[field]
            self.initial[field] = value.pk if field == "approval_department" else value
        self.initial["requirements_text"] = requirements_format(specs).replace("|", "\n")
        if self.is_published:
            self.initial.setdefault("change_effective_date", timezone.localdate())

    def clean_requirements_text(self):
        text = self.cleaned_data["requirements_text"]
        try:
            self.cleaned_data["requirement_specs"] = requirements_parse(text)
        except ApplicationError as error:
            raise forms.ValidationError(error.extra.get("requirements", error.message)) from None
        return text

    def item_values(self) -> dict:
        return {field: self.cleaned_data.get(field) for field in CONTENT_FIELDS}

    def requirement_specs(self) -> list:
        return self.cleaned_data.get("requirement_specs", [])


class PublishForm(forms.Form):
    reason = forms.CharField(
        label=_("Note for the adjustment log"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional; “Published in the catalogue” when left empty."),
    )


class RetireForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for retiring"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown in the public adjustment log."),
    )


class CatalogueImportForm(forms.Form):
    file = forms.FileField(
        label=_("Catalogue file"), help_text=_("CSV (UTF-8 or GBK) or Excel .xlsx.")
    )
    effective_date = forms.DateField(
        label=_("Effective date of the changes"),
        help_text=_("For changes to published items; a later date schedules them."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        help_text=_("Recorded with every change to a published item."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["effective_date"].initial = timezone.localdate()
        self.fields["reason"].initial = _("Bulk import")

    def clean_effective_date(self):
        date = self.cleaned_data["effective_date"]
        if date < timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the past."))
        return date


_GRADE_SPLIT = re.compile(r"[\n,，、;；]+")


class GradesField(forms.CharField):
    """Grades typed one per line or as a comma list, highest first; stored as a list."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        # CharField checks for NUL on the cleaned value, here a list, where it cannot see it.
        ProhibitNullCharactersValidator()(text)
        grades = [grade.strip() for grade in _GRADE_SPLIT.split(text or "") if grade.strip()]
        if len(set(grades)) != len(grades):
            raise forms.ValidationError(_("A grade is listed twice."))
        return grades


class QualificationTypeAdminForm(WagtailAdminModelForm):
    grades = GradesField(
        label=_("Grades, highest first"),
        required=False,
        help_text=_(
            "One per line or separated by commas, e.g. 甲级, 乙级, 丙级. Leave empty "
            "where the qualification has no grades."
        ),
    )

    class Meta:
        model = QualificationType
        fields = ["code", "name", "grades", "legal_basis"]
