"""The one place that moves an agency along its status map (Agency.TRANSITIONS).

Every move locks the agency's row, checks the move against the map, saves, records an
AgencyStatusEvent (from, to, who, why, which qualifications were cited) and, once the
transaction has committed, e-mails the agency's administrators and recomputes its scope.

Who may do what:
- the agency's own members submit, resubmit after a rejection, re-enter after exiting, and
  may leave the roster (exit) themselves;
- only regulators (or platform administrators) approve, reject, suspend and reinstate, and
  may also take an agency off the roster. Approval departments never do any of this: they may
  not choose, recommend or vet agencies (R4).

Approval needs no particular certificate (R3: zero threshold, joining is voluntary): an agency
is approved whenever no R4 conflict blocks it, and its computed scope then shows what it may
serve (possibly only the items that require no qualification). What R3 does demand is that a
rejection names the legally required qualification that is missing or invalid.
"""

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from agencies.models import Agency, AgencyStatusEvent
from agencies.services.scope import agency_scope_recompute
from agencies.services.staff_register import regulator_check, staff_register_conflicts
from catalogue.models import QualificationRequirement, QualificationType, ServiceItem
from core.exceptions import ApplicationError
from core.workdays import add_workdays

REVIEW_WORKING_DAYS = 2


def _lock(agency: Agency) -> Agency:
    # The row lock serialises every status move of one agency: without it two reviewers
    # acting at once (approve and reject, or a double-clicked approve) would both read
    # "pending", both pass the transition check and leave two contradictory events; it also
    # stops a suspension racing a reinstatement. Callers hold no other agency lock, so the
    # order is always this one row.
    return Agency.objects.select_for_update().select_related("organisation").get(pk=agency.pk)


def _check_move(agency: Agency, to_status: str, *, only_from: str | None = None) -> None:
    """Refuse a move the map does not have; `only_from` narrows it to the one source status
    an action is for (approving and reinstating both lead to "active")."""
    allowed = Agency.TRANSITIONS.get(agency.status, frozenset())
    if to_status not in allowed or (only_from is not None and agency.status != only_from):
        raise ApplicationError(
            _("An agency that is “%(current)s” cannot become “%(target)s”.")
            % {
                "current": Agency.Status(agency.status).label,
                "target": Agency.Status(to_status).label,
            }
        )


def _member_check(*, actor: User, agency: Agency) -> None:
    if actor is None or not actor.is_active:
        raise ApplicationError(_("Only members of the agency may do this."))
    if actor.is_superuser or actor.organisation_id == agency.organisation_id:
        return
    raise ApplicationError(_("Only members of the agency may do this."))


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


