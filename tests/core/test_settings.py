import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "SECRET_KEY": "x" * 50,
    "ID_NUMBER_HASH_KEY": "y" * 50,
    "QUOTE_SEALING_KEYS": "cHJvZHVjdGlvbi10ZXN0LWtleS0zMi1ieXRlcy0hISE=",
    "ALLOWED_HOSTS": "zjcs.example.test",
    "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/zjcs",
    "SITE_URL": "https://zjcs.example.test",
}


def _start_production(env_overrides: dict[str, str | None]) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in PRODUCTION_ENV}
    env.update({key: value for key, value in {**PRODUCTION_ENV, **env_overrides}.items() if value})
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.slow
def test_production_starts_with_its_required_settings():
    result = _start_production({})
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    "missing",
    [
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DATABASE_URL",
        "ID_NUMBER_HASH_KEY",
        "QUOTE_SEALING_KEYS",
        "SITE_URL",
    ],
)
def test_production_refuses_to_start_without(missing):
    result = _start_production({missing: None})
    assert result.returncode != 0
    assert missing in result.stderr
