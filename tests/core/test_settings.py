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
    # drand's quicknet chain (docs/deployment.md).
    "BEACON_URL": "https://api.drand.sh",
    "BEACON_PUBLIC_KEY": (
        "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d"
        "1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8"
        "991ef5ece45a"
    ),
    "BEACON_CHAIN_HASH": "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
    "BEACON_GENESIS": "1692803367",
    "BEACON_PERIOD": "3",
    "TRANSPARENCY_LOG_KEY": "bG9nLWtleS1mb3ItdGhlLXByb2R1Y3Rpb24tdGVzdCE=",
    "TRANSPARENCY_LOG_ORIGIN": "zjcs.example.test/transparency",
    "PKI_KEY_PASSPHRASE": "production-test-pki-passphrase",
    "TSA_URL": "https://tsa.example.test",
}


def _start_production(
    env_overrides: dict[str, str | None], code: str = ""
) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in PRODUCTION_ENV}
    env.update({key: value for key, value in {**PRODUCTION_ENV, **env_overrides}.items() if value})
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    return subprocess.run(  # noqa: S603 - this interpreter, running code the tests wrote
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
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
    ("binding", "options"),
    [
        (None, "{'server_side_binding': True, 'prepare_threshold': 2}"),
        ("false", "{}"),
    ],
)
def test_production_reuses_query_plans_unless_behind_a_transaction_pooler(binding, options):
    result = _start_production(
        {"DATABASE_SERVER_SIDE_BINDING": binding},
        "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == options


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
        "BEACON_URL",
        "BEACON_PUBLIC_KEY",
        "BEACON_CHAIN_HASH",
        "BEACON_GENESIS",
        "BEACON_PERIOD",
        "TRANSPARENCY_LOG_KEY",
        "TRANSPARENCY_LOG_ORIGIN",
        "PKI_KEY_PASSPHRASE",
        "TSA_URL",
    ],
)
def test_production_refuses_to_start_without(missing):
    result = _start_production({missing: None})
    assert result.returncode != 0
    assert missing in result.stderr
