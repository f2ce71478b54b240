import os
import shutil
import sqlite3
import threading

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from modelsearch.index import get_indexed_models
from pytest_django.plugin import blocking_manager_key
from wagtail.search.backends import get_search_backend

from accounts.models import Role
from accounts.permissions import allowed
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
    indexes: dict = {}
    for model in get_indexed_models():
        index = backend.get_index_for_model(model)
        if not hasattr(index, "reset"):
            continue
        # Elasticsearch's page models share one index: it is reset once, then each model adds
        # its mapping. The database backends' indexes have no name and are reset per model.
        key = getattr(index, "name", model._meta.label)
        if key not in indexes:
            index.reset()
            indexes[key] = index
        index.add_model(model)

    class Handle:
        @staticmethod
        def refresh() -> None:
            # Elasticsearch shows new documents to searches only after a refresh.
            for index in indexes.values():
                index.refresh()

    return Handle


@pytest.fixture(autouse=True)
def _isolated_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a request in English leaves English active
    in the thread (LocaleMiddleware never switches back), and `reverse()` in the next test
    on the same worker would then prefix /en/."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _force_login_gives_the_second_factor(monkeypatch):
    """`client.force_login` skips the password; for a user whose role needs a second factor
    it also skips the code, as if it had been entered. The sign-in itself, both steps, is
    tested in tests/accounts/test_two_factor.py."""
    force_login = Client.force_login

    def force_login_verified(self, user, backend=None):
        force_login(self, user, backend)
        if allowed("accounts.needs_second_factor", user):
            device, _ = TOTPDevice.objects.get_or_create(
                user=user, name="test", defaults={"confirmed": True}
            )
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login_verified)


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


@pytest.fixture(scope="session")
def local_beacon_url():
    """The local randomness beacon (core/beacon_server.py) on a free port of 127.0.0.1, for the
    whole run: draws fetch their rounds from it over HTTP, as from drand in production. Its
    clock is the tests' own (time_machine moves it too)."""
    from core.beacon import local_beacon
    from core.beacon_server import beacon_server

    server = beacon_server(local_beacon(), port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _beacon_served(local_beacon_url):
    # Not through the `settings` fixture: a test's own changes to settings must be undone in
    # the order that test expects, whatever this fixture does.
    with override_settings(BEACON_URL=local_beacon_url):
        yield


@pytest.fixture(scope="session")
def local_pki(tmp_path_factory):
    """A certificate authority made for the run in a temporary PKI_DIR (contracts/pki.py), and
    its timestamp authority (contracts/tsa_server.py) on a free port of 127.0.0.1: signatures
    are dated over HTTP, as by a real TSA in production."""
    from contracts.pki import init_pki
    from contracts.tsa import local_authority
    from contracts.tsa_server import tsa_server

    directory = tmp_path_factory.mktemp("pki")
    with override_settings(PKI_DIR=directory):
        init_pki()
        server = tsa_server(local_authority(), port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"directory": directory, "tsa_url": f"http://127.0.0.1:{server.server_address[1]}"}
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _pki_served(local_pki):
    with override_settings(PKI_DIR=local_pki["directory"], TSA_URL=local_pki["tsa_url"]):
        yield


@pytest.fixture
def own_pki(tmp_path, local_pki):
    """A copy of the run's CA in the test's own PKI_DIR (same root and TSA, so the local TSA
    still vouches for it), for a test that revokes: its CRL stays there."""
    directory = tmp_path / "pki"
    shutil.copytree(local_pki["directory"], directory)
    with override_settings(PKI_DIR=directory):
        yield directory
