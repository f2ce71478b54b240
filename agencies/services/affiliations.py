"""Ties an agency declares to a government department (R4). An agency tied to a department
never serves that department's approvals, so every change recomputes the scope."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from agencies.models import Affiliation, Agency
from agencies.services.profile import agency_for_update, agency_touch
from agencies.services.scope import agency_scope_recompute
from core.exceptions import ApplicationError

DEPARTMENT_KINDS = (Organisation.Kind.APPROVAL_DEPARTMENT, Organisation.Kind.REGULATOR)


@transaction.atomic
def affiliation_add(
    *,
    actor: User,
    agency: Agency,
    kind: str,
    department: Organisation,
    parent_name: str = "",
) -> Affiliation:
    """Declare a tie: a supervising department, or a state-owned parent company run by a
    department. Recomputes the scope, which drops that department's items.

    Raises ApplicationError if the actor may not change the agency, the kind is unknown, the
    organisation named is not a government department, a parent company is not named, or
    the same tie is already declared."""
    agency = agency_for_update(actor=actor, agency=agency)
    parent_name = parent_name.strip()
    errors: dict[str, list[str]] = {}
    if kind not in Affiliation.Kind.values:
        errors["kind"] = [_("Please choose one of the listed kinds of tie.")]
    if department is None or department.kind not in DEPARTMENT_KINDS:
        errors["department"] = [_("Please choose a government department.")]
    if kind == Affiliation.Kind.STATE_OWNED_PARENT and not parent_name:
        errors["parent_name"] = [_("Please name the state-owned parent company.")]
    if kind == Affiliation.Kind.SUPERVISING_DEPARTMENT:
        parent_name = ""
    if errors:
        raise ApplicationError(_("Please correct the errors below."), code="invalid", extra=errors)
    if Affiliation.objects.filter(
        agency=agency, kind=kind, department=department, parent_name=parent_name
    ).exists():
        raise ApplicationError(_("This tie is already declared."), code="already_declared")
    affiliation = Affiliation.objects.create(
        agency=agency, kind=kind, department=department, parent_name=parent_name
    )
    agency_scope_recompute(agency=agency)
    agency_touch(agency=agency)
    return affiliation


@transaction.atomic
def affiliation_remove(*, actor: User, affiliation: Affiliation) -> None:
    """Withdraw a declared tie and recompute the scope.

    Raises ApplicationError if the actor may not change the agency."""
    agency = agency_for_update(actor=actor, agency=affiliation.agency)
    Affiliation.objects.filter(pk=affiliation.pk, agency=agency).delete()
    agency_scope_recompute(agency=agency)
    agency_touch(agency=agency)
