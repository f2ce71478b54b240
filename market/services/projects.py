from typing import cast

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from accounts.permissions import require
from core.exceptions import ApplicationError
from market.models import Project


@transaction.atomic
def project_create(
    *,
    actor: User,
    name: str,
    investment_code: str,
    region: str,
    funding: str,
    is_special_or_major: bool = False,
) -> Project:
    """Raises ApplicationError if the actor is not a project owner ("not_owner"), a field is
    missing, or the investment project code is already registered ("invalid")."""
    require("market.register_project", actor)
    errors: dict[str, list[str]] = {}
    for field, value in (("name", name), ("investment_code", investment_code), ("region", region)):
        if not (value or "").strip():
            errors[field] = [_("This field is required.")]
    if funding not in Project.Funding.values:
        errors["funding"] = [_("Please choose how the project is funded.")]
    if investment_code and Project.objects.filter(investment_code=investment_code.strip()).exists():
        errors["investment_code"] = [_("A project with this code is already registered.")]
    if errors:
        raise ApplicationError(_("Please correct the errors below."), code="invalid", extra=errors)
    return Project.objects.create(
        owner=cast(Organisation, actor.organisation),  # require() refused anyone without
        name=name.strip(),
        investment_code=investment_code.strip(),
        region=region.strip(),
        funding=funding,
        is_special_or_major=is_special_or_major,
    )
