import django_filters
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract
from contracts.selectors import PUBLIC_CONTRACT_STATUSES, contract_public_search


class ContractPublicFilter(django_filters.FilterSet):
    """The public contract list's filters: a number, or part of a project's or an agency's
    name, and the status."""

    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=100)
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[(status.value, status.label) for status in PUBLIC_CONTRACT_STATUSES],
        empty_label=_("All"),
    )

    class Meta:
        model = Contract
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": _("Number, project or agency")}
        )

    def search(self, queryset, name, value):
        return contract_public_search(queryset, value)
