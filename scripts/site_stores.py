"""Fresh stores for a site the fault drill (tests/faults/drill.py) or the quoting burst
(bench/burst.py) starts: its own PostgreSQL database and Redis databases, emptied each run."""

import os
from urllib.parse import urlsplit, urlunsplit


def stores_recreate(environment: dict[str, str]) -> None:
    """Drop and create the database named in environment["DATABASE_URL"] (on the server of
    the outer DATABASE_URL), and empty its broker and cache Redis databases."""
    import psycopg
    import redis

    name = urlsplit(environment["DATABASE_URL"]).path.lstrip("/")
    admin = urlsplit(os.environ["DATABASE_URL"])._replace(path="/postgres")
    with psycopg.connect(urlunsplit(admin), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    for url in (environment["CELERY_BROKER_URL"], environment["CACHE_URL"]):
        redis.Redis.from_url(url).flushdb()
