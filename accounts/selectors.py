from django.db.models import Count, Q, QuerySet

from accounts.models import Organisation, Role, User


def user_with_organisation(*, user_id: int) -> User:
    return User.objects.select_related("organisation").get(pk=user_id)


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
