from celery import shared_task

from core.services import scheduler_heartbeat_record


@shared_task
def scheduler_heartbeat() -> None:
    scheduler_heartbeat_record()
