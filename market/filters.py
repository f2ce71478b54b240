import django_filters
from django.utils.translation import gettext_lazy as _

from accounts.filters import approval_department_filter
from catalogue.selectors import service_item_published
from market.models import PurchaseRequest, SelectionMethod

PUBLIC_STATUSES = [
    (value, label) for value, label in PurchaseRequest.Status.choices if value != "draft"
]


class ServiceItemChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.code} {obj.name}"


class ServiceItemChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = ServiceItemChoiceField


class NoticeFilter(django_filters.FilterSet):
    """The public notice list's filters."""

    item = ServiceItemChoiceFilter(
        label=_("Service"),
        field_name="service_item",
        queryset=service_item_published().select_related(None),
        empty_label=_("All services"),
    )
    department = approval_department_filter("service_item__approval_department")
    method = django_filters.ChoiceFilter(
        label=_("Selection method"),
        field_name="selection_method",
        choices=SelectionMethod.choices,
        empty_label=_("All methods"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=PUBLIC_STATUSES, empty_label=_("All")
    )

    class Meta:
        model = PurchaseRequest
        fields: list[str] = []


class OwnerRequestFilter(django_filters.FilterSet):
    """The owner's own list of requests, by status."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=PurchaseRequest.Status.choices, empty_label=_("All")
    )

    class Meta:
        model = PurchaseRequest
        fields: list[str] = []
