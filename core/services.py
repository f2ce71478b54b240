from django.core.cache import cache
from django.utils import timezone

SCHEDULER_HEARTBEAT_KEY = "core:scheduler-heartbeat"


def scheduler_heartbeat_record() -> None:
    """Remember when the beat scheduler and a worker last ran a task together, so that
    /readyz can tell a stalled scheduler from a quiet one."""
    cache.set(SCHEDULER_HEARTBEAT_KEY, timezone.localtime().isoformat(), timeout=None)
