"""Regulators answer objections (质疑) in the back office; the answer is published with the
notice, and an upheld objection sets the award aside (market/services/selection.py)."""

from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from accounts.mixins import RegulatorRequiredMixin
from core.exceptions import ApplicationError
from core.forms import apply_application_error
from market.admin.forms import ObjectionAnswerForm
from market.models import Objection
from market.services.selection import objection_answer


class ObjectionListView(RegulatorRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "market/admin/objection_list.html"
    page_title = _("Objections")
    header_icon = "warning"

    def get_context_data(self, **kwargs):
        objections = Objection.objects.select_related(
            "purchase_request__service_item", "filed_by"
        ).order_by("status", "filed_at")
        page = Paginator(objections, 20).get_page(self.request.GET.get("page"))
        return super().get_context_data(page=page, **kwargs)


class ObjectionAnswerView(RegulatorRequiredMixin, WagtailAdminTemplateMixin, FormView):
    template_name = "market/admin/objection_answer.html"
    form_class = ObjectionAnswerForm
    page_title = _("Answer an objection")
    header_icon = "warning"

    def get_context_data(self, **kwargs):
        objection = get_object_or_404(
            Objection.objects.select_related(
                "purchase_request__service_item", "purchase_request__winner"
            ),
            pk=self.kwargs["pk"],
        )
        return super().get_context_data(objection=objection, **kwargs)

    def form_valid(self, form):
        objection = get_object_or_404(Objection, pk=self.kwargs["pk"])
        try:
            objection_answer(
                actor=self.request.user,
                objection=objection,
                upheld=form.cleaned_data["upheld"],
                answer=form.cleaned_data["answer"],
            )
        except ApplicationError as exc:
            apply_application_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The answer is published with the notice."))
        return HttpResponseRedirect(reverse("market_objections:list"))
