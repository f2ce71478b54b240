"""Readiness checks, one per component. Each returns a detail string or raises (Degraded when
the component answers only in part and the process can still serve).

Only the database is required: without it this process can serve nothing. The broker, the
cache and search are shared by every web process, so when one of them fails, taking this
process out of the load balancer would help no one — the others fail the same way — and one
search node down would take the whole site down. Their failure is reported as degraded."""

import time
import uuid
from collections.abc import Callable

from django.core.cache import caches
from django.db import connection
from wagtail.search.backends import get_search_backend

from config.celery import app as celery_app
from core.search import fallback_configured


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def check_broker() -> str:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=3)
        return conn.transport.driver_name


def check_cache() -> str:
    cache = caches["default"]
    key, value = f"readyz:{uuid.uuid4().hex}", "1"
    cache.set(key, value, timeout=10)
    if cache.get(key) != value:
        raise RuntimeError("cache did not return the value just written")
    cache.delete(key)
    return type(cache).__name__


class Degraded(Exception):
    """A component answers, but not fully: the process can still serve."""


def check_search() -> str:
    backend = get_search_backend()
    es = getattr(backend, "es", None)
    if es is None:
        # The database backend lives in the database checked above.
        return type(backend).__module__
    try:
        # Cluster health, not `GET /`: the minimal distribution answers that with 405.
        health = es.cluster.health()
        if health["status"] == "red":
            raise RuntimeError(f"cluster {health['cluster_name']} is red")
    except Exception as error:
        if not fallback_configured():
            raise
        # Searches are answered from the database's index meanwhile (core.search.search).
        raise Degraded(
            f"elasticsearch unavailable ({type(error).__name__}: {error}); "
            "searching the database index"
        ) from error
    return f"elasticsearch cluster {health['cluster_name']} {health['status']}"


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "broker": check_broker,
    "cache": check_cache,
    "search": check_search,
}
REQUIRED = frozenset({"database"})


def run_checks() -> dict[str, dict]:
    results: dict[str, dict] = {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        degraded = False
        try:
            detail, ok = check(), True
        except Degraded as exc:
            detail, ok, degraded = str(exc), True, True
        except Exception as exc:
            detail, ok = f"{type(exc).__name__}: {exc}", False
        results[name] = {
            "ok": ok,
            "required": name in REQUIRED,
            "detail": detail,
            "ms": round((time.monotonic() - started) * 1000, 1),
        }
        if degraded or (not ok and name not in REQUIRED):
            results[name]["degraded"] = True
    return results
