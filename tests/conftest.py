import os
import sqlite3

import pytest
from django.conf import settings
from django.db import connection
from modelsearch.index import get_indexed_models
from pytest_django.plugin import blocking_manager_key
from wagtail.search.backends import get_search_backend

from accounts.models import Role
from tests.accounts.factories import OrganisationFactory, UserFactory


def _redis_configured() -> bool:
    return (
        settings.CELERY_BROKER_URL.startswith("redis")
        and "redis" in settings.CACHES["default"]["BACKEND"].lower()
    )


SERVICES = {
    "postgres": lambda: connection.vendor == "postgresql",
    "redis": _redis_configured,
    "elasticsearch": lambda: bool(settings.ELASTICSEARCH_URL),
}


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A test marked with a service runs only where that service is configured. Under
    `make test-services` in CI a missing service is a failure: CI must prove the real thing."""
    for name, configured in SERVICES.items():
        if item.get_closest_marker(name) and not configured():
            message = f"{name} is not configured for this run"
            if os.environ.get("CI") == "true" and os.environ.get("ZJCS_REQUIRE_SERVICES") == "1":
                pytest.fail(message, pytrace=False)
            pytest.skip(message)


@pytest.fixture
def search_index(db):
    """A clean search index for the test. The database backend's index lives in the test
    database and is rolled back with it; an Elasticsearch index outlives the test, so it is
    recreated (with the configured analyzers and mappings) before each test that uses it."""
    backend = get_search_backend()
    indexes = []
    for model in get_indexed_models():
        index = backend.get_index_for_model(model)
        if hasattr(index, "reset"):
            index.reset()
            index.add_model(model)
            indexes.append(index)

    class Handle:
        @staticmethod
        def refresh() -> None:
            # Elasticsearch shows new documents to searches only after a refresh.
            for index in indexes:
                index.refresh()

    return Handle


@pytest.fixture(autouse=True)
def _isolated_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def owner_user(db):
    return UserFactory(organisation=OrganisationFactory(kind=Role.PROJECT_OWNER))


@pytest.fixture
def agency_user(db):
    return UserFactory(organisation=OrganisationFactory(kind=Role.AGENCY))


@pytest.fixture
def regulator_user(db):
    return UserFactory(organisation=OrganisationFactory(kind=Role.REGULATOR))


@pytest.fixture
def approval_user(db):
    return UserFactory(organisation=OrganisationFactory(kind=Role.APPROVAL_DEPARTMENT))


# A copy of the SQLite test database as migrations left it (Wagtail's root and home pages,
# permissions, the role groups), taken once per run.
_sqlite_snapshot: list[sqlite3.Connection] = []


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            snapshot = sqlite3.connect(":memory:")
            connection.connection.backup(snapshot)
            _sqlite_snapshot.append(snapshot)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A test marked `restores_database` rebuilds the test database, which pytest-django then
    empties; on SQLite (where `make test` keeps the database for the next run) the copy taken
    at the start is put back, so later tests — and the next run — find it whole. On
    PostgreSQL the suite always starts from a new database (`make test-services`)."""
    result = yield
    if item.get_closest_marker("restores_database") and _sqlite_snapshot:
        with item.config.stash[blocking_manager_key].unblock():
            connection.ensure_connection()
            _sqlite_snapshot[0].backup(connection.connection)
    return result
