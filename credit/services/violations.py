"""Violations on an agency's credit record (R11).

A regulator records one by hand — on its own finding or from a complaint — with its type,
severity, facts, evidence, the deciding authority, the legal basis and the date it happened.
The system records three kinds itself, from its own events, exactly once per event
(`Violation.event_key`, unique): a won selection given up (a declined award that no objection
set aside), a contract finished — or still unfinished — more than
LATE_DELIVERY_VIOLATION_WORKDAYS working days past its committed limit, and work going on
under a contract after the certificate its item requires expired.

The authority of a system-recorded violation is the approval department of the service item
concerned: it is the department the service serves and the one that rates the work, so it is
the authority that would have decided the matter by hand. Its legal basis comes from
AUTOMATIC_LEGAL_BASIS below.

Every violation may be appealed once by the agency; a regulator upholds it (it stays in force)
or annuls it (it stops counting, and a blacklist entry it caused is lifted). Each change
announces `credit_inputs_changed` on commit, since a violation in force deducts from the
score.

Locks, always in this order: the violation, then its blacklist entries (blacklist.py) — so an
appeal decision and a credit repair deciding the same violation at once run one after the
other and the second sees the first's status.
"""

import datetime
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Organisation, User
from accounts.permissions import require
from accounts.selectors import organisation_admin_emails
from agencies.models import Agency, Qualification
from agencies.services.scope import qualifying_item_ids
from contracts.clock import workdays_used
from contracts.models import Contract
from core.exceptions import ApplicationError
from core.mail import mail_send
from core.outbox import enqueue
from core.status import lock_for_update
from core.uploads import validate_upload
from credit.models import Complaint, ComplaintEvent, Violation
from credit.signals import credit_inputs_changed
from market.models import AwardDecline

Kind = Violation.Kind
Severity = Violation.Severity
Status = Violation.Status

# The action plan's attachment 4 (规范行政审批中介服务专项行动方案): (三) qualification is the
# condition of the work, (七) the supermarket's dynamic management of the agencies it holds,
# (十) time-limited completion, (十一) the credit system with its penalties.
AUTOMATIC_LEGAL_BASIS = {
    Kind.ABANDONED_SELECTION: gettext_lazy(
        "Pengshan District action plan, attachment 4, (七) and (十一): an agency that gives up "
        "a selection it won is recorded in the credit system."
    ),
    Kind.LATE_DELIVERY: gettext_lazy(
        "Pengshan District action plan, attachment 4, (十) and (十一): the service is finished "
        "within the time limit committed to."
    ),
    Kind.EXPIRED_QUALIFICATION: gettext_lazy(
        "Pengshan District action plan, attachment 4, (三) and (十一): the service is done only "
        "with the qualification the law requires, valid."
    ),
}
# How heavy each system-recorded violation is: working without the qualification the law
# requires is serious; giving up a won selection and finishing late are ordinary.
AUTOMATIC_SEVERITY = {
    Kind.ABANDONED_SELECTION: Severity.ORDINARY,
    Kind.LATE_DELIVERY: Severity.ORDINARY,
    Kind.EXPIRED_QUALIFICATION: Severity.SERIOUS,
}


def _local_today() -> datetime.date:
    return timezone.localdate(timezone=timezone.get_default_timezone())


def inputs_changed(agency_id: int) -> None:
    """The agency's score is made from its violations in force: recompute it once this
    commits."""
    credit_inputs_changed.send_after_commit(Violation, agency_id=agency_id)


def _recorded(violation: Violation) -> None:
    """A new violation: its score effect, and the agency's administrators are told what was
    recorded and that they may appeal it, once this commits."""
    inputs_changed(violation.agency_id)
    from credit import tasks

    enqueue(tasks.violation_recorded_notify, violation.pk)


def violation_recorded_notify(*, violation_id: int) -> int:
    """Mail the agency's administrators about a violation recorded against it. Returns the
    number of messages sent (0 or 1)."""
    violation = Violation.objects.select_related("agency__organisation", "authority").get(
        pk=violation_id
    )
    url = f"{settings.SITE_URL}{reverse('credit:violations_mine')}"
    return mail_send(
        "violation_recorded",
        {"violation": violation, "url": url},
        organisation_admin_emails([violation.agency_id]),
    )


