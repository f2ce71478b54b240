"""Ties between an agency and a government department (R4). An agency tied to a department
never serves that department's approvals, so every change recomputes the scope. The agency
declares its ties and a regulator records those it finds; only a regulator ends one, and an
ended tie stays on the agency's public record."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from accounts.permissions import require
from agencies.models import Affiliation, Agency
from agencies.services.profile import agency_for_update, agency_touch
from agencies.services.scope import agency_scope_recompute
from core.exceptions import ApplicationError
from core.status import lock_for_update

DEPARTMENT_KINDS = (Organisation.Kind.APPROVAL_DEPARTMENT, Organisation.Kind.REGULATOR)


def _create(
    *, agency: Agency, kind: str, department: Organisation | None, parent_name: str, **fields
) -> Affiliation:
    """Check one tie and save it on the locked agency, then recompute the scope.

    Raises ApplicationError for an unknown kind, an organisation that is not a government
    department, a parent company not named ("invalid"), or a tie already current
    ("already_declared")."""
    parent_name = (parent_name or "").strip()
    errors: dict[str, list[str]] = {}
    if kind not in Affiliation.Kind.values:
        errors["kind"] = [_("Please choose one of the listed kinds of tie.")]
    if department is None or department.kind not in DEPARTMENT_KINDS:
        errors["department"] = [_("Please choose a government department.")]
    if kind == Affiliation.Kind.STATE_OWNED_PARENT and not parent_name:
        errors["parent_name"] = [_("Please name the state-owned parent company.")]
    if kind == Affiliation.Kind.SUPERVISING_DEPARTMENT:
        parent_name = ""
    if errors or department is None:
        raise ApplicationError(_("Please correct the errors below."), code="invalid", extra=errors)
    if (
        Affiliation.objects.current()
        .filter(agency=agency, kind=kind, department=department, parent_name=parent_name)
        .exists()
    ):
        raise ApplicationError(_("This tie is already declared."), code="already_declared")
    affiliation = Affiliation.objects.create(
        agency=agency, kind=kind, department=department, parent_name=parent_name, **fields
    )
    agency_scope_recompute(agency=agency)
    return affiliation


@transaction.atomic
def affiliation_add(
    *,
    actor: User,
    agency: Agency,
    kind: str,
    department: Organisation,
    parent_name: str = "",
) -> Affiliation:
    """The agency declares a tie: a supervising department, or a state-owned parent company
    run by a department. The department's items leave its scope at once.

    Raises ApplicationError if the actor may not change the agency ("not_agency_admin"), or
    as `_create` does."""
    agency = agency_for_update(actor=actor, agency=agency)
    affiliation = _create(
        agency=agency, kind=kind, department=department, parent_name=parent_name, recorded_by=actor
    )
    agency_touch(agency=agency)
    return affiliation


@transaction.atomic
def affiliation_record(
    *,
    actor: User,
    agency: Agency,
    kind: str,
    department: Organisation,
    finding: str,
    parent_name: str = "",
) -> Affiliation:
    """A regulator records a tie it found (R4); it counts at once, like a declared one.

    Raises ApplicationError for anyone but a regulator ("not_regulator"), without the
    finding ("finding_required"), or as `_create` does."""
    require("accounts.regulate", actor)
    finding = (finding or "").strip()
    if not finding:
        message = _("Say what was found; it is shown on the agency's public record.")
        raise ApplicationError(message, code="finding_required", extra={"finding": [message]})
    return _create(
        agency=lock_for_update(agency),
        kind=kind,
        department=department,
        parent_name=parent_name,
        recorded_by=actor,
        found_by_regulator=True,
        finding=finding,
    )


@transaction.atomic
def affiliation_end(*, actor: User, affiliation: Affiliation, reason: str) -> Affiliation:
    """A regulator decides a tie has ended; the agency cannot end one itself, or R4 would be
    a box it unticks. The tie stays on the public record with the reason.

    Raises ApplicationError for anyone but a regulator ("not_regulator"), without a reason
    ("reason_required"), or for a tie already ended ("already_ended")."""
    require(
        "accounts.regulate",
        actor,
        message=_("Only a regulator may end a tie; send the regulator the evidence."),
    )
    reason = (reason or "").strip()
    if not reason:
        message = _("Give the reason; it is shown on the agency's public record.")
        raise ApplicationError(message, code="reason_required", extra={"reason": [message]})
    agency = lock_for_update(affiliation.agency)
    affiliation = Affiliation.objects.select_for_update().get(pk=affiliation.pk)
    if not affiliation.is_current:
        raise ApplicationError(_("This tie has already ended."), code="already_ended")
    affiliation.ended_at, affiliation.ended_by, affiliation.end_reason = (
        timezone.now(),
        actor,
        reason,
    )
    affiliation.save(update_fields=["ended_at", "ended_by", "end_reason"])
    agency_scope_recompute(agency=agency)
    return affiliation
