"""Regulators answer objections (质疑) in the back office; the answer is published with the
notice, and an upheld objection sets the award aside (market/services/selection.py)."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from accounts.models import Role
from core.exceptions import ApplicationError
from core.forms import apply_application_error
from market.models import Objection
from market.services.selection import objection_answer


def is_regulator(user) -> bool:
    return user.is_authenticated and user.role == Role.REGULATOR


class RegulatorOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if not is_regulator(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ObjectionListView(RegulatorOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "market/admin/objection_list.html"
    page_title = _("Objections")
    header_icon = "warning"

    def get_context_data(self, **kwargs):
        objections = Objection.objects.select_related("request__service_item", "filed_by").order_by(
            "status", "filed_at"
        )
        page = Paginator(objections, 20).get_page(self.request.GET.get("page"))
        return super().get_context_data(page=page, **kwargs)


class ObjectionAnswerForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[
            ("no", _("Dismissed: the award stands")),
            ("yes", _("Upheld: set the award aside")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label=_("Answer (published)"), widget=forms.Textarea(attrs={"rows": 5})
    )


class ObjectionAnswerView(RegulatorOnlyMixin, WagtailAdminTemplateMixin, FormView):
    template_name = "market/admin/objection_answer.html"
    form_class = ObjectionAnswerForm
    page_title = _("Answer an objection")
    header_icon = "warning"

    def get_context_data(self, **kwargs):
        objection = get_object_or_404(
            Objection.objects.select_related("request__service_item", "request__winner"),
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
