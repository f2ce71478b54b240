"""Production: every secret and address comes from the environment, with no default, so a
missing one stops start-up instead of running with a demo value."""

from django.core.exceptions import ImproperlyConfigured

from config.logging import configure_logging

from .base import *  # noqa: F403
from .base import (
    BEACON_DEMO_PUBLIC_KEY,
    LOG_LEVEL,
    PKI_DEMO_KEY_PASSPHRASE,
    database_settings,
    env,
)

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ID_NUMBER_HASH_KEY = env("ID_NUMBER_HASH_KEY")
QUOTE_SEALING_KEYS = env.list("QUOTE_SEALING_KEYS")
TRANSPARENCY_LOG_KEY = env("TRANSPARENCY_LOG_KEY")
TRANSPARENCY_LOG_ORIGIN = env("TRANSPARENCY_LOG_ORIGIN")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
SITE_URL = env("SITE_URL").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL
DATABASES = {"default": database_settings(env.db("DATABASE_URL"))}

SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# HSTS for a year, subdomains included, and eligible for the browsers' preload list: every
# address under the domain is served over HTTPS only. Lower them here (from the environment)
# only while moving a host to HTTPS; a preloaded domain takes months to leave the list.
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

LOGGING = configure_logging(json_output=env.bool("LOG_JSON", default=True), level=LOG_LEVEL)

# The minimum quoting period is always the regulators' working days (PurchasingRules), never
# the demo's shortcut in seconds, whatever the environment says.
DEMO_MIN_QUOTING_SECONDS = None

# The randomness beacon is a public drand chain (quicknet: its values are in
# docs/deployment.md), named in full by the environment. The demo's local beacon has a key
# anyone can read in the repository: production signs nothing and refuses that key's chain.
BEACON_URL = env("BEACON_URL").rstrip("/")
BEACON_PUBLIC_KEY = env("BEACON_PUBLIC_KEY").lower()
BEACON_CHAIN_HASH = env("BEACON_CHAIN_HASH").lower()
BEACON_GENESIS = env.int("BEACON_GENESIS")
BEACON_PERIOD = env.int("BEACON_PERIOD")
BEACON_LOCAL_SECRET_KEY = None
if BEACON_PUBLIC_KEY == BEACON_DEMO_PUBLIC_KEY:
    raise ImproperlyConfigured(
        "BEACON_PUBLIC_KEY is the demo's beacon key, whose secret is public; set a real chain's."
    )

# Signing keys are encrypted with a passphrase only the environment knows, and signatures are
# dated by a real timestamp authority, never the demo's local one (docs/signatures.md).
PKI_KEY_PASSPHRASE = env("PKI_KEY_PASSPHRASE")
TSA_URL = env("TSA_URL").rstrip("/")
if PKI_KEY_PASSPHRASE == PKI_DEMO_KEY_PASSPHRASE:
    raise ImproperlyConfigured(
        "PKI_KEY_PASSPHRASE is the demo's passphrase, which is public; set a secret one."
    )
