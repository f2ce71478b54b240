from django.db.models import Count, Q, QuerySet

from accounts.models import Organisation, Role


def organisation_list(*, kind: Role | None = None) -> QuerySet[Organisation]:
    organisations = Organisation.objects.all()
    if kind is not None:
        organisations = organisations.filter(kind=kind)
    return organisations.order_by("name")


def organisation_counts() -> dict[str, int]:
    """How many organisations of each kind there are, in one query."""
    return Organisation.objects.aggregate(
        **{kind.value: Count("pk", filter=Q(kind=kind)) for kind in Role}
    )