def upload_errors(upload: UploadedFile | None, field: str, errors: dict[str, list[str]]) -> None:
    if upload:
        try:
            validate_upload(upload)
        except ValidationError as exc:
            errors[field] = list(exc.messages)


# Recorded by a regulator ----------------------------------------------------------------------


@transaction.atomic
def violation_record(
    *,
    actor: User,
    agency: Agency,
    kind: str,
    severity: str,
    facts: str,
    evidence: str,
    legal_basis: str,
    authority: Organisation | None,
    occurred_on: datetime.date | None,
    evidence_file: UploadedFile | None = None,
    complaint: Complaint | None = None,
) -> Violation:
    """A regulator records a violation, optionally from a complaint (its progress then shows
    the violation opened).

    Raises ApplicationError: "not_regulator"; "invalid" with every field's problem at once —
    an unknown type or severity, missing facts, evidence, legal basis or authority (a
    regulator or an approval department), a date missing or in the future, an evidence file
    not PDF/JPEG/PNG, a complaint about another agency."""
    require("accounts.regulate", actor)
    errors: dict[str, list[str]] = {}
    facts, evidence, legal_basis = (
        (facts or "").strip(),
        (evidence or "").strip(),
        (legal_basis or "").strip(),
    )
    if kind not in Kind.values:
        errors["kind"] = [_("Choose one of the listed types.")]
    if severity not in Severity.values:
        errors["severity"] = [_("Choose one of the listed severities.")]
    if not facts:
        errors["facts"] = [_("Describe what happened.")]
    if not evidence:
        errors["evidence"] = [_("Say what proves it.")]
    if not legal_basis:
        errors["legal_basis"] = [_("Give the rule the decision rests on.")]
    if authority is None or not authority.is_government:
        errors["authority"] = [_("Choose the regulator or approval department that decides.")]
    if occurred_on is None:
        errors["occurred_on"] = [_("Give the date it happened.")]
    elif occurred_on > _local_today():
        errors["occurred_on"] = [_("The date cannot be in the future.")]
    if complaint is not None and complaint.agency_id not in (None, agency.pk):
        errors["complaint"] = [_("The complaint is about another agency.")]
    upload_errors(evidence_file, "evidence_file", errors)
    if errors:
        raise ApplicationError(_("Please correct the errors below."), code="invalid", extra=errors)
    now = timezone.now()
    violation = Violation.objects.create(
        agency=agency,
        kind=kind,
        severity=severity,
        facts=facts,
        evidence=evidence,
        evidence_file=evidence_file or "",
        # Not None: the checks above raised otherwise.
        authority=cast(Organisation, authority),
        legal_basis=legal_basis,
        occurred_on=cast(datetime.date, occurred_on),
        decided_at=now,
        source=Violation.Source.COMPLAINT if complaint else Violation.Source.REGULATOR,
        recorded_by=actor,
        complaint=complaint,
        contract=complaint.contract if complaint else None,
        purchase_request=complaint.purchase_request if complaint else None,
    )
    if complaint is not None:
        ComplaintEvent.objects.create(
            complaint=complaint,
            kind=ComplaintEvent.Kind.VIOLATION_OPENED,
            note=violation.get_kind_display(),
            actor=actor,
            created_at=now,
        )
    _recorded(violation)
    return violation


# Appeals ----------------------------------------------------------------------------------------


@transaction.atomic
def violation_appeal(*, actor: User, violation: Violation, text: str) -> Violation:
    """The agency's one appeal against a violation in force.

    Raises ApplicationError: "not_agency_admin", "already_appealed" (any earlier appeal,
    decided or not), "not_in_force" (annulled or repaired), "appeal_required"."""
    violation = lock_for_update(violation, "agency")
    require("agencies.act_for_agency", actor, violation.agency)
    if violation.appealed_at is not None:
        raise ApplicationError(_("A violation can be appealed only once."), code="already_appealed")
    if violation.status != Status.IN_FORCE:
        raise ApplicationError(_("Only a violation in force can be appealed."), code="not_in_force")
    text = (text or "").strip()
    if not text:
        message = _("Say why the violation should be annulled.")
        raise ApplicationError(message, code="appeal_required", extra={"text": [message]})
    violation.status = Status.APPEALED
    violation.appeal, violation.appealed_at = text, timezone.now()
    violation.save(update_fields=["status", "appeal", "appealed_at"])
    inputs_changed(violation.agency_id)
    return violation


