"""Inspections (双随机、一公开, R11): a regulator records the result of an inspection of an
agency; the results are public on the agency's credit page and count among the regulator
assessments of its score (docs/credit.md)."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, Role, User
from accounts.permissions import require
from agencies.models import Agency
from core.exceptions import ApplicationError
from credit.models import Inspection
from credit.signals import credit_inputs_changed

# Who may inspect an agency: market regulators and the competent (approval) departments.
INSPECTING_KINDS = (Role.REGULATOR, Role.APPROVAL_DEPARTMENT)


@transaction.atomic
def inspection_record(
    *,
    actor: User,
    agency: Agency,
    inspected_on: datetime.date | None,
    authority: Organisation | None,
    result: str,
    findings: str,
) -> Inspection:
    """Record an inspection's result. Raises ApplicationError for anyone but a regulator
    ("not_regulator") or, with every field's problem at once ("inspection_invalid"), for a
    date in the future or missing, an authority that does not inspect, an unknown result or
    no findings."""
    require("accounts.regulate", actor, message=_("Only regulators record inspections."))
    errors: dict[str, list[str]] = {}
    if inspected_on is None:
        errors["inspected_on"] = [_("Give the date of the inspection.")]
    elif inspected_on > timezone.localdate():
        errors["inspected_on"] = [_("An inspection cannot be recorded before it took place.")]
    if authority is None or authority.kind not in INSPECTING_KINDS:
        errors["authority"] = [_("Choose the regulator or department that inspected.")]
    if result not in Inspection.Result.values:
        errors["result"] = [_("Choose the result.")]
    findings = (findings or "").strip()
    if not findings:
        errors["findings"] = [_("Say what was found: the findings are published.")]
    if errors or inspected_on is None or authority is None:
        raise ApplicationError(
            _("Please correct the inspection's details."), code="inspection_invalid", extra=errors
        )
    inspection = Inspection.objects.create(
        agency=agency,
        inspected_on=inspected_on,
        authority=authority,
        result=result,
        findings=findings,
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    credit_inputs_changed.send_after_commit(Inspection, agency_id=agency.pk)
    return inspection
