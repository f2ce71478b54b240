"""The regulators' back office for sanctions (R11): the violations on record, recording one
(on their own finding or from a complaint), deciding appeals, putting an agency on the
blacklist with the persons banned with it, and the queue of credit repair requests.
Regulators only; the services in credit/services ask again."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from accounts.mixins import RegulatorMenuItem, RegulatorRequiredMixin
from core.exceptions import ApplicationError
from core.files import serve_private
from core.forms import ServiceActionMixin, apply_application_error
from credit.admin.sanction_forms import (
    AppealDecisionForm,
    BlacklistForm,
    RepairDecisionForm,
    ViolationRecordForm,
)
from credit.models import Complaint, RepairRequest, Violation
from credit.services.blacklist import LISTABLE_SEVERITIES, blacklist_add
from credit.services.repair import repair_decide
from credit.services.violations import violation_appeal_decide, violation_record

LIST_PAGE_SIZE = 20


class SanctionMenuItem(RegulatorMenuItem):
    pass


def _home() -> dict:
    return {"url": reverse("wagtailadmin_home"), "label": _("Home")}


def _violations_crumb() -> dict:
    return {"url": reverse("violations:list"), "label": _("Violations")}


def _violations():
    return Violation.objects.select_related("agency__organisation", "authority")


class ViolationListView(RegulatorRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """Every violation on record, newest first, filtered by status, type, severity and the
    agency's name."""

    template_name = "credit/admin/sanctions/violation_list.html"
    page_title = _("Violations")
    header_icon = "warning"

    def get_breadcrumbs_items(self):
        return [_home(), {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        get = self.request.GET
        violations = _violations()
        # Each filter: (the value asked for, the choices, the "any" option's label).
        filters = {
            "status": (get.get("status", ""), Violation.Status.choices, _("Any status")),
            "kind": (get.get("kind", ""), Violation.Kind.choices, _("Any type")),
            "severity": (get.get("severity", ""), Violation.Severity.choices, _("Any severity")),
        }
        for field, (value, choices, _any) in filters.items():
            if value in dict(choices):
                violations = violations.filter(**{field: value})
        query = get.get("q", "").strip()
        if query:
            violations = violations.filter(
                Q(agency__organisation__name__icontains=query)
                | Q(agency__organisation__credit_code__iexact=query)
            )
        page = Paginator(violations.order_by("-decided_at", "-pk"), LIST_PAGE_SIZE).get_page(
            get.get("p")
        )
        context.update(
            page_obj=page,
            violations=page.object_list,
            filters=filters,
            query=query,
        )
        return context


class ViolationRecordView(
    RegulatorRequiredMixin, ServiceActionMixin, WagtailAdminTemplateMixin, FormView
):
    """Record a violation; `?complaint=<pk>` starts from that complaint (its agency filled
    in, the complaint linked and its progress told)."""

    template_name = "credit/admin/sanctions/violation_record.html"
    form_class = ViolationRecordForm
    page_title = _("Record a violation")
    header_icon = "warning"

    def dispatch(self, request, *args, **kwargs):
        complaint_id = request.GET.get("complaint", "")
        self.complaint = (
            Complaint.objects.filter(pk=complaint_id).first() if complaint_id.isdigit() else None
        )
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        if self.complaint is None:
            return {}
        return {"complaint": self.complaint.pk, "agency": self.complaint.agency_id}

    def get_breadcrumbs_items(self):
        return [_home(), _violations_crumb(), {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "complaint": self.complaint}

    def act(self, data):
        self.recorded = violation_record(
            actor=self.request.user,
            agency=data["agency"],
            kind=data["kind"],
            severity=data["severity"],
            facts=data["facts"],
            evidence=data["evidence"],
            legal_basis=data["legal_basis"],
            authority=data["authority"],
            occurred_on=data["occurred_on"],
            evidence_file=data["evidence_file"],
            complaint=data["complaint"],
        )

    def get_done_message(self):
        return _("The violation is recorded.")

    def get_success_url(self):
        return reverse("violations:detail", args=[self.recorded.pk])


class ViolationDetailView(RegulatorRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """One violation with its appeal, blacklisting and repair requests; the forms to decide
    its appeal and to put its agency on the blacklist, each posted with its `action`."""

    template_name = "credit/admin/sanctions/violation_detail.html"
    page_title = _("Violation")
    header_icon = "warning"

    def dispatch(self, request, *args, **kwargs):
        self.violation = get_object_or_404(_violations(), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [_home(), _violations_crumb(), {"url": "", "label": str(self.violation)}]

    def _forms(self, data=None, action: str = "") -> dict:
        violation = self.violation
        forms = {}
        if violation.status == Violation.Status.APPEALED:
            forms["appeal_form"] = AppealDecisionForm(
                data if action == "appeal" else None, prefix="appeal"
            )
        if (
            violation.status == Violation.Status.IN_FORCE
            and violation.severity in LISTABLE_SEVERITIES
        ):
            forms["blacklist_form"] = BlacklistForm(
                data if action == "blacklist" else None,
                agency=violation.agency,
                prefix="blacklist",
                initial={"authority": violation.authority_id, "legal_basis": violation.legal_basis},
            )
        return forms

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        violation = self.violation
        context.update(
            violation=violation,
            entries=violation.blacklist_entries.select_related("authority").prefetch_related(
                "banned_persons"
            ),
            repairs=violation.repair_requests.select_related("submitted_by", "decided_by"),
            **{**self._forms(), **kwargs.get("bound", {})},
        )
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        forms = self._forms(request.POST, action)
        form = forms.get(f"{action}_form")
        if form is None:
            return HttpResponseRedirect(request.path)
        if form.is_valid():
            try:
                message = self._act(action, form.cleaned_data)
            except ApplicationError as error:
                apply_application_error(form, error)
            else:
                messages.success(request, message)
                return HttpResponseRedirect(request.path)
        return self.render_to_response(self.get_context_data(bound={f"{action}_form": form}))

    def _act(self, action: str, data: dict) -> str:
        actor = self.request.user
        if action == "appeal":
            decided = violation_appeal_decide(
                actor=actor,
                violation=self.violation,
                upheld=data["upheld"],
                decision=data["decision"],
            )
            if decided.status == Violation.Status.IN_FORCE:
                return str(_("The appeal is decided: the violation stays in force."))
            return str(_("The appeal is decided: the violation is annulled."))
        blacklist_add(
            actor=actor,
            violation=self.violation,
            reason=data["reason"],
            authority=data["authority"],
            legal_basis=data["legal_basis"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            persons=data["persons"],
        )
        return str(_("The agency is on the blacklist."))


class ViolationEvidenceView(RegulatorRequiredMixin, View):
    def get(self, request, pk):
        violation = get_object_or_404(Violation, pk=pk)
        if not violation.evidence_file:
            raise Http404
        return serve_private(
            request, violation.evidence_file, download_name=f"violation-{violation.pk}"
        )


def _pending_repairs():
    return RepairRequest.objects.filter(status=RepairRequest.Status.PENDING).select_related(
        "violation__agency__organisation", "submitted_by"
    )


class RepairListView(RegulatorRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """Credit repair requests waiting for a decision, the oldest first, each with its form."""

    template_name = "credit/admin/sanctions/repair_list.html"
    page_title = _("Credit repair requests")
    header_icon = "tick"

    def get_breadcrumbs_items(self):
        return [_home(), {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(
            _pending_repairs().order_by("submitted_at", "pk"), LIST_PAGE_SIZE
        ).get_page(self.request.GET.get("p"))
        context.update(
            page_obj=page,
            rows=[
                (request, RepairDecisionForm(prefix=f"repair-{request.pk}"))
                for request in page.object_list
            ],
        )
        return context


class RepairDecideView(
    RegulatorRequiredMixin, ServiceActionMixin, WagtailAdminTemplateMixin, FormView
):
    template_name = "credit/admin/sanctions/repair_decide.html"
    form_class = RepairDecisionForm
    page_title = _("Decide a credit repair request")
    header_icon = "tick"

    def dispatch(self, request, *args, **kwargs):
        self.repair = get_object_or_404(_pending_repairs(), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_prefix(self):
        return f"repair-{self.repair.pk}"

    def get_breadcrumbs_items(self):
        return [
            _home(),
            {"url": reverse("repairs:list"), "label": _("Credit repair requests")},
            {"url": "", "label": str(self.repair.violation)},
        ]

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "repair": self.repair}

    def act(self, data):
        self.decided = repair_decide(
            actor=self.request.user,
            request=self.repair,
            granted=data["granted"],
            decision=data["decision"],
        )

    def get_done_message(self):
        if self.decided.status == RepairRequest.Status.GRANTED:
            return _("Credit repair is granted.")
        return _("Credit repair is refused.")

    def get_success_url(self):
        return reverse("repairs:list")


class RepairEvidenceView(RegulatorRequiredMixin, View):
    def get(self, request, pk):
        repair = get_object_or_404(RepairRequest, pk=pk)
        if not repair.evidence:
            raise Http404
        return serve_private(request, repair.evidence, download_name=f"repair-{repair.pk}")