@transaction.atomic
def violation_appeal_decide(
    *, actor: User, violation: Violation, upheld: bool, decision: str
) -> Violation:
    """A regulator decides an appeal: upheld, the violation is in force again; annulled, it
    stops counting and any blacklist entry it caused is lifted. The decision is published
    with the violation.

    Raises ApplicationError: "not_regulator", "not_appealed", "decision_required"."""
    from credit.services.blacklist import entries_lift  # blacklist builds on violations

    require("accounts.regulate", actor)
    violation = lock_for_update(violation)
    if violation.status != Status.APPEALED:
        raise ApplicationError(
            _("Only a violation under appeal can be decided."), code="not_appealed"
        )
    decision = (decision or "").strip()
    if not decision:
        message = _("Write the decision: the agency and the public read it.")
        raise ApplicationError(message, code="decision_required", extra={"decision": [message]})
    violation.status = Status.IN_FORCE if upheld else Status.ANNULLED
    violation.appeal_decision, violation.appeal_decided_by = decision, actor
    violation.appeal_decided_at = timezone.now()
    violation.save(
        update_fields=["status", "appeal_decision", "appeal_decided_by", "appeal_decided_at"]
    )
    if not upheld:
        entries_lift(
            violation=violation,
            reason=_("The violation was annulled on appeal: %(decision)s") % {"decision": decision},
        )
    inputs_changed(violation.agency_id)
    return violation


# Recorded by the system -------------------------------------------------------------------------


def _record_once(*, event_key: str, kind: Kind, **fields: Any) -> Violation | None:
    """Record the system's violation for `event_key` unless it is already recorded; the
    unique key settles two sightings of one event at the same moment. Returns the new
    violation, or None when it was there already."""
    if Violation.objects.filter(event_key=event_key).exists():
        return None
    try:
        with transaction.atomic():
            violation = Violation.objects.create(
                event_key=event_key,
                kind=kind,
                severity=AUTOMATIC_SEVERITY[kind],
                legal_basis=str(AUTOMATIC_LEGAL_BASIS[kind]),
                source=Violation.Source.SYSTEM,
                decided_at=timezone.now(),
                **fields,
            )
    except IntegrityError:
        return None
    _recorded(violation)
    return violation


@transaction.atomic
def violation_for_declined_award(*, decline: AwardDecline) -> Violation | None:
    """A selected agency gave up the award. A decline that an upheld objection caused is not
    the agency's doing and makes none. Returns the violation made, or None."""
    if decline.by_objection:
        return None
    purchase_request = decline.purchase_request
    item = purchase_request.service_item
    return _record_once(
        event_key=f"decline:{decline.pk}",
        kind=Kind.ABANDONED_SELECTION,
        agency=decline.agency,
        facts=_("Selected for %(request)s (%(item)s), the agency declined the award.")
        % {"request": purchase_request.number, "item": item.name},
        evidence=_("The declined award recorded on %(date)s; the agency's reason: %(reason)s")
        % {
            "date": timezone.localdate(decline.created_at).isoformat(),
            "reason": decline.reason or _("none given"),
        },
        authority=item.approval_department,
        occurred_on=timezone.localdate(decline.created_at),
        purchase_request=purchase_request,
    )


def _contract_item(contract: Contract):
    return contract.purchase_request.service_item


def _days_late(contract: Contract, today: datetime.date) -> int:
    return workdays_used(contract, today) - contract.time_limit_days


@transaction.atomic
def violation_for_late_delivery(
    *, contract: Contract, today: datetime.date | None = None
) -> Violation | None:
    """The contract was finished — or is not finished yet — more than
    LATE_DELIVERY_VIOLATION_WORKDAYS working days past its committed limit (contracts/clock.py
    counts the agency's days; those the owner held a delivery are not the agency's). Once per
    contract. Returns the violation made, or None."""
    today = today or _local_today()
    late = _days_late(contract, today)
    if contract.in_force_at is None or late <= settings.LATE_DELIVERY_VIOLATION_WORKDAYS:
        return None
    item = _contract_item(contract)
    facts = (
        _("The work under contract %(number)s was accepted %(late)d working days after its limit.")
        if contract.used_workdays is not None
        else _(
            "The work under contract %(number)s is %(late)d working days past its limit and "
            "not finished."
        )
    ) % {"number": contract.number, "late": late}
    return _record_once(
        event_key=f"late:{contract.pk}",
        kind=Kind.LATE_DELIVERY,
        agency=contract.agency,
        facts=facts,
        evidence=_(
            "Committed limit %(limit)d working days; %(used)d used, counted by the contract's "
            "working-day clock."
        )
        % {"limit": contract.time_limit_days, "used": workdays_used(contract, today)},
        authority=item.approval_department,
        occurred_on=today,
        contract=contract,
        purchase_request=contract.purchase_request,
    )


