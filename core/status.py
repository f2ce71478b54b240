"""The one way a status moves, for every model with a status map (core.models.StatusMachine).

`status_move` checks the move against the model's TRANSITIONS on a row its caller has locked,
saves it with the fields that go with it, records the event, and writes an outbox message
(core/outbox.py) in the same transaction: once that commits, a worker sends `status_changed`,
to which the apps connect what follows (mail, tasks, the next stage of a purchase). Nothing is
announced for a move that was rolled back, and nothing is lost for one that committed while the
broker was down.
"""

from typing import Any, TypeVar

from django.apps import apps
from django.db import models
from django.dispatch import Signal
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from core.models import StatusEvent, StatusMachine
from core.outbox import enqueue, outbox_task

# Sent by a worker after commit with sender=the model class, instance=the moved object (read
# afresh), event=the StatusEvent recorded, from_status and to_status.
status_changed = Signal()

M = TypeVar("M", bound=models.Model)


def lock_for_update(instance: M, *related: str) -> M:
    """The row of `instance` read again under a row lock (SELECT … FOR UPDATE), with
    `related` fetched alongside. Call inside a transaction; each app's services say which
    race a lock prevents and in which order they take locks."""
    queryset = type(instance)._default_manager.select_for_update()
    if related:
        queryset = queryset.select_related(*related)
    return queryset.get(pk=instance.pk)


def status_check(instance: StatusMachine, to_status: str) -> None:
    """Refuse, before any work is done, a move the map does not have.

    Raises ApplicationError (code "status_move_not_allowed")."""
    if instance.can_become(to_status):
        return
    model: Any = type(instance)
    statuses = dict(model._meta.get_field("status").choices or [])
    raise ApplicationError(
        _("%(thing)s that is “%(current)s” cannot become “%(target)s”.")
        % {
            "thing": str(model._meta.verbose_name).capitalize(),
            "current": statuses.get(instance.status, instance.status),
            "target": statuses.get(to_status, to_status),
        },
        code="status_move_not_allowed",
    )


def status_move(
    instance: StatusMachine,
    to_status: str,
    *,
    actor: Any = None,
    note: str = "",
    fields: dict[str, Any] | None = None,
    event_fields: dict[str, Any] | None = None,
) -> StatusEvent:
    """Move `instance` (whose row the caller holds locked) to `to_status`, saving `fields`
    with it, and record the move. Returns the event.

    Raises ApplicationError (code "status_move_not_allowed") for a move the map does not
    have, and (code "status_stale") when the instance no longer says what its row says —
    it was read before another move committed."""
    model: Any = type(instance)
    # The lock is taken here too, so a caller that forgot it still cannot race another move.
    stored = (
        model._default_manager.select_for_update()
        .filter(pk=instance.pk)
        .values_list("status", flat=True)
        .get()
    )
    if stored != instance.status:
        raise ApplicationError(
            _("This record changed while you were working on it; please reload the page."),
            code="status_stale",
        )
    status_check(instance, to_status)
    from_status = instance.status
    instance.status = to_status
    for name, value in (fields or {}).items():
        setattr(instance, name, value)
    saved: Any = instance  # each concrete model has the field; the abstract one does not
    saved.save(update_fields=["status", *(fields or {})])
    event_model = apps.get_model(model.STATUS_EVENT_MODEL)
    event = event_model._default_manager.create(
        **{model.STATUS_EVENT_SUBJECT: instance},
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        note=note,
        **(event_fields or {}),
    )
    enqueue(status_changed_dispatch, model._meta.label, event.pk)
    return event


@outbox_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def status_changed_dispatch(model_label: str, event_id: int) -> None:
    # Like core.outbox.signal_dispatch: a failing receiver rolls back and retries them all.
    model: Any = apps.get_model(model_label)
    event_model = apps.get_model(model.STATUS_EVENT_MODEL)
    event = event_model._default_manager.select_related(model.STATUS_EVENT_SUBJECT).get(pk=event_id)
    status_changed.send(
        sender=model,
        instance=getattr(event, model.STATUS_EVENT_SUBJECT),
        event=event,
        from_status=event.from_status,
        to_status=event.to_status,
    )


def status_created(instance: StatusMachine, *, actor: Any = None, note: str = "") -> StatusEvent:
    """Record the first event of a new object: from nothing to the status it was made in."""
    event_model = apps.get_model(type(instance).STATUS_EVENT_MODEL)
    return event_model._default_manager.create(
        **{type(instance).STATUS_EVENT_SUBJECT: instance},
        from_status="",
        to_status=instance.status,
        actor=actor,
        note=note,
    )


def status_note(instance: StatusMachine, *, actor: Any = None, note: str) -> StatusEvent:
    """Record something that happened to `instance` without moving it (a corrected date, say),
    so its history stays complete."""
    event_model = apps.get_model(type(instance).STATUS_EVENT_MODEL)
    return event_model._default_manager.create(
        **{type(instance).STATUS_EVENT_SUBJECT: instance},
        from_status=instance.status,
        to_status=instance.status,
        actor=actor,
        note=note,
    )
