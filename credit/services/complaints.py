"""Complaints (投诉, R12). Anyone may complain — a party signed in, or any member of the public
known only by a name and a contact — and every complaint that says something is accepted on
arrival: there is no refusal but bad input, so no complaint waits to be let in. A regulator
acknowledges it within COMPLAINT_ACK_WORKDAYS working days and answers it within
COMPLAINT_ANSWER_WORKDAYS, both counted on the official calendar from the Beijing date it
arrived. Each step is a ComplaintEvent the complainant follows online and is mailed about.

A member of the public follows the complaint with a tracking key shown once; only its keyed
hash is stored, so a copy of the database cannot open anyone's complaint. The regulator's
handling may record a violation (credit/services/violations.py), which adds its own step.

Rows are locked one at a time (the complaint), so the services here never wait on each
other in a cycle."""

import datetime
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import allowed, require
from agencies.models import Agency
from contracts.models import Contract
from core.exceptions import ApplicationError
from core.outbox import enqueue
from core.services import next_yearly_number
from core.status import lock_for_update
from core.uploads import SCAN_KINDS, SCAN_MAX_BYTES, validate_upload
from core.workdays import add_workdays
from credit.models import Complaint, ComplaintEvent
from market.models import PurchaseRequest

NAME_MAX = int(Complaint._meta.get_field("complainant_name").max_length or 0)
CONTACT_MAX = int(Complaint._meta.get_field("complainant_contact").max_length or 0)
# Long enough for any account of what happened; a bound, so one submission cannot fill a disk.
CONTENT_MAX = 5000
# A phone number: 7 to 20 digits, with the separators people type.
_PHONE_CHARACTERS = set("0123456789+-() ")
_TRACKING_SALT = "credit.complaint.tracking-key"


def tracking_key_hash(key: str) -> str:
    """The keyed hash (HMAC-SHA256 under SECRET_KEY) a tracking key is stored as."""
    return salted_hmac(_TRACKING_SALT, key.strip(), algorithm="sha256").hexdigest()


def tracking_key_matches(complaint: Complaint | None, key: str) -> bool:
    """Whether `key` opens `complaint`, compared in constant time. A complaint made signed in
    has no key and opens with none."""
    expected = complaint.tracking_key_hash if complaint is not None else ""
    # The hash is computed even without a complaint, so the time taken does not tell an
    # unknown number from a wrong key.
    given = tracking_key_hash(key or "")
    return bool(expected) and constant_time_compare(given, expected)


def contact_email(complaint: Complaint) -> str:
    """Where the complainant is mailed: the contact they gave if it is an address, else their
    account's address; "" when there is neither (a phone number from the public)."""
    if "@" in complaint.complainant_contact:
        return complaint.complainant_contact
    user = complaint.complainant
    return user.email if user is not None and user.is_active else ""


def _checked_contact(contact: str) -> str | None:
    """None when `contact` is neither an e-mail address nor a phone number."""
    if "@" in contact:
        try:
            validate_email(contact)
        except ValidationError:
            return None
        return contact
    digits = sum(character.isdigit() for character in contact)
    if set(contact) <= _PHONE_CHARACTERS and 7 <= digits <= 20:
        return contact
    return None


