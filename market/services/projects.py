from typing import cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Organisation, User
from accounts.permissions import require
from core.exceptions import ApplicationError
from core.models import Region
from market.models import Project, ProjectClassification


@transaction.atomic
def project_create(
    *,
    actor: User,
    name: str,
    investment_code: str,
    region: Region | None,
    funding: str,
    approval_department: Organisation | None = None,
    special_or_major_reason: str = "",
) -> Project:
    """Register a project; with a reason, also ask its approval department to classify it
    as special or major (project_classification_request).

    Raises ApplicationError if the actor is not a project owner ("not_owner"), a field is
    missing, the investment project code is already registered, or a classification is asked
    for without an approval department ("invalid")."""
    require("market.register_project", actor)
    errors: dict[str, list[str]] = {}
    for field, value in (("name", name), ("investment_code", investment_code)):
        if not (value or "").strip():
            errors[field] = [_("This field is required.")]
    if region is None:
        errors["region"] = [_("Please choose where the project is built.")]
    if funding not in Project.Funding.values:
        errors["funding"] = [_("Please choose how the project is funded.")]
    if investment_code and Project.objects.filter(investment_code=investment_code.strip()).exists():
        errors["investment_code"] = [_("A project with this code is already registered.")]
    if approval_department is not None and (
        approval_department.kind != Organisation.Kind.APPROVAL_DEPARTMENT
    ):
        errors["approval_department"] = [_("Please choose an approval department.")]
    reason = (special_or_major_reason or "").strip()
    if reason and approval_department is None:
        errors["approval_department"] = [
            _("Name the approval department that is to confirm the classification.")
        ]
    if errors or region is None:
        raise ApplicationError(_("Please correct the errors below."), code="invalid", extra=errors)
    project = Project.objects.create(
        owner=cast(Organisation, actor.organisation),  # require() refused anyone without
        name=name.strip(),
        investment_code=investment_code.strip(),
        region=region,
        funding=funding,
        approval_department=approval_department,
    )
    if reason:
        project_classification_request(actor=actor, project=project, reason=reason)
    return project


@transaction.atomic
def project_classification_request(
    *, actor: User, project: Project, reason: str
) -> ProjectClassification:
    """Ask the project's approval department to classify it as special or major (R8).

    Raises ApplicationError unless the actor acts for the project ("not_owner"); if the
    project has no approval department ("approval_department_required"), is already
    classified ("already_special_or_major") or has a request pending ("classification_pending");
    or without a reason ("reason_required")."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    require("market.act_for_project", actor, project)
    if project.approval_department_id is None:
        raise ApplicationError(
            _("The project names no approval department to ask."),
            code="approval_department_required",
        )
    if project.is_special_or_major:
        raise ApplicationError(
            _("The project is already classified as special or major."),
            code="already_special_or_major",
        )
    if project.classifications.filter(status=ProjectClassification.Status.PENDING).exists():
        raise ApplicationError(
            _("The approval department has not yet answered the last request."),
            code="classification_pending",
        )
    reason = (reason or "").strip()
    if not reason:
        message = _("Say why the project is special or major.")
        raise ApplicationError(message, code="reason_required", extra={"reason": [message]})
    return ProjectClassification.objects.create(
        project=project,
        department_id=project.approval_department_id,
        reason=reason,
        requested_by=actor,
    )


@transaction.atomic
def project_classification_decide(
    *, actor: User, classification: ProjectClassification, confirmed: bool, note: str
) -> ProjectClassification:
    """The approval department confirms or refuses that the project is special or major.
    Only a confirmation sets Project.is_special_or_major, which exempts the project from a
    regional assessment (R8).

    Raises ApplicationError unless the actor belongs to the department asked
    ("not_classifying_department"); if the request is already answered ("already_decided");
    or for a refusal without a note ("note_required")."""
    classification = ProjectClassification.objects.select_for_update().get(pk=classification.pk)
    require("market.classify_project", actor, classification)
    if classification.status != ProjectClassification.Status.PENDING:
        raise ApplicationError(_("This request has already been answered."), code="already_decided")
    note = (note or "").strip()
    if not confirmed and not note:
        message = _("Say why the project is not special or major; the owner will read it.")
        raise ApplicationError(message, code="note_required", extra={"note": [message]})
    classification.status = (
        ProjectClassification.Status.CONFIRMED
        if confirmed
        else ProjectClassification.Status.REFUSED
    )
    classification.decided_by = actor
    classification.decided_at = timezone.now()
    classification.decision_note = note
    classification.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    if confirmed:
        Project.objects.filter(pk=classification.project_id).update(is_special_or_major=True)
    return classification
