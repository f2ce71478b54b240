"""Work for Celery goes through a transactional outbox, so a broker that is down loses nothing
and shows no one an error for a change that succeeded.

`enqueue(task, *args)` writes an OutboxMessage in the same transaction as the change that
causes it. Once that commits, the message is handed to the broker at once; if the broker does
not answer, the message waits in the table and `relay_waiting()` (the `outbox-relay` beat entry,
or `manage.py outbox_relay`) hands it over when the broker is back. A rolled-back change leaves
no message behind.

A message may reach a worker twice: relayed again because the first hand-over was not
recorded, or delivered again because a worker died before acknowledging it (tasks are
acknowledged late). Every task that can be enqueued is declared with `@outbox_task`, which
runs its body and marks the message done in one transaction, holding the message's row: a
second delivery waits for the first and then finds it done. Whatever the body writes to the
database therefore happens once; a mail it sends goes out once unless the worker dies in the
instant between the mail server accepting it and the commit.

django-celery-outbox was considered and not used: its relay refuses SQLite, the embedded
default `make demo` runs on, and it brings Sentry and Datadog clients with it."""

import datetime
import functools
import logging
import uuid
from typing import Any, ClassVar

from celery import Task, current_app, shared_task
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone

from core.models import OutboxMessage

logger = logging.getLogger(__name__)

# A message younger than this is left to the hand-over its own commit makes, so the relay and
# that hand-over rarely both send it (if they do, the consumer acts once).
RELAY_GRACE_SECONDS = 10
RELAY_BATCH = 500
# A message handed over this many times and never done has a consumer that keeps failing; it
# stays in the table, counted by /readyz, for someone to look at.
MAX_RELAYS = 5


def outbox_task(**options):
    """Declare a Celery task that `enqueue` may queue: its body runs once per message, however
    often the message is delivered. Options are those of `shared_task`."""

    def decorate(func):
        @shared_task(bind=True, name=f"{func.__module__}.{func.__name__}", **options)
        @functools.wraps(func)
        def task(self, *args):
            return consume(self.request.id, func, *args)

        task.outbox_consumer = True
        return task

    return decorate


def consume(message_id: str | None, func, *args) -> Any:
    """Run `func(*args)` for outbox message `message_id` unless it is already done. A task
    called directly, not through the outbox, has no message and simply runs."""
    with transaction.atomic():
        pk = _message_pk(message_id)
        message = OutboxMessage.objects.select_for_update().filter(pk=pk).first() if pk else None
        if message is not None and message.done_at is not None:
            logger.info(
                "outbox message delivered again; already done",
                extra={"outbox_message": message_id, "task": message.task},
            )
            return None
        result = func(*args)
        if message is not None:
            message.done_at = timezone.now()
            message.save(update_fields=["done_at"])
        return result


def _message_pk(task_id: str | None) -> uuid.UUID | None:
    # A task called with .delay() has a uuid for an id too, but no message has it; a task
    # called directly has none.
    try:
        return uuid.UUID(str(task_id))
    except ValueError:
        return None


def enqueue(task: Task, *args) -> OutboxMessage:
    """Queue `task(*args)` with the current transaction: written now, handed to the broker once
    the transaction commits, never if it rolls back. Arguments must be JSON values."""
    if not getattr(task, "outbox_consumer", False):
        raise TypeError(f"{task.name} is not declared with @outbox_task")
    message = OutboxMessage.objects.create(task=task.name, args=list(args))
    message_id = message.pk
    transaction.on_commit(lambda: relay(message_id), robust=True)
    return message


