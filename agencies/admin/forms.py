"""Back-office forms for the roster: the reviewer's actions and the staff-register upload."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Organisation
from agencies.models import Affiliation
from agencies.services.affiliations import DEPARTMENT_KINDS
from agencies.services.status import legally_required_qualification_types
from catalogue.models import QualificationType
from core.forms import RowMultipleChoiceField


class ApproveForm(forms.Form):
    reason = forms.CharField(label=_("Note (optional)"), required=False, widget=forms.Textarea)


class RejectForm(forms.Form):
    cited_qualification_types = RowMultipleChoiceField(
        label=_("Legally required qualifications missing or invalid"),
        queryset=legally_required_qualification_types().order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Only a legally required qualification can be a reason to return an agency."),
    )
    reason = forms.CharField(
        label=_("Explanation (optional)"), required=False, widget=forms.Textarea
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea)
    confirm = forms.BooleanField(label=_("I confirm this change of status."))


class StaffRegisterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Register file (CSV or Excel .xlsx)"),
        help_text=_("Two columns with the headers 身份证号 (ID number) and 单位 (department)."),
    )
    replace = forms.BooleanField(
        label=_("This file is the whole register: remove everyone not in it"),
        required=False,
        initial=True,
    )


class CertificateRegisterUploadForm(forms.Form):
    qualification_type = forms.ModelChoiceField(
        label=_("Qualification"), queryset=QualificationType.objects.order_by("name")
    )
    source = forms.CharField(
        label=pgettext_lazy("issuing authority's list", "Register"),
        max_length=150,
        help_text=_(
            "Who published it and when, e.g. 四川省自然资源厅测绘资质单位名录（2026-12-01）."
        ),
    )
    file = forms.FileField(
        label=_("The issuing authority's list (CSV or Excel .xlsx)"),
        help_text=_(
            "Columns with the headers 证书编号, 统一社会信用代码, 资质等级 and 有效期至; "
            "证书状态 is optional (有效 or empty for a certificate in force)."
        ),
    )


class TieRecordForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of tie"), choices=Affiliation.Kind.choices)
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Organisation.objects.filter(kind__in=DEPARTMENT_KINDS).order_by("name"),
    )
    parent_name = forms.CharField(label=_("State-owned parent company"), required=False)
    finding = forms.CharField(
        label=_("What was found"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown on the agency's public record."),
    )


class TieEndForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the tie has ended"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown on the agency's public record, beside the tie."),
    )


class CertificateVerifyForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example the issuing authority's record you checked it against."),
    )


class CertificateRefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the certificate is not verified"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown on the agency's public record."),
    )