def _submission_errors(
    *, category: str, content: str, name: str, contact: str, evidence: UploadedFile | None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if category not in Complaint.Category.values:
        errors["category"] = [_("Choose what the complaint is about.")]
    if not content:
        errors["content"] = [_("Say what happened.")]
    elif len(content) > CONTENT_MAX:
        errors["content"] = [
            _("Keep it within %(max)d characters; attach a file for more.") % {"max": CONTENT_MAX}
        ]
    if not name:
        errors["name"] = [_("Give your name, so that the answer reaches you.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("A name of at most %(max)d characters.") % {"max": NAME_MAX}]
    if not contact:
        errors["contact"] = [_("Give a phone number or an e-mail address to reach you.")]
    elif len(contact) > CONTACT_MAX or _checked_contact(contact) is None:
        errors["contact"] = [_("Give a valid phone number or e-mail address.")]
    if evidence is not None:
        try:
            validate_upload(evidence, kinds=SCAN_KINDS, max_bytes=SCAN_MAX_BYTES)
        except ValidationError as error:
            errors["evidence"] = list(error.messages)
    return errors


def _queue_notice(event: ComplaintEvent) -> None:
    """Mail the complainant about the step once it has committed."""
    from credit import tasks

    enqueue(tasks.complaint_event_notify, event.pk)


def _event(complaint: Complaint, kind: str, *, actor: Any, note: str, at: datetime.datetime):
    return ComplaintEvent.objects.create(
        complaint=complaint,
        kind=kind,
        note=note,
        actor=actor if actor is not None and actor.is_authenticated else None,
        created_at=at,
    )


@transaction.atomic
def complaint_submit(
    *,
    actor: User | Any | None,
    category: str,
    content: str,
    name: str,
    contact: str,
    agency: Agency | None = None,
    purchase_request: PurchaseRequest | None = None,
    contract: Contract | None = None,
    evidence: UploadedFile | None = None,
    now: datetime.datetime | None = None,
) -> tuple[Complaint, str | None]:
    """Accept a complaint from `actor` (a signed-in user, or None / an anonymous user for a
    member of the public) and set its due dates. A contract given names its agency and
    purchase request too. Returns the complaint and, for the public, the tracking key to
    show once (None for a signed-in complainant, who follows it under their account).

    Raises ApplicationError: "complaint_invalid" with every field's problem at once in
    `extra` ("category", "content", "name", "contact", "evidence"), nothing saved;
    "contract_not_visible" when the contract is not one the actor may read."""
    signed_in = actor is not None and actor.is_authenticated
    if contract is not None and not allowed("contracts.view_contract", actor, contract):
        # Only its parties (and those who oversee it) may name a contract that is not public.
        raise ApplicationError(
            _("You may not complain about this contract by its number."),
            code="contract_not_visible",
        )
    content, name, contact = (content or "").strip(), (name or "").strip(), (contact or "").strip()
    errors = _submission_errors(
        category=category, content=content, name=name, contact=contact, evidence=evidence
    )
    if errors:
        raise ApplicationError(
            _("The complaint could not be accepted: please correct what is marked."),
            code="complaint_invalid",
            extra=errors,
        )
    if contract is not None:
        agency = agency or contract.agency
        purchase_request = purchase_request or contract.purchase_request
    now = now or timezone.now()
    arrived_on = timezone.localdate(now)
    key = None if signed_in else secrets.token_urlsafe(18)
    complaint = Complaint(
        number=next_yearly_number(Complaint.objects.all(), "TS", now=now),
        category=category,
        agency=agency,
        purchase_request=purchase_request,
        contract=contract,
        content=content,
        complainant=actor if signed_in else None,
        complainant_name=name,
        complainant_contact=contact,
        tracking_key_hash=tracking_key_hash(key) if key else "",
        status=Complaint.Status.ACCEPTED,
        submitted_at=now,
        acknowledge_due=add_workdays(arrived_on, settings.COMPLAINT_ACK_WORKDAYS),
        answer_due=add_workdays(arrived_on, settings.COMPLAINT_ANSWER_WORKDAYS),
    )
    if evidence is not None:
        complaint.evidence.save(evidence.name or "evidence", evidence, save=False)
    complaint.save()
    _event(complaint, ComplaintEvent.Kind.ACCEPTED, actor=actor, note="", at=now)
    return complaint, key


def _refuse_if_answered(complaint: Complaint) -> None:
    if complaint.status == Complaint.Status.ANSWERED:
        raise ApplicationError(
            _("This complaint has been answered; its handling is closed."),
            code="already_answered",
        )


def _acknowledge(
    complaint: Complaint, actor: User, note: str, now: datetime.datetime, *, notify: bool
) -> None:
    """Record the acknowledgement; `notify` is False when a note or the answer follows at
    once and its own mail says more."""
    complaint.status = Complaint.Status.ACKNOWLEDGED
    complaint.acknowledged_at = now
    complaint.handled_by = actor
    event = _event(complaint, ComplaintEvent.Kind.ACKNOWLEDGED, actor=actor, note=note, at=now)
    if notify:
        _queue_notice(event)


@transaction.atomic
def complaint_acknowledge(*, actor: User, complaint: Complaint, note: str = "") -> Complaint:
    """A regulator takes the complaint up; the note (optional) tells the complainant who
    handles it and what comes next.

    Raises ApplicationError: "not_regulator" (or "approval_department_may_not_review"),
    "already_answered", "already_acknowledged"."""
    require("accounts.regulate", actor)
    # Locked so that two regulators acting at once do not both acknowledge it.
    complaint = lock_for_update(complaint)
    _refuse_if_answered(complaint)
    if complaint.status != Complaint.Status.ACCEPTED:
        raise ApplicationError(
            _("This complaint is already being handled."), code="already_acknowledged"
        )
    _acknowledge(complaint, actor, (note or "").strip(), timezone.now(), notify=True)
    complaint.save(update_fields=["status", "acknowledged_at", "handled_by"])
    return complaint


@transaction.atomic
def complaint_progress_note(*, actor: User, complaint: Complaint, note: str) -> ComplaintEvent:
    """A step of the handling the complainant should know of (an inspection made, the agency
    heard). Noting progress on a complaint not yet acknowledged acknowledges it first.

    Raises ApplicationError: "not_regulator", "already_answered", "note_required"."""
    require("accounts.regulate", actor)
    complaint = lock_for_update(complaint)
    _refuse_if_answered(complaint)
    note = (note or "").strip()
    if not note:
        message = _("Write the progress the complainant should know of.")
        raise ApplicationError(message, code="note_required", extra={"note": [message]})
    now = timezone.now()
    if complaint.status == Complaint.Status.ACCEPTED:
        _acknowledge(complaint, actor, "", now, notify=False)
        complaint.save(update_fields=["status", "acknowledged_at", "handled_by"])
    event = _event(complaint, ComplaintEvent.Kind.NOTE, actor=actor, note=note, at=now)
    _queue_notice(event)
    return event


@transaction.atomic
def complaint_answer(*, actor: User, complaint: Complaint, outcome: str, answer: str) -> Complaint:
    """The regulator's answer, which closes the handling: whether the complaint is upheld,
    and why. Answering a complaint not yet acknowledged acknowledges it at the same time.

    Raises ApplicationError: "not_regulator", "already_answered", "answer_required" (no
    answer text; `extra` also names a missing outcome), "outcome_required" (only the outcome
    is missing or unknown)."""
    require("accounts.regulate", actor)
    complaint = lock_for_update(complaint)
    _refuse_if_answered(complaint)
    answer = (answer or "").strip()
    errors: dict[str, list[str]] = {}
    if outcome not in Complaint.Outcome.values:
        errors["outcome"] = [_("Say whether the complaint is upheld.")]
    if not answer:
        errors["answer"] = [_("Write the answer: the complainant reads it.")]
    if errors:
        raise ApplicationError(
            _("The answer is incomplete."),
            code="answer_required" if "answer" in errors else "outcome_required",
            extra=errors,
        )
    now = timezone.now()
    if complaint.status == Complaint.Status.ACCEPTED:
        _acknowledge(complaint, actor, "", now, notify=False)
    complaint.status = Complaint.Status.ANSWERED
    complaint.answered_at, complaint.outcome, complaint.answer = now, outcome, answer
    complaint.handled_by = actor
    complaint.save(
        update_fields=[
            "status",
            "acknowledged_at",
            "answered_at",
            "outcome",
            "answer",
            "handled_by",
        ]
    )
    event = _event(complaint, ComplaintEvent.Kind.ANSWERED, actor=actor, note=answer, at=now)
    _queue_notice(event)
    return complaint
