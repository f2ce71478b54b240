"""Delivery and acceptance of a contract's work, on the working-day clock (R10).

The agency uploads its deliverables against the contract's milestones while the contract is
in force or returned for rework, then delivers: the clock pauses from the day of delivery
(contracts/clock.py). The owner accepts — the working days used are fixed — or returns the
delivery with its reasons, and the agency's clock runs again from the next working day. The
days the owner held the delivery are never the agency's.

Locks: every write here takes the contract's row first (and no other lock), so an upload, a
delivery and the owner's answer to it happen one after the other: an upload cannot slip in
after the delivery it would not be part of, two clicks deliver once, and an owner cannot
accept a delivery that is being made or answered at the same moment.
"""

import datetime
import hashlib
import os

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import require
from contracts.clock import is_overdue, open_pause_workdays, workdays_used
from contracts.models import Contract, Deliverable, Milestone
from contracts.selectors import deliverables_waiting
from core.exceptions import ApplicationError
from core.outbox import enqueue
from core.status import lock_for_update, status_move
from core.uploads import DELIVERABLE_KINDS, deliverable_max_bytes, validate_upload
from core.workdays import is_workday

Status = Contract.Status
NAME_MAX_LENGTH = Deliverable._meta.get_field("original_name").max_length or 255


def _local_today() -> datetime.date:
    return timezone.localdate(timezone=timezone.get_default_timezone())


def _contract_lock(contract: Contract) -> Contract:
    # The contract's row, read again: the status and the clock's fields as they are now, and
    # every other write to this contract's delivery waits until this one commits.
    return lock_for_update(contract)


def _require_running(contract: Contract) -> None:
    if contract.status == Status.DELIVERED:
        raise ApplicationError(
            _("The work has been delivered and waits for the owner's answer."),
            code="already_delivered",
        )
    if contract.status not in Contract.RUNNING_STATUSES:
        raise ApplicationError(
            _("Work can be delivered only while the contract is in force or returned."),
            code="contract_not_running",
        )


def _require_delivered(contract: Contract) -> None:
    if contract.status != Status.DELIVERED:
        raise ApplicationError(
            _("There is no delivery waiting for an answer."), code="not_delivered"
        )


def _checked_kind(upload: UploadedFile) -> str:
    try:
        kind = validate_upload(upload, kinds=DELIVERABLE_KINDS, max_bytes=deliverable_max_bytes())
    except ValidationError as exc:
        raise ApplicationError(
            exc.messages[0], code=str(exc.code), extra={"upload": exc.messages}
        ) from None
    return kind.code


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _kept_name(upload: UploadedFile) -> str:
    """The uploader's file name as shown to the parties, cut to fit with its extension kept."""
    name = os.path.basename((upload.name or "").replace("\\", "/")).strip() or "file"
    if len(name) <= NAME_MAX_LENGTH:
        return name
    stem, extension = os.path.splitext(name)
    return stem[: NAME_MAX_LENGTH - len(extension)] + extension


@transaction.atomic
def deliverable_upload(*, actor: User, milestone: Milestone, upload: UploadedFile) -> Deliverable:
    """Store a file the agency delivers against `milestone`: its type checked by its content
    (PDF, DOCX, JPEG or PNG), its size limited (settings.DELIVERABLE_MAX_BYTES), its SHA-256
    and its original name recorded, the file itself in private storage. Returns the
    deliverable, submitted, waiting for the next delivery.

    Raises ApplicationError when the actor does not administer the contract's agency
    ("not_agency_admin"), the contract's work is with the owner ("already_delivered") or it
    is not in force or returned ("contract_not_running"), or the file is of another type
    ("file_type") or too large ("file_too_large"). Nothing is stored when it refuses."""
    contract = _contract_lock(milestone.contract)
    require(
        "contracts.act_for_agency",
        actor,
        contract,
        message=_("Only the agency's administrators may deliver work for this contract."),
    )
    _require_running(contract)
    kind = _checked_kind(upload)
    deliverable = Deliverable(
        milestone=milestone,
        original_name=_kept_name(upload),
        kind=kind,
        size=upload.size or 0,
        sha256=_sha256(upload),
        uploaded_by=actor,
    )
    deliverable.file = upload
    try:
        deliverable.save()
    except BaseException:
        # The file reached storage before the row failed: take it back out.
        if deliverable.file.name:
            deliverable.file.storage.delete(deliverable.file.name)
        raise
    return deliverable


@transaction.atomic
def contract_deliver(*, actor: User, contract: Contract) -> Contract:
    """Deliver the agency's submitted deliverables to the owner: the contract becomes
    delivered and its clock pauses from today (`paused_since`), the day of delivery still
    being the agency's. Returns the contract.

    Raises ApplicationError when the actor does not administer the contract's agency
    ("not_agency_admin"), the work is already with the owner — a second click
    ("already_delivered") — or the contract is not in force or returned
    ("contract_not_running"), or no deliverable has been uploaded since the last answer
    ("nothing_to_deliver")."""
    contract = _contract_lock(contract)
    require(
        "contracts.act_for_agency",
        actor,
        contract,
        message=_("Only the agency's administrators may deliver work for this contract."),
    )
    _require_running(contract)
    if not deliverables_waiting(contract=contract).exists():
        raise ApplicationError(
            _("Upload at least one new file before delivering."), code="nothing_to_deliver"
        )
    status_move(contract, Status.DELIVERED, actor=actor, fields={"paused_since": _local_today()})
    return contract


