from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet

from accounts.models import Organisation, Role, User


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


def organisation_admins(organisation_ids: Iterable[int]) -> QuerySet[User]:
    """Whom the platform mails about an organisation's business: its active administrators
    who have an e-mail address, in a stable order."""
    return (
        User.objects.filter(
            organisation_id__in=list(organisation_ids), is_organisation_admin=True, is_active=True
        )
        .exclude(email="")
        .order_by("pk")
    )


def organisation_admin_emails(organisation_ids: Iterable[int]) -> list[str]:
    return list(organisation_admins(organisation_ids).values_list("email", flat=True))
