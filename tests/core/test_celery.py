"""A task goes through the configured broker to a real worker and back: the filesystem
transport under `make test`, Redis under `make test-services`."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache

from config.celery import app as celery_app
from core.services import SCHEDULER_HEARTBEAT_KEY
from core.tasks import scheduler_heartbeat
from tests.waiting import wait_for


@pytest.mark.slow
def test_a_task_reaches_a_worker_through_the_broker(monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    assert cache.get(SCHEDULER_HEARTBEAT_KEY) is None
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        scheduler_heartbeat.delay()
        assert wait_for(lambda: cache.get(SCHEDULER_HEARTBEAT_KEY) is not None)


def test_the_heartbeat_is_on_the_beat_schedule(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["scheduler-heartbeat"]
    assert schedule["task"] == scheduler_heartbeat.name


@pytest.mark.redis
def test_redis_is_the_broker_and_the_cache():
    import redis
    from django.conf import settings

    from core.health import check_broker, check_cache

    assert check_broker() == "redis"
    assert check_cache() == "RedisCache"
    cache.set("zjcs-probe", "值", timeout=30)
    raw = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    assert any(b"zjcs-probe" in key for key in raw.keys("*zjcs-probe*"))
    print("redis", raw.info()["redis_version"])
