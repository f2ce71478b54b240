"""Work for Celery is written with the change that causes it, survives a broker that is down,
and acts once however often it is delivered (core/outbox.py)."""

import datetime

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import transaction

from config.celery import app as celery_app
from core.models import OutboxMessage
from core.outbox import MAX_RELAYS, backlog, enqueue, relay_waiting
from core.tasks import scheduler_heartbeat
from market import tasks as market_tasks
from market.models import PurchaseRequest
from tests.market.scenario import NOW, Market
from tests.waiting import wait_for

Status = PurchaseRequest.Status


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def broker_down(monkeypatch):
    """The broker is a port nothing listens on: every hand-over is a real, refused connection.
    Celery reads this variable before its configuration, on each new connection; the pool of
    connections it keeps is dropped on the way in and out so none survives from before."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)

    def forget_connections():
        celery_app._pool = None
        celery_app.amqp._producer_pool = None

    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:9/0")
    forget_connections()

    class Broker:
        @staticmethod
        def back() -> None:
            monkeypatch.delenv("CELERY_BROKER_URL")
            forget_connections()

    yield Broker
    forget_connections()


def _invitation_recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


@pytest.mark.django_db
def test_work_queued_in_a_change_that_rolls_back_is_never_written():
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue(market_tasks.invitations_send, 1)
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db
def test_only_a_task_that_acts_once_may_be_queued():
    with pytest.raises(TypeError, match="is not declared with @outbox_task"):
        enqueue(scheduler_heartbeat)


@pytest.mark.django_db
def test_a_message_delivered_twice_acts_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        purchase_request = Market().published()
    invited = _invitation_recipients()
    assert len(invited) == 4
    message = OutboxMessage.objects.get(task=market_tasks.invitations_send.name)
    assert message.relayed_at is not None and message.done_at is not None

    # The broker hands the same message over again (a relay that was not recorded, a worker
    # that died before acknowledging it): nothing more is sent.
    market_tasks.invitations_send.apply(args=[purchase_request.pk], task_id=str(message.pk))
    assert _invitation_recipients() == invited

    # Called directly, not through the outbox, the task is new work and runs.
    market_tasks.invitations_send(purchase_request.pk)
    assert len(mail.outbox) == 8


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_change_made_while_the_broker_is_down_succeeds_and_nothing_is_lost(broker_down):
    market = Market()
    before = set(OutboxMessage.objects.values_list("pk", flat=True))
    with transaction.atomic():
        purchase_request = market.published()
    # Publishing committed and answered; the work it causes waits in the outbox.
    purchase_request.refresh_from_db()
    assert purchase_request.status == Status.QUOTING
    caused = OutboxMessage.objects.exclude(pk__in=before)
    dispatch = caused.filter(task="core.status.status_changed_dispatch").first()
    assert (dispatch.relayed_at, dispatch.relay_attempts) == (None, 1)
    assert "Connection refused" in dispatch.last_error
    assert not caused.filter(relayed_at__isnull=False).exists()
    assert mail.outbox == []
    # The relay, while the broker is still down, keeps them; it stops at the first refusal
    # rather than knock on a closed door for each.
    OutboxMessage.objects.update(created_at=dispatch.created_at - datetime.timedelta(minutes=1))
    assert relay_waiting() == 0
    assert OutboxMessage.objects.filter(relay_attempts=2).count() == 1

    broker_down.back()
    waiting = OutboxMessage.objects.filter(relayed_at__isnull=True).count()
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        assert relay_waiting() == waiting
        # The worker announces the move; the invitations it causes are queued through the
        # outbox in turn and sent, once to each invited agency's administrator.
        assert wait_for(
            lambda: (
                OutboxMessage.objects.filter(task=market_tasks.invitations_send.name)
                .exclude(done_at=None)
                .exists()
                and not OutboxMessage.objects.filter(done_at=None).exists()
            ),
            timeout=30,
        )
    assert len(_invitation_recipients()) == 4
    assert len(set(_invitation_recipients())) == 4


@pytest.mark.django_db
def test_work_the_broker_took_and_forgot_is_handed_over_again(django_capture_on_commit_callbacks):
    # A broker restarted without persistence forgets the messages it held; the outbox still
    # knows they are not done.
    with django_capture_on_commit_callbacks(execute=True):
        purchase_request = Market().published()
    sent = len(mail.outbox)
    long_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    forgotten = OutboxMessage.objects.create(
        task=market_tasks.award_notify.name,
        args=[purchase_request.pk],
        created_at=long_ago,
        relayed_at=long_ago,
        relays=1,
    )
    given_up = OutboxMessage.objects.create(
        task=market_tasks.award_notify.name,
        args=[purchase_request.pk],
        created_at=long_ago,
        relayed_at=long_ago,
        relays=MAX_RELAYS,
    )
    assert relay_waiting() == 1
    forgotten.refresh_from_db()
    assert forgotten.relays == 2 and forgotten.done_at is not None
    assert len(mail.outbox) > sent
    # A consumer that failed every time is left for someone to look at, and /readyz counts it.
    given_up.refresh_from_db()
    assert given_up.relays == MAX_RELAYS and given_up.done_at is None
    assert backlog()["not_done"] == 1
