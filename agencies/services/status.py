"""An agency's moves along its status map (Agency.TRANSITIONS), made through
core.status.status_move: lock, check the move, save, record the AgencyStatusEvent (from, to,
who, why, which qualifications were cited), recompute the scope, and mail the agency's
administrators once the transaction has committed (agencies/receivers.py).

Who may do what (accounts/permissions.py):
- the agency's own members submit, resubmit after a rejection, re-enter after exiting, and
  its administrators may leave the roster (exit) themselves;
- only regulators (or platform administrators) approve, reject, suspend and reinstate, and
  may also take an agency off the roster. Approval departments never do any of this: they may
  not choose, recommend or vet agencies (R4).

Approval needs no particular certificate (R3: zero threshold, joining is voluntary): an agency
is approved whenever no R4 conflict blocks it, and its computed scope then shows what it may
serve (possibly only the items that require no qualification). What R3 does demand is that a
rejection names the legally required qualification that is missing or invalid.
"""

import datetime
from typing import cast

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import allowed, is_approval_department, is_member_of, require
from agencies.models import Agency, AgencyStatusEvent, Qualification
from agencies.restrictions import bar_reasons
from agencies.services.scope import agency_scope_recompute
from agencies.services.staff_register import staff_register_conflicts
from catalogue.models import QualificationRequirement, QualificationType, ServiceItem
from core.exceptions import ApplicationError
from core.status import lock_for_update, status_created, status_move
from core.workdays import add_workdays

REVIEW_WORKING_DAYS = 2


def _lock(agency: Agency) -> Agency:
    # The row lock serialises every status move of one agency: without it two reviewers
    # acting at once (approve and reject, or a double-clicked approve) would both read
    # "pending", both pass the transition check and leave two contradictory events; it also
    # stops a suspension racing a reinstatement. Callers hold no other agency lock, so the
    # order is always this one row.
    return lock_for_update(agency, "organisation")


def _only_from(agency: Agency, from_status: str, to_status: str) -> None:
    """Approving and reinstating both lead to "active"; each is for one source status only."""
    if agency.status != from_status:
        raise ApplicationError(
            _("An agency that is “%(current)s” cannot become “%(target)s”.")
            % {
                "current": Agency.Status(agency.status).label,
                "target": Agency.Status(to_status).label,
            },
            code="status_move_not_allowed",
        )


def _member_check(*, actor: User, agency: Agency) -> None:
    if not is_member_of(actor, agency.organisation):
        raise ApplicationError(_("Only members of the agency may do this."), code="not_member")


def _staff_register_check(agency: Agency) -> None:
    """R4: serving government staff may not hold posts in agencies."""
    conflicts = staff_register_conflicts(agency=agency)
    if conflicts:
        raise ApplicationError(
            _(
                "This agency cannot be made active: %(people)s on the register of serving "
                "government staff, who may not hold posts in agencies. The agency must remove "
                "them from its practitioners first."
            )
            % {
                "people": "; ".join(
                    _("%(name)s (%(department)s)")
                    % {"name": conflict.practitioner.name, "department": conflict.department_name}
                    for conflict in conflicts
                )
            },
            code="staff_register_conflict",
            extra={
                "conflicts": [
                    {
                        "practitioner": conflict.practitioner.pk,
                        "name": conflict.practitioner.name,
                        "department": conflict.department_name,
                    }
                    for conflict in conflicts
                ]
            },
        )


def _bar_check(agency: Agency) -> None:
    """R11: a blacklisted agency, or one a person banned from the market works for, is not
    let onto the roster."""
    reasons = bar_reasons(agency)
    if reasons:
        raise ApplicationError(
            _("This agency cannot be made active: %(reasons)s") % {"reasons": "；".join(reasons)},
            code="agency_barred",
        )


def _move(
    agency: Agency,
    *,
    to_status: str,
    actor: User,
    reason: str = "",
    cited: list[QualificationType] | None = None,
    fields: dict | None = None,
) -> Agency:
    """Move the locked agency and recompute its scope; the agency's administrators are
    mailed once the transaction commits (agencies/receivers.py)."""
    event = cast(
        AgencyStatusEvent, status_move(agency, to_status, actor=actor, note=reason, fields=fields)
    )
    if cited:
        event.cited_qualifications.set(cited)
    agency_scope_recompute(agency=agency)
    return agency


def _activate(agency: Agency, *, from_status: str, actor: User, reason: str) -> Agency:
    """Approval and reinstatement: each from its one status, never past the staff register
    (R4)."""
    _only_from(agency, from_status, Agency.Status.ACTIVE)
    _staff_register_check(agency)
    _bar_check(agency)
    return _move(
        agency,
        to_status=Agency.Status.ACTIVE,
        actor=actor,
        reason=reason,
        fields={"activated_at": timezone.now()},
    )