def _pause_closed(contract: Contract, today: datetime.date) -> dict:
    """The clock's fields once the owner has answered today: the days it held the delivery
    — the working days after the delivery day up to and including today — join the paused
    ones, and the agency's days run again from the next working day."""
    return {
        "paused_workdays": contract.paused_workdays + open_pause_workdays(contract, today),
        "paused_since": None,
    }


@transaction.atomic
def delivery_accept(*, actor: User, contract: Contract) -> Contract:
    """The owner accepts the delivery: the contract becomes accepted, the pause ends, the
    working days the agency used are fixed (`used_workdays`, counted to the day of delivery)
    with the time of acceptance, and every submitted deliverable is accepted. Returns the
    contract.

    Raises ApplicationError when the actor does not administer the contract's owner
    ("not_owner_admin") or no delivery waits for an answer ("not_delivered")."""
    contract = _contract_lock(contract)
    require(
        "contracts.act_for_owner",
        actor,
        contract,
        message=_("Only the project owner's administrators may accept the delivery."),
    )
    _require_delivered(contract)
    now = timezone.now()
    today = _local_today()
    used = workdays_used(contract, today)  # paused: counted up to the day of delivery
    status_move(
        contract,
        Status.ACCEPTED,
        actor=actor,
        fields={**_pause_closed(contract, today), "used_workdays": used, "accepted_at": now},
    )
    Deliverable.objects.filter(
        milestone__contract=contract, status=Deliverable.Status.SUBMITTED
    ).update(status=Deliverable.Status.ACCEPTED, answered_at=now)
    return contract


@transaction.atomic
def delivery_return(*, actor: User, contract: Contract, reasons: str) -> Contract:
    """The owner returns the delivery for rework with its reasons: the contract becomes
    returned, the pause ends (the agency's days run again from the next working day), and
    every submitted deliverable is returned with the reasons as its answer. Returns the
    contract.

    Raises ApplicationError when the actor does not administer the contract's owner
    ("not_owner_admin"), no delivery waits for an answer ("not_delivered"), or the reasons
    are blank ("reasons_required")."""
    contract = _contract_lock(contract)
    require(
        "contracts.act_for_owner",
        actor,
        contract,
        message=_("Only the project owner's administrators may return the delivery."),
    )
    _require_delivered(contract)
    reasons = (reasons or "").strip()
    if not reasons:
        message = _("Say what must be reworked: the agency is owed the reasons.")
        raise ApplicationError(message, code="reasons_required", extra={"reasons": [message]})
    now = timezone.now()
    status_move(
        contract,
        Status.RETURNED,
        actor=actor,
        note=reasons,
        fields=_pause_closed(contract, _local_today()),
    )
    Deliverable.objects.filter(
        milestone__contract=contract, status=Deliverable.Status.SUBMITTED
    ).update(status=Deliverable.Status.RETURNED, answer=reasons, answered_at=now)
    return contract


# Overdue reminders -------------------------------------------------------------------------------


def contracts_overdue_remind(*, today: datetime.date | None = None) -> list[int]:
    """The daily run: for every contract whose clock is running and has passed its committed
    limit, remind both parties' administrators, at most once a day per contract
    (`overdue_reminded_on`). Each contract is marked in its own transaction under its row
    lock and its mail queued once that commits, so two runs at once, or a run repeated the
    same day, send nothing more. Returns the pks of the contracts reminded.

    Nothing is sent on a day off: the clock stands still then, and a week of 国庆 would
    otherwise bring seven identical messages."""
    today = today or _local_today()
    if not is_workday(today):
        return []
    candidates = (
        Contract.objects.filter(status__in=Contract.RUNNING_STATUSES, in_force_at__isnull=False)
        .exclude(overdue_reminded_on=today)
        .order_by("pk")
    )
    reminded = []
    for candidate in candidates.iterator():
        if not is_overdue(candidate, today):
            continue
        with transaction.atomic():
            contract = _contract_lock(candidate)
            # Read again under the lock: another run may have reminded it, or the agency
            # delivered, since the list was read.
            if contract.overdue_reminded_on == today or not is_overdue(contract, today):
                continue
            contract.overdue_reminded_on = today
            contract.save(update_fields=["overdue_reminded_on"])
            _overdue_notify_queue(contract.pk, today)
        reminded.append(contract.pk)
    return reminded


def _overdue_notify_queue(contract_id: int, today: datetime.date) -> None:
    from contracts import tasks

    enqueue(tasks.contract_overdue_notify, contract_id, today.isoformat())