def _expired_certificate(contract: Contract, today: datetime.date) -> Qualification | None:
    """The certificate whose expiry put the contract's item out of the agency's scope while
    the contract ran: one of the types the item requires, verified, expired after the
    contract came into force — and only if the agency no longer qualifies for the item today
    (another valid certificate may cover it)."""
    item = _contract_item(contract)
    required_types = [requirement.qualification_type_id for requirement in item.requirements.all()]
    if not required_types:
        return None
    started = timezone.localdate(contract.in_force_at, timezone=timezone.get_default_timezone())
    expired = (
        Qualification.objects.filter(
            agency_id=contract.agency_id,
            qualification_type_id__in=required_types,
            status=Qualification.Status.VERIFIED,
            valid_to__gte=started,
            valid_to__lt=today,
        )
        .order_by("-valid_to", "-pk")
        .first()
    )
    if expired is None:
        return None
    agency = Agency.objects.prefetch_related("qualifications", "affiliations").get(
        pk=contract.agency_id
    )
    if item.pk in qualifying_item_ids(agency=agency, items=[item], today=today):
        return None
    return expired


@transaction.atomic
def violation_for_expired_qualification(
    *, contract: Contract, today: datetime.date | None = None
) -> Violation | None:
    """Work goes on under a running contract although the certificate its item requires
    expired while it ran. Once per contract and certificate. Returns the violation made, or
    None."""
    today = today or _local_today()
    if contract.status not in Contract.RUNNING_STATUSES or contract.in_force_at is None:
        return None
    certificate = _expired_certificate(contract, today)
    if certificate is None:
        return None
    return _record_once(
        event_key=f"expired:{contract.pk}:{certificate.pk}",
        kind=Kind.EXPIRED_QUALIFICATION,
        agency=contract.agency,
        facts=_(
            "Contract %(number)s was still being worked on after the certificate its service "
            "requires expired."
        )
        % {"number": contract.number},
        evidence=_("Certificate %(certificate)s, valid to %(valid_to)s.")
        % {"certificate": str(certificate), "valid_to": certificate.valid_to.isoformat()},
        authority=_contract_item(contract).approval_department,
        occurred_on=certificate.valid_to + datetime.timedelta(days=1),
        contract=contract,
        purchase_request=contract.purchase_request,
    )


def _contracts_to_check():
    return Contract.objects.select_related(
        "agency", "purchase_request__service_item__approval_department"
    ).prefetch_related("purchase_request__service_item__requirements")


def agency_contracts_check(*, agency_id: int, today: datetime.date | None = None) -> list[int]:
    """The agency's certificates or scope changed: is one of its running contracts now
    worked on without the certificate its item requires? Returns the new violations' pks."""
    made = []
    running = _contracts_to_check().filter(
        agency_id=agency_id, status__in=Contract.RUNNING_STATUSES
    )
    for contract in running:
        if violation := violation_for_expired_qualification(contract=contract, today=today):
            made.append(violation.pk)
    return made


def contracts_violations_sweep(*, today: datetime.date | None = None) -> list[int]:
    """The daily run over every contract being worked on or waiting for acceptance: late
    past the threshold, or worked on with an expired certificate. Safe to run again (each
    violation is made once). Returns the new violations' pks."""
    today = today or _local_today()
    made = []
    open_contracts = _contracts_to_check().filter(
        status__in=[*Contract.RUNNING_STATUSES, Contract.Status.DELIVERED],
        in_force_at__isnull=False,
    )
    for contract in open_contracts.order_by("pk").iterator(chunk_size=200):
        for check in (violation_for_late_delivery, violation_for_expired_qualification):
            if violation := check(contract=contract, today=today):
                made.append(violation.pk)
    return made
