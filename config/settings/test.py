"""Settings for the test suite. The same file serves `make test` (embedded defaults) and
`make test-services` (DATABASE_URL, CELERY_BROKER_URL, CACHE_URL and ELASTICSEARCH_URL set)."""

import tempfile
from pathlib import Path

from config.logging import configure_logging

from .base import *  # noqa: F403
from .base import (
    CELERY_BROKER_URL,
    DATABASES,
    VAR_DIR,
    WAGTAILSEARCH_BACKENDS,
    env,
    filesystem_broker_options,
)

SECRET_KEY = "test-only-insecure-key"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed, tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks queued after a commit run at once, so a test sees the mail they send; the broker
# itself is tested with a real worker (tests/core/test_celery.py turns this off there).
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "private": {"BACKEND": "core.files.PrivateInMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
MEDIA_ROOT = "/nonexistent-media-root"  # nothing may write real files in tests
if CELERY_BROKER_URL.startswith("filesystem://"):
    # Each test run gets its own broker folder, so a demo worker running beside it on this
    # machine never takes the tests' messages (or the other way round).
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(
        Path(tempfile.mkdtemp(prefix="zjcs-test-broker-"))
    )
if "INDEX_PREFIX" in WAGTAILSEARCH_BACKENDS["default"]:
    WAGTAILSEARCH_BACKENDS["default"]["INDEX_PREFIX"] = "test_zjcs_"

LOGGING = configure_logging(json_output=True, level=env("LOG_LEVEL", default="WARNING"))

WHITENOISE_AUTOREFRESH = True  # serve from the finders; tests never run collectstatic
WHITENOISE_USE_FINDERS = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so `pytest --reuse-db` (the default in pyproject.toml) keeps the
    # migrated test database between runs; `--create-db` builds it afresh.
    # TEST_DB_FILE lets two runs side by side on one machine keep apart.
    DATABASES["default"]["TEST"] = {
        "NAME": str(VAR_DIR / env("TEST_DB_FILE", default="test.sqlite3"))
    }
    # A test database need not survive a crash: no journal on disk, no waiting for it.
    DATABASES["default"]["OPTIONS"] = {
        **DATABASES["default"]["OPTIONS"],
        "init_command": "PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF;",
    }
