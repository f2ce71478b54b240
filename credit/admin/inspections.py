"""Regulators' back-office pages for inspections (双随机、一公开, R11): the list of the results
recorded and the form to record one. Regulators only; credit/services/inspections.py asks
again."""

from django import forms
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from accounts.mixins import RegulatorMenuItem, RegulatorRequiredMixin
from accounts.models import Organisation
from agencies.models import Agency
from core.forms import RowChoiceField, ServiceActionMixin
from credit.models import Inspection
from credit.services.inspections import INSPECTING_KINDS, inspection_record

LIST_PAGE_SIZE = 20


class InspectionMenuItem(RegulatorMenuItem):
    pass


def _crumbs() -> list[dict]:
    return [
        {"url": reverse("wagtailadmin_home"), "label": _("Home")},
        {"url": reverse("credit_inspections:list"), "label": _("Inspections")},
    ]


class InspectionListView(RegulatorRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """Every inspection recorded, the latest first."""

    template_name = "credit/admin/inspections/list.html"
    page_title = _("Inspections")
    header_icon = "doc-full"

    def get_breadcrumbs_items(self):
        return [_crumbs()[0], {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        inspections = Inspection.objects.select_related("agency__organisation", "authority")
        page = Paginator(inspections.order_by("-inspected_on", "-pk"), LIST_PAGE_SIZE).get_page(
            self.request.GET.get("p")
        )
        context.update(page_obj=page, inspections=page.object_list)
        return context


class InspectionForm(forms.Form):
    """The agency is found by its unified social credit code (the roster may hold thousands).
    The other fields are checked by the service, which reports every problem at once."""

    credit_code = forms.CharField(label=_("Agency's unified social credit code"), max_length=18)
    inspected_on = forms.DateField(
        label=_("Inspected on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    authority = RowChoiceField(
        label=_("Inspecting authority"),
        queryset=Organisation.objects.filter(kind__in=INSPECTING_KINDS).order_by("name"),
        required=False,
    )
    result = forms.ChoiceField(
        label=_("Result"), choices=[("", "—"), *Inspection.Result.choices], required=False
    )
    findings = forms.CharField(
        label=_("Findings"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Published on the agency's credit page."),
    )

    def clean_credit_code(self):
        code = self.cleaned_data["credit_code"].strip().upper()
        agency = (
            Agency.objects.select_related("organisation")
            .filter(organisation__credit_code=code)
            .first()
        )
        if agency is None:
            raise forms.ValidationError(_("No agency on the roster has this code."))
        self.cleaned_data["agency"] = agency
        return code


class InspectionRecordView(
    RegulatorRequiredMixin, ServiceActionMixin, WagtailAdminTemplateMixin, FormView
):
    template_name = "credit/admin/inspections/new.html"
    form_class = InspectionForm
    page_title = _("Record an inspection")
    header_icon = "doc-full"

    def get_breadcrumbs_items(self):
        return [*_crumbs(), {"url": "", "label": self.page_title}]

    def get_initial(self):
        return {"authority": self.request.user.organisation_id}

    def act(self, data):
        self.recorded = inspection_record(
            actor=self.request.user,
            agency=data["agency"],
            inspected_on=data["inspected_on"],
            authority=data["authority"],
            result=data["result"],
            findings=data["findings"],
        )

    def get_done_message(self):
        return _("The inspection of %(agency)s is recorded and published.") % {
            "agency": self.recorded.agency
        }

    def get_success_url(self):
        return reverse("credit_inspections:list")
