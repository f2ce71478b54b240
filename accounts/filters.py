import django_filters
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from accounts.selectors import organisation_list


def approval_department_filter(field_name: str) -> django_filters.ModelChoiceFilter:
    """A list filter by approval department, reached from the listed model by `field_name`."""
    return django_filters.ModelChoiceFilter(
        label=_("Approval department"),
        field_name=field_name,
        queryset=organisation_list(kind=Organisation.Kind.APPROVAL_DEPARTMENT),
        empty_label=_("All departments"),
    )
