"""The regulators' complaint desk (R12): the queue with its due dates, overdue ones marked;
one complaint with its evidence, its steps, and the forms that acknowledge it, note progress
and answer it; and the way to a violation when the complaint shows one. Regulators only;
credit/services/complaints.py asks again."""

from django.core.paginator import Paginator
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView, View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from accounts.mixins import RegulatorMenuItem, RegulatorRequiredMixin
from core.files import serve_private
from core.forms import ServiceActionMixin
from credit.admin.complaint_forms import (
    AcknowledgeForm,
    AnswerForm,
    ProgressNoteForm,
    QueueFilterForm,
)
from credit.complaint_selectors import complaint_queue, complaint_timing
from credit.models import Complaint
from credit.services.complaints import (
    complaint_acknowledge,
    complaint_answer,
    complaint_progress_note,
)

LIST_PAGE_SIZE = 20


class ComplaintMenuItem(RegulatorMenuItem):
    pass


def _crumbs() -> list[dict]:
    return [
        {"url": reverse("wagtailadmin_home"), "label": _("Home")},
        {"url": reverse("complaints_admin:list"), "label": _("Complaints")},
    ]


def violation_form_url(complaint: Complaint) -> str:
    """The regulator's violation form (credit/hooks/sanctions.py), opened from this
    complaint: the violation it records is linked to it and shown among its steps."""
    return f"{reverse('violations:record')}?complaint={complaint.pk}"


class ComplaintListView(RegulatorRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """Complaints not yet answered by their next due date (or any status asked for), with
    overdue ones marked by today's Beijing date."""

    template_name = "credit/admin/complaints/list.html"
    page_title = _("Complaints")
    header_icon = "warning"

    def get_breadcrumbs_items(self):
        return [_crumbs()[0], {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filters = QueueFilterForm(self.request.GET or None)
        chosen = filters.cleaned_data if filters.is_valid() else {}
        page = Paginator(
            complaint_queue(
                status=chosen.get("status") or "open", category=chosen.get("category") or ""
            ),
            LIST_PAGE_SIZE,
        ).get_page(self.request.GET.get("p"))
        query = self.request.GET.copy()
        query.pop("p", None)
        context.update(
            filters=filters,
            page_obj=page,
            complaints=page.object_list,
            query_string=query.urlencode(),
        )
        return context


class _ComplaintMixin(RegulatorRequiredMixin):
    template_name = "credit/admin/complaints/detail.html"
    header_icon = "warning"

    def dispatch(self, request, *args, **kwargs):
        self.complaint = (
            Complaint.objects.select_related(
                "agency__organisation", "purchase_request", "contract", "complainant", "handled_by"
            )
            .prefetch_related("events__actor", "violations__agency__organisation")
            .filter(pk=kwargs["pk"])
            .first()
        )
        if self.complaint is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Complaint %(number)s") % {"number": self.complaint.number}

    def get_breadcrumbs_items(self):
        return [*_crumbs(), {"url": "", "label": self.complaint.number}]

    def complaint_context(self, **bound) -> dict:
        """The page's facts and its forms, each unbound unless `bound` brings it back with
        its errors."""
        forms = {
            "acknowledge_form": AcknowledgeForm(),
            "note_form": ProgressNoteForm(),
            "answer_form": AnswerForm(),
            **bound,
        }
        return {
            "complaint": self.complaint,
            "timing": complaint_timing(self.complaint),
            "violation_url": violation_form_url(self.complaint),
            **forms,
        }


class ComplaintDetailView(_ComplaintMixin, WagtailAdminTemplateMixin, TemplateView):
    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **self.complaint_context()}


class _ComplaintActionView(
    _ComplaintMixin, ServiceActionMixin, WagtailAdminTemplateMixin, FormView
):
    """A POST from one of the detail page's forms; a refusal shows the page again with that
    form's errors."""

    http_method_names = ["post"]
    form_slot = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return {**context, **self.complaint_context(**{self.form_slot: context["form"]})}

    def get_success_url(self):
        return reverse("complaints_admin:detail", args=[self.complaint.pk])


class ComplaintAcknowledgeView(_ComplaintActionView):
    form_class = AcknowledgeForm
    form_slot = "acknowledge_form"

    def act(self, data):
        complaint_acknowledge(actor=self.request.user, complaint=self.complaint, note=data["note"])

    def get_done_message(self):
        return _("The complaint is acknowledged; the complainant is told.")


class ComplaintNoteView(_ComplaintActionView):
    form_class = ProgressNoteForm
    form_slot = "note_form"

    def act(self, data):
        complaint_progress_note(
            actor=self.request.user, complaint=self.complaint, note=data["note"]
        )

    def get_done_message(self):
        return _("The progress is noted; the complainant is told.")


class ComplaintAnswerView(_ComplaintActionView):
    form_class = AnswerForm
    form_slot = "answer_form"

    def act(self, data):
        complaint_answer(
            actor=self.request.user,
            complaint=self.complaint,
            outcome=data["outcome"],
            answer=data["answer"],
        )

    def get_done_message(self):
        return _("The complaint is answered; the complainant is told.")


class ComplaintEvidenceView(_ComplaintMixin, View):
    """The complainant's evidence, to regulators only (the mixin's check), never cached."""

    def get(self, request, *args, **kwargs):
        if not self.complaint.evidence:
            raise Http404
        return serve_private(
            request,
            self.complaint.evidence,
            download_name=f"{self.complaint.number}-evidence",
        )