def _agency_status_notify(*, agency_pk: int, event_pk: int) -> None:
    event = AgencyStatusEvent.objects.select_related("agency__organisation").get(pk=event_pk)
    recipients = list(
        User.objects.filter(organisation_id=agency_pk, is_organisation_admin=True, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not recipients:
        return
    context = {
        "agency": event.agency,
        "event": event,
        "cited": list(event.cited_qualifications.all()),
        "site_name": settings.WAGTAIL_SITE_NAME,
    }
    # Chinese first: an e-mail is in the site's language, whoever pressed the button.
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("emails/agency_status_changed_subject.txt", context)
        body = render_to_string("emails/agency_status_changed.txt", context)
    send_mail(" ".join(subject.split()), body, None, recipients)


def _move(
    agency: Agency,
    *,
    to_status: str,
    actor: User,
    reason: str = "",
    cited: list[QualificationType] | None = None,
    from_status: str | None = None,
) -> Agency:
    """Save the move on the locked agency, record it and queue its side effects."""
    event = AgencyStatusEvent.objects.create(
        agency=agency,
        from_status=agency.status if from_status is None else from_status,
        to_status=to_status,
        reason=reason,
        actor=actor,
    )
    if cited:
        event.cited_qualifications.set(cited)
    agency.status = to_status
    agency.save()
    transaction.on_commit(
        lambda: _agency_status_notify(agency_pk=agency.pk, event_pk=event.pk), robust=True
    )
    transaction.on_commit(lambda: agency_scope_recompute(agency=agency), robust=True)
    return agency


def _submit(agency: Agency, *, actor: User, from_status: str | None) -> Agency:
    today = timezone.localdate()
    agency.submitted_at = timezone.now()
    agency.review_due = review_due_for(today)
    return _move(agency, to_status=Agency.Status.PENDING, actor=actor, from_status=from_status)


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
            raise ApplicationError(_("This agency is already waiting for review."))
        # A new agency is created as "pending" and enters the queue with this first event.
        return _submit(agency, actor=actor, from_status="")
    _check_move(agency, Agency.Status.PENDING)
    return _submit(agency, actor=actor, from_status=None)


@transaction.atomic
def agency_reenter(*, agency: Agency, actor: User) -> Agency:
    """An agency that left the roster asks to join again; it is reviewed like a new one.

    Raises ApplicationError when the actor is not a member or the agency has not exited."""
    agency = _lock(agency)
    _member_check(actor=actor, agency=agency)
    if agency.status != Agency.Status.EXITED:
        raise ApplicationError(_("Only an agency that has left the roster can re-enter it."))
    return _submit(agency, actor=actor, from_status=None)


@transaction.atomic
def agency_approve(*, agency: Agency, actor: User, reason: str = "") -> Agency:
    """Admit a pending agency to the roster.

    Raises ApplicationError when the actor is not a regulator, the agency is not pending, or
    one of its practitioners is on the register of serving government staff (R4)."""
    regulator_check(actor=actor)
    agency = _lock(agency)
    _check_move(agency, Agency.Status.ACTIVE, only_from=Agency.Status.PENDING)
    _staff_register_check(agency)
    agency.activated_at = timezone.now()
    return _move(agency, to_status=Agency.Status.ACTIVE, actor=actor, reason=reason)


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

    Raises ApplicationError when the actor is not a regulator, the agency is not pending, no
    qualification is cited, or a cited one is required by no published item."""
    regulator_check(actor=actor)
    cited = list(
        {qualification.pk: qualification for qualification in cited_qualification_types}.values()
    )
    if not cited:
        message = _(
            "Name the legally required qualification that is missing or invalid; an agency "
            "may be returned for no other reason."
        )
        raise ApplicationError(message, extra={"cited_qualification_types": [message]})
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
        raise ApplicationError(message, extra={"cited_qualification_types": [message]})
    agency = _lock(agency)
    _check_move(agency, Agency.Status.REJECTED)
    return _move(
        agency, to_status=Agency.Status.REJECTED, actor=actor, reason=reason.strip(), cited=cited
    )


def _reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        message = _("Give the reason; it is shown on the agency's public record.")
        raise ApplicationError(message, extra={"reason": [message]})
    return reason


@transaction.atomic
def agency_suspend(*, agency: Agency, actor: User, reason: str) -> Agency:
    """Take an active agency off selection for a while.

    Raises ApplicationError when the actor is not a regulator, the agency is not active, or
    no reason is given."""
    regulator_check(actor=actor)
    reason = _reason_required(reason)
    agency = _lock(agency)
    _check_move(agency, Agency.Status.SUSPENDED)
    return _move(agency, to_status=Agency.Status.SUSPENDED, actor=actor, reason=reason)


@transaction.atomic
def agency_reinstate(*, agency: Agency, actor: User, reason: str) -> Agency:
    """Make a suspended agency active again.

    Raises ApplicationError when the actor is not a regulator, the agency is not suspended,
    no reason is given, or one of its practitioners is on the staff register (R4)."""
    regulator_check(actor=actor)
    reason = _reason_required(reason)
    agency = _lock(agency)
    _check_move(agency, Agency.Status.ACTIVE, only_from=Agency.Status.SUSPENDED)
    _staff_register_check(agency)
    agency.activated_at = timezone.now()
    return _move(agency, to_status=Agency.Status.ACTIVE, actor=actor, reason=reason)


@transaction.atomic
def agency_exit(*, agency: Agency, actor: User, reason: str) -> Agency:
    """Take an active or suspended agency off the roster: by a regulator, or by the agency
    itself (joining and leaving are voluntary, R7). It may re-enter later.

    Raises ApplicationError when the actor is neither a regulator nor a member of the agency,
    the agency is not active or suspended, or no reason is given."""
    try:
        regulator_check(actor=actor)
    except ApplicationError:
        _member_check(actor=actor, agency=agency)
        if not actor.is_organisation_admin:
            raise ApplicationError(
                _("Only the agency's administrators may take it off the roster.")
            ) from None
    reason = _reason_required(reason)
    agency = _lock(agency)
    _check_move(agency, Agency.Status.EXITED)
    return _move(agency, to_status=Agency.Status.EXITED, actor=actor, reason=reason)