def _submit(agency: Agency, *, actor: User) -> Agency:
    return _move(
        agency,
        to_status=Agency.Status.PENDING,
        actor=actor,
        fields={
            "submitted_at": timezone.now(),
            "review_due": review_due_for(timezone.localdate()),
        },
    )


def review_due_for(submitted_on: datetime.date) -> datetime.date:
    """A regulator reviews within two working days of the submission date."""
    return add_workdays(submitted_on, REVIEW_WORKING_DAYS)


@transaction.atomic
def agency_submit_for_review(*, agency: Agency, actor: User) -> Agency:
    """Put an agency in the review queue: a new agency's first submission, or a resubmission
    after it was returned for correction. Sets submitted_at and review_due (two working days).

    Returns the updated agency. Raises ApplicationError when the actor is not a member of the
    agency, the agency is already waiting for review, or its status allows no submission."""
    agency = _lock(agency)
    _member_check(actor=actor, agency=agency)
    if agency.status == Agency.Status.PENDING:
        if agency.submitted_at is not None:
            raise ApplicationError(
                _("This agency is already waiting for review."), code="already_pending"
            )
        # A new agency is created as "pending" and enters the queue with its first event.
        agency.submitted_at = timezone.now()
        agency.review_due = review_due_for(timezone.localdate())
        agency.save(update_fields=["submitted_at", "review_due"])
        status_created(agency, actor=actor)
        agency_scope_recompute(agency=agency)
        return agency
    return _submit(agency, actor=actor)


@transaction.atomic
def agency_reenter(*, agency: Agency, actor: User) -> Agency:
    """An agency that left the roster asks to join again; it is reviewed like a new one.

    Raises ApplicationError when the actor is not a member or the agency has not exited."""
    agency = _lock(agency)
    _member_check(actor=actor, agency=agency)
    if agency.status != Agency.Status.EXITED:
        raise ApplicationError(
            _("Only an agency that has left the roster can re-enter it."), code="not_exited"
        )
    return _submit(agency, actor=actor)


@transaction.atomic
def agency_approve(*, agency: Agency, actor: User, reason: str = "") -> Agency:
    """Admit a pending agency to the roster.

    Raises ApplicationError when the actor is not a regulator, the agency is not pending, or
    one of its practitioners is on the register of serving government staff (R4)."""
    require("accounts.regulate", actor)
    return _activate(_lock(agency), from_status=Agency.Status.PENDING, actor=actor, reason=reason)


def legally_required_qualification_types():
    """The qualification types some published catalogue item requires: the only ones a
    rejection may cite (R3)."""
    return QualificationType.objects.filter(
        pk__in=QualificationRequirement.objects.filter(
            service_item__status=ServiceItem.Status.PUBLISHED
        ).values("qualification_type")
    )


@transaction.atomic
def agency_reject(
    *,
    agency: Agency,
    actor: User,
    cited_qualification_types: list[QualificationType],
    reason: str = "",
) -> Agency:
    """Return a pending agency for correction. R3: the only ground is a legally required
    qualification that is missing or invalid, so at least one must be cited, each required by
    a published catalogue item; the reason text is optional.

    Raises ApplicationError when the actor is not a regulator ("not_regulator"), the agency
    is not pending ("status_move_not_allowed"), no qualification is cited
    ("citation_required"), a cited one is required by no published item
    ("citation_not_required_by_catalogue") or the agency holds it at a grade every such item
    accepts ("citation_met"), or the reason names a ground R3 forbids ("forbidden_ground")."""
    require("accounts.regulate", actor)
    cited = list(
        {qualification.pk: qualification for qualification in cited_qualification_types}.values()
    )
    if not cited:
        message = _(
            "Name the legally required qualification that is missing or invalid; an agency "
            "may be returned for no other reason."
        )
        raise ApplicationError(
            message, code="citation_required", extra={"cited_qualification_types": [message]}
        )
    required = set(
        legally_required_qualification_types()
        .filter(pk__in=[qualification.pk for qualification in cited])
        .values_list("pk", flat=True)
    )
    not_required = [qualification for qualification in cited if qualification.pk not in required]
    if not_required:
        message = _(
            "No published catalogue item requires %(names)s, so it cannot be a reason to "
            "return an agency."
        ) % {"names": ", ".join(str(qualification) for qualification in not_required)}
        raise ApplicationError(
            message,
            code="citation_not_required_by_catalogue",
            extra={"cited_qualification_types": [message]},
        )
    agency = _lock(agency)
    met = [qualification for qualification in cited if _holds_enough(agency, qualification)]
    if met:
        message = _(
            "The agency holds a valid %(names)s meeting every published item that requires "
            "it, so it cannot be a reason to return the agency."
        ) % {"names": ", ".join(str(qualification) for qualification in met)}
        raise ApplicationError(
            message, code="citation_met", extra={"cited_qualification_types": [message]}
        )
    _refuse_forbidden_grounds(reason)
    return _move(
        agency, to_status=Agency.Status.REJECTED, actor=actor, reason=reason.strip(), cited=cited
    )


