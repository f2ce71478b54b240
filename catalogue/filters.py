import django_filters
from django.utils.translation import gettext_lazy as _

from accounts.filters import approval_department_filter
from catalogue.models import FeeMode, ServiceItem


class ServiceItemFilter(django_filters.FilterSet):
    """The public catalogue's filters. The text box is searched by the catalogue view through
    the search backend (Chinese-aware), not filtered here."""

    q = django_filters.CharFilter(label=_("Search"), method="leave_to_search", max_length=100)
    department = approval_department_filter("approval_department")
    fee_mode = django_filters.ChoiceFilter(
        label=_("Fee mode"), choices=FeeMode.choices, empty_label=_("All fee modes")
    )

    class Meta:
        model = ServiceItem
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["q"].widget.attrs.update({"type": "search", "placeholder": _("e.g. 评价")})

    def leave_to_search(self, queryset, name, value):
        return queryset
