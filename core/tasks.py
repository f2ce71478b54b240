from celery import shared_task

from core import status  # noqa: F401  (registers status_changed_dispatch with Celery)
from core.kept_uploads import kept_uploads_delete_expired
from core.outbox import outbox_task, relay_waiting, sweep_done
from core.search import index_object_update
from core.services import scheduler_heartbeat_record


@shared_task
def scheduler_heartbeat() -> None:
    scheduler_heartbeat_record()


# Backing off from a second to ten minutes, fifteen tries last about an hour and a half of
# Elasticsearch being down; after a longer outage `manage.py search_rebuild` catches up.
@outbox_task(autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=600, max_retries=15)
def search_index_update(backend_name: str, model_label: str, pk: str) -> None:
    index_object_update(backend_name=backend_name, model_label=model_label, pk=pk)


@shared_task
def kept_uploads_sweep() -> None:
    """Delete the files kept from failed submissions once their tokens have expired."""
    kept_uploads_delete_expired()


@shared_task
def outbox_relay() -> int:
    """Hand the broker the work that waited for it while it was down (core/outbox.py)."""
    return relay_waiting()


@shared_task
def outbox_sweep() -> int:
    """Forget outbox messages done long ago."""
    return sweep_done()
