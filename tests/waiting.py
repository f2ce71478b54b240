"""Waiting on real, asynchronous parts (a Celery worker in a thread): the clock is not faked
here, only waited on."""

import time


def wait_for(predicate, timeout: float = 20.0) -> bool:
    """Poll `predicate` until it holds or `timeout` seconds pass; returns whether it held."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False