def relay(message_id, *, again: bool = False) -> bool:
    """Hand one message to the broker. Returns whether the broker took it; when it did not,
    the message waits for `relay_waiting`. Only a message not yet handed over is sent, unless
    `again` (one handed over long ago and still not done)."""
    pending = OutboxMessage.objects.filter(pk=message_id, done_at__isnull=True)
    if not again:
        pending = pending.filter(relayed_at__isnull=True)
    message = pending.first()
    if message is None:
        return True
    try:
        # One attempt to reach the broker and no retries: this runs in a request, which must
        # not wait on a broker that is down (publishing alone would retry for seconds). The
        # relay beat tries again.
        with current_app.pool.acquire(block=True) as connection:
            connection.ensure_connection(max_retries=0, timeout=2)
            current_app.tasks[message.task].apply_async(
                args=message.args, task_id=str(message.pk), retry=False, connection=connection
            )
    except Exception as error:
        OutboxMessage.objects.filter(pk=message.pk).update(
            relay_attempts=F("relay_attempts") + 1,
            last_error=f"{type(error).__name__}: {error}"[:2000],
        )
        logger.warning(
            "outbox message kept for the relay: the broker did not take it",
            extra={"outbox_message": str(message.pk), "task": message.task, "error": str(error)},
        )
        return False
    OutboxMessage.objects.filter(pk=message.pk).update(
        relayed_at=timezone.now(), relays=F("relays") + 1
    )
    return True


def relay_waiting(*, limit: int = RELAY_BATCH) -> int:
    """Hand the broker, oldest first, the messages waiting for it, then those it took long
    ago that are still not done — a broker restarted without persistence forgets what it
    held; a consumer acts once, so a second copy is harmless. Stops at the first message the
    broker refuses. Returns how many it took."""
    now = timezone.now()
    waiting = OutboxMessage.objects.filter(
        relayed_at__isnull=True,
        created_at__lt=now - datetime.timedelta(seconds=RELAY_GRACE_SECONDS),
    ).order_by("created_at")
    undone = OutboxMessage.objects.filter(
        done_at__isnull=True,
        relayed_at__lt=now - datetime.timedelta(seconds=settings.OUTBOX_REDELIVER_SECONDS),
        relays__lt=MAX_RELAYS,
    ).order_by("relayed_at")
    relayed = 0
    for queryset, again in ((waiting, False), (undone, True)):
        for message_id in queryset.values_list("pk", flat=True)[: limit - relayed]:
            if not relay(message_id, again=again):
                return relayed
            relayed += 1
    return relayed


def sweep_done(*, days: int = 30) -> int:
    """Forget messages done more than `days` ago: long past any redelivery (the broker gives
    an unacknowledged message back within its visibility timeout, an hour at most)."""
    cutoff = timezone.now() - datetime.timedelta(days=days)
    deleted, _ = OutboxMessage.objects.filter(done_at__lt=cutoff).delete()
    return deleted


def backlog() -> dict[str, Any]:
    """What is waiting for the broker, and what it took long ago and is still not done, for
    /readyz."""
    now = timezone.now()
    waiting = OutboxMessage.objects.filter(relayed_at__isnull=True)
    oldest = waiting.order_by("created_at").values_list("created_at", flat=True).first()
    undone = OutboxMessage.objects.filter(
        done_at__isnull=True,
        relayed_at__lt=now - datetime.timedelta(seconds=settings.OUTBOX_REDELIVER_SECONDS),
    )
    return {
        "waiting": waiting.count(),
        "oldest_seconds": int((now - oldest).total_seconds()) if oldest else 0,
        "not_done": undone.count(),
    }


class DurableSignal(Signal):
    """A signal whose receivers run in a worker once the transaction that sends it commits.
    The sending is an outbox message (`send_after_commit`), so it survives a broker outage
    and a crash right after the commit; its arguments must be JSON values. `name` must be
    unique: the worker finds the signal by it."""

    registry: ClassVar[dict[str, "DurableSignal"]] = {}

    def __init__(self, name: str):
        super().__init__()
        if name in self.registry:
            raise ValueError(f"a durable signal is already named {name}")
        self.name = name
        self.registry[name] = self

    def send_after_commit(self, sender: type[models.Model], **kwargs) -> OutboxMessage:
        return enqueue(signal_dispatch, self.name, sender._meta.label, kwargs)


@outbox_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def signal_dispatch(name: str, sender_label: str, kwargs: dict) -> None:
    # Not send_robust: a receiver that fails rolls the others back with it, and the whole
    # dispatch is tried again, so no receiver's work is lost or done twice.
    DurableSignal.registry[name].send(sender=apps.get_model(sender_label), **kwargs)
