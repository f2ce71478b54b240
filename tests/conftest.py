import os

import pytest
from django.conf import settings
from django.db import connection
from modelsearch.index import get_indexed_models
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
