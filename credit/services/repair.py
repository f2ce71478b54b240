"""Credit repair (信用修复, R11): an agency shows a regulator it has put a violation right; the
regulator grants or refuses, with a decision that is published on the blacklist page (the
evidence is not). Granted, the violation stops deducting from the score (status REPAIRED) and
every blacklist entry it caused is lifted, so the agency — and the agencies its banned people
work for — may quote again.

Locks: the violation, then the request, then (blacklist.entries_lift) the entries — the same
order as an appeal's decision, so the two never decide one violation at once.
"""

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require
from core.exceptions import ApplicationError
from core.status import lock_for_update
from credit.models import RepairRequest, Violation
from credit.services.blacklist import entries_lift
from credit.services.violations import inputs_changed, upload_errors


@transaction.atomic
def repair_request_submit(
    *,
    actor: User,
    violation: Violation,
    statement: str,
    evidence: UploadedFile | None = None,
) -> RepairRequest:
    """The agency asks for credit repair of one of its violations in force.

    Raises ApplicationError: "not_agency_admin" (not an administrator of the violation's
    agency), "not_in_force", "repair_pending" (a request is already waiting), "invalid" with
    every field's problem at once (no statement, evidence not a PDF, JPEG or PNG)."""
    violation = lock_for_update(violation, "agency")
    require("agencies.act_for_agency", actor, violation.agency)
    if violation.status != Violation.Status.IN_FORCE:
        raise ApplicationError(_("Only a violation in force can be repaired."), code="not_in_force")
    if violation.repair_requests.filter(status=RepairRequest.Status.PENDING).exists():
        raise ApplicationError(
            _("A request to repair this violation is already waiting for a decision."),
            code="repair_pending",
        )
    errors: dict[str, list[str]] = {}
    statement = (statement or "").strip()
    if not statement:
        errors["statement"] = [_("Say what the agency has put right, and how.")]
    upload_errors(evidence, "evidence", errors)
    if errors:
        raise ApplicationError(_("Please correct the errors below."), code="invalid", extra=errors)
    return RepairRequest.objects.create(
        violation=violation,
        statement=statement,
        evidence=evidence or "",
        submitted_by=actor,
        submitted_at=timezone.now(),
    )


@transaction.atomic
def repair_decide(
    *, actor: User, request: RepairRequest, granted: bool, decision: str
) -> RepairRequest:
    """A regulator grants or refuses a pending repair request, with a published decision.

    Raises ApplicationError: "not_regulator", "already_decided", "decision_required"."""
    require("accounts.regulate", actor)
    violation = lock_for_update(request.violation)
    request = lock_for_update(request)
    if request.status != RepairRequest.Status.PENDING:
        raise ApplicationError(_("This request has already been decided."), code="already_decided")
    decision = (decision or "").strip()
    if not decision:
        message = _("Write the decision: it is published.")
        raise ApplicationError(message, code="decision_required", extra={"decision": [message]})
    request.status = RepairRequest.Status.GRANTED if granted else RepairRequest.Status.REFUSED
    request.decided_by, request.decided_at, request.decision = actor, timezone.now(), decision
    request.save(update_fields=["status", "decided_by", "decided_at", "decision"])
    # An annulled violation already counts for nothing; repair changes nothing more for it.
    if granted and violation.status in (Violation.Status.IN_FORCE, Violation.Status.APPEALED):
        violation.status = Violation.Status.REPAIRED
        violation.save(update_fields=["status"])
        entries_lift(
            violation=violation,
            reason=_("Credit repair granted: %(decision)s") % {"decision": decision},
        )
        inputs_changed(violation.agency_id)
    return request