def _holds_enough(agency: Agency, qualification_type: QualificationType) -> bool:
    """Whether one of the agency's valid certificates of this type meets the minimum grade of
    every published item requiring it: then its absence cannot be cited (R3)."""
    today = timezone.localdate()
    held = [
        certificate.grade
        for certificate in agency.qualifications.filter(
            qualification_type=qualification_type,
            status=Qualification.Status.VERIFIED,
            expired=False,
            valid_from__lte=today,
            valid_to__gte=today,
        )
    ]
    minimums = set(
        QualificationRequirement.objects.filter(
            qualification_type=qualification_type,
            service_item__status=ServiceItem.Status.PUBLISHED,
        ).values_list("minimum_grade", flat=True)
    )
    return any(
        all(
            qualification_type.satisfies(held_grade=grade, minimum_grade=minimum)
            for minimum in minimums
        )
        for grade in held
    )


def _refuse_forbidden_grounds(reason: str) -> None:
    """R3 forbids entry conditions beyond the legally required qualifications: where an
    agency is registered, how many agencies there already are, its sector or its size are
    never a reason. The phrases are settings (AGENCY_FORBIDDEN_GROUNDS), so regulators can
    add the ways such a ground gets written.

    Raises ApplicationError ("forbidden_ground")."""
    found = [phrase for phrase in settings.AGENCY_FORBIDDEN_GROUNDS if phrase in (reason or "")]
    if found:
        message = _(
            "“%(phrase)s” is not a lawful ground: an agency may be refused or suspended only "
            "for the legally required qualifications or a recorded violation, never for where "
            "it is registered, how many agencies there are, or other conditions."
        ) % {"phrase": found[0]}
        raise ApplicationError(message, code="forbidden_ground", extra={"reason": [message]})


def _reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        message = _("Give the reason; it is shown on the agency's public record.")
        raise ApplicationError(message, code="reason_required", extra={"reason": [message]})
    return reason


@transaction.atomic
def agency_suspend(*, agency: Agency, actor: User, reason: str) -> Agency:
    """Take an active agency off selection for a while.

    Raises ApplicationError when the actor is not a regulator, the agency is not active, or
    no reason is given."""
    require("accounts.regulate", actor)
    reason = _reason_required(reason)
    _refuse_forbidden_grounds(reason)
    agency = _lock(agency)
    return _move(agency, to_status=Agency.Status.SUSPENDED, actor=actor, reason=reason)


@transaction.atomic
def agency_reinstate(*, agency: Agency, actor: User, reason: str) -> Agency:
    """Make a suspended agency active again.

    Raises ApplicationError when the actor is not a regulator, the agency is not suspended,
    no reason is given, or one of its practitioners is on the staff register (R4)."""
    require("accounts.regulate", actor)
    reason = _reason_required(reason)
    return _activate(_lock(agency), from_status=Agency.Status.SUSPENDED, actor=actor, reason=reason)


@transaction.atomic
def agency_exit(*, agency: Agency, actor: User, reason: str) -> Agency:
    """Take an active or suspended agency off the roster: by a regulator, or by the agency
    itself (joining and leaving are voluntary, R7). It may re-enter later.

    Raises ApplicationError when the actor is neither a regulator nor a member of the agency,
    the agency is not active or suspended, or no reason is given."""
    if is_approval_department(actor):
        require("accounts.regulate", actor)  # refused, with the department's reason (R4)
    if not allowed("accounts.regulate", actor):
        require(
            "agencies.act_for_agency",
            actor,
            agency,
            message=_("Only the agency's administrators may take it off the roster."),
        )
    reason = _reason_required(reason)
    agency = _lock(agency)
    return _move(agency, to_status=Agency.Status.EXITED, actor=actor, reason=reason)


@transaction.atomic
def review_dues_recompute(*, year: int) -> int:
    """Once a year's calendar is confirmed, recompute the review deadlines computed for it
    provisionally. Returns how many changed."""
    changed = 0
    for agency in Agency.objects.select_for_update().filter(
        status=Agency.Status.PENDING, review_due__year=year, submitted_at__isnull=False
    ):
        due = review_due_for(timezone.localdate(agency.submitted_at))
        if due != agency.review_due:
            agency.review_due = due
            agency.save(update_fields=["review_due"])
            changed += 1
    return changed
