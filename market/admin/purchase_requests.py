"""Every purchase request, for regulators in the back office: who buys what, where it stands,
its deadline and how many quotes came in, and its status history.

Never an amount a quote holds: before opening it is sealed from everyone, and after opening
the public notice shows it, so the detail page links to the notice instead."""

import django_filters
from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from accounts.mixins import RegulatorRequiredMixin
from accounts.models import Organisation, Role
from catalogue.models import ServiceItem
from market.filters import ServiceItemChoiceFilter
from market.models import PurchaseRequest, Quote
from market.selectors import purchase_request_shown_status

PAGE_SIZE = 20


def purchase_requests_for_regulator() -> QuerySet[PurchaseRequest]:
    """All requests, drafts included, newest first, each with the number of quotes standing
    (a count only: receipts are public from the moment they are given)."""
    return (
        PurchaseRequest.objects.select_related("project__owner", "service_item")
        .annotate(
            quote_count=Count("quotes", filter=Q(quotes__status=Quote.Status.SUBMITTED)),
        )
        .order_by("-created_at", "-pk")
    )


class PurchaseRequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=PurchaseRequest.Status.choices, empty_label=_("All")
    )
    item = ServiceItemChoiceFilter(
        label=_("Service"),
        field_name="service_item",
        queryset=ServiceItem.objects.order_by("code"),
        empty_label=_("All services"),
    )
    owner = django_filters.ModelChoiceFilter(
        label=_("Project owner"),
        field_name="project__owner",
        queryset=Organisation.objects.filter(kind=Role.PROJECT_OWNER).order_by("name"),
        empty_label=_("All owners"),
    )
    created_from = django_filters.DateFilter(
        label=_("Created from"),
        field_name="created_at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    created_to = django_filters.DateFilter(
        label=_("Created until"),
        field_name="created_at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = PurchaseRequest
        fields: list[str] = []


class PurchaseRequestListView(RegulatorRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "market/admin/purchase_request_list.html"
    page_title = _("Purchase requests")
    header_icon = "list-ul"

    def get_context_data(self, **kwargs):
        filterset = PurchaseRequestFilter(
            self.request.GET or None, queryset=purchase_requests_for_regulator()
        )
        page = Paginator(filterset.qs, PAGE_SIZE).get_page(self.request.GET.get("p"))
        rows = [(request, purchase_request_shown_status(request)) for request in page]
        return super().get_context_data(
            filter=filterset,
            page_obj=page,
            elided_page_range=page.paginator.get_elided_page_range(page.number),
            rows=rows,
            **kwargs,
        )


class PurchaseRequestDetailView(RegulatorRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "market/admin/purchase_request_detail.html"
    header_icon = "list-ul"

    def get_page_title(self):
        return self.purchase_request.number

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        try:
            self.purchase_request = purchase_requests_for_regulator().get(pk=kwargs["pk"])
        except PurchaseRequest.DoesNotExist:
            raise Http404 from None

    def get_context_data(self, **kwargs):
        purchase_request = self.purchase_request
        return super().get_context_data(
            purchase_request=purchase_request,
            shown_status=purchase_request_shown_status(purchase_request),
            events=purchase_request.status_events.select_related("actor"),
            **kwargs,
        )
