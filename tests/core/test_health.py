import pytest

from core import health

pytestmark = pytest.mark.django_db


def test_healthz_says_the_process_is_alive(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_every_component(client):
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "cache", "search"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["outbox"] == {"waiting": 0, "oldest_seconds": 0, "not_done": 0}


def test_the_broker_unreachable_is_degraded_not_unready(client, monkeypatch):
    # A real connection attempt to a port nothing listens on. Celery reads this environment
    # variable before its own configuration, on every connection.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:9/0")
    response = client.get("/readyz")
    body = response.json()
    # Every web process shares the broker: taking this one out would help no one.
    assert response.status_code == 200, body
    assert body["status"] == "degraded"
    broker = body["checks"]["broker"]
    assert (broker["ok"], broker["required"], broker["degraded"]) == (False, False, True)
    assert body["checks"]["database"]["ok"] is True


def test_the_cache_unreachable_is_degraded_not_unready(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1},
        }
    }
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200, body
    assert body["status"] == "degraded"
    assert body["checks"]["cache"]["ok"] is False and body["checks"]["cache"]["degraded"]
    assert body["scheduler_last_heartbeat"] is None


def test_the_database_unreachable_is_unready(client, monkeypatch):
    # The one component without which this process serves nothing.
    def refuse():
        raise ConnectionError("database refused the connection")

    monkeypatch.setitem(health.CHECKS, "database", refuse)
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {
        "ok": False,
        "required": True,
        "detail": "ConnectionError: database refused the connection",
        "ms": body["checks"]["database"]["ms"],
    }
