from django.core.cache import cache
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.health import run_checks
from core.outbox import backlog
from core.services import SCHEDULER_HEARTBEAT_KEY


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive and answering; says nothing about its dependencies."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Whether this process can serve (503 only when the database does not answer), and
    which shared components are degraded meanwhile (core/health.py says why)."""
    checks = run_checks()
    ready = all(check["ok"] for check in checks.values() if check["required"])
    degraded = any(check.get("degraded") for check in checks.values())
    heartbeat = cache.get(SCHEDULER_HEARTBEAT_KEY) if checks["cache"]["ok"] else None
    return JsonResponse(
        {
            "status": "unavailable" if not ready else "degraded" if degraded else "ok",
            "checks": checks,
            "scheduler_last_heartbeat": heartbeat,
            # Work written while the broker was away and not yet handed to it (core/outbox.py).
            "outbox": backlog() if checks["database"]["ok"] else None,
        },
        status=200 if ready else 503,
        json_dumps_params={"ensure_ascii": False},
    )
