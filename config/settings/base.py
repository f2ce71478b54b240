"""Settings shared by every environment. Values come from the environment (django-environ).

The defaults are the embedded ones — a SQLite file, a filesystem Celery broker, local-memory
cache, Wagtail's database search — so that `make demo` runs with no server. Production and CI
set the URLs of the real services instead.
"""

from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Applications ---------------------------------------------------------------------------------
DJANGO_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]
WAGTAIL_APPS = [
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
]
THIRD_PARTY_APPS = [
    "guardian",
    "axes",
    "django_celery_beat",
    "django_structlog",
    "rules",
    "django_filters",
    "django_otp",
    "django_otp.plugins.otp_totp",
]
LOCAL_APPS = [
    "core",
    "accounts",
    "catalogue",
    "agencies",
    "market",
    "contracts",
    "credit",
    "cms",
]
INSTALLED_APPS = LOCAL_APPS + WAGTAIL_APPS + THIRD_PARTY_APPS + DJANGO_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.request_limits.RequestSizeLimitMiddleware",
    "csp.middleware.CSPMiddleware",
    # After CSPMiddleware, so it hands the admin's policy to it (see the CSP block below).
    "core.security_headers.AdminContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks the session verified once a second factor was given (django-otp).
    "django_otp.middleware.OTPMiddleware",
    "accounts.two_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_structlog.middlewares.RequestMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: it turns a lock-out raised in authentication into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
                "core.context_processors.preferences",
            ],
        },
    },
]


# Database -------------------------------------------------------------------------------------
def database_settings(database: dict) -> dict:
    """The connection settings for a database read from its URL (production reads its own)."""
    database["ATOMIC_REQUESTS"] = False
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # Web, worker and beat share one SQLite file in the demo: WAL lets readers go on during
        # a write, IMMEDIATE takes the write lock up front so concurrent writers wait (up to the
        # timeout) instead of failing with "database is locked" half-way through a transaction.
        database["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        return database
    database["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    database["CONN_HEALTH_CHECKS"] = True
    # Planning a list page's query (six tables joined) took PostgreSQL longer than running it.
    # With the parameters sent apart from the SQL, psycopg prepares a query the second time a
    # connection runs it and the server reuses its plan: the notices' page query fell from
    # about 7.5 to 4.4 ms. A pooler in transaction mode (PgBouncer) cannot keep a prepared
    # statement with its connection: behind one, set DATABASE_SERVER_SIDE_BINDING=false.
    if env.bool("DATABASE_SERVER_SIDE_BINDING", default=True):
        database["OPTIONS"] = {
            "server_side_binding": True,
            "prepare_threshold": 2,
            **database.get("OPTIONS", {}),
        }
    return database


DATABASES = {
    "default": database_settings(
        env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache ----------------------------------------------------------------------------------------
# The embedded default is a folder, not process memory: web, worker and beat share it.
CACHES = {"default": env.cache_url("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}")}
if CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache":
    # Redis down is a cache that misses, not a site that fails: each operation gives up after
    # a second and is answered as a miss (logged), so pages are still served from the database.
    CACHES["default"]["OPTIONS"] = {
        "SOCKET_CONNECT_TIMEOUT": 1,
        "SOCKET_TIMEOUT": 1,
        "IGNORE_EXCEPTIONS": True,
        **CACHES["default"].get("OPTIONS", {}),
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# Accounts and security ------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out login is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# Object rules (who acts for which agency, project or request) are django-rules predicates in
# accounts/permissions.py, tested with `rules.test_rule`, never through the backends above.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "cms:workspace"
LOGOUT_REDIRECT_URL = "/"

# Login throttling: five failures for one username from one address lock that pair out for a
# quarter of an hour; a success clears the count.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# The client's address, for the lockout above and the password-reset limit below, comes from
# one function: X-Forwarded-For is believed only on a connection from one of these proxies
# (addresses or networks, e.g. "127.0.0.1" or "10.0.0.0/24"); left empty, the header is
# ignored and REMOTE_ADDR counts (core/client_address.py, docs/proxy-throttling.md).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
AXES_CLIENT_IP_CALLABLE = "core.client_address.client_ip_address"

# Password reset: at most this many requests an hour for one e-mail address, and from one
# client address (accounts/throttling.py, counted in the cache above). Over either, no mail
# is sent and the page answers as if it had been.
PASSWORD_RESET_LIMIT_PER_ACCOUNT = env.int("PASSWORD_RESET_LIMIT_PER_ACCOUNT", default=3)
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=10)

# Practitioners' ID numbers are kept only as HMAC-SHA256 under this key (core/identity.py).
# Changing it makes every stored hash unmatchable, so production must set it once and keep it.
ID_NUMBER_HASH_KEY = env("ID_NUMBER_HASH_KEY", default="demo-only-id-number-hash-key")

# Quote amounts and draw secrets are sealed with these Fernet keys until opening
# (market/sealing.py, docs/sealing.md). They live outside the database; the first key seals,
# all of them open, so a key can be rotated. The default is for the demo and tests only.
QUOTE_SEALING_KEYS = env.list(
    "QUOTE_SEALING_KEYS", default=["Znj-xEXtBJQQDuYgPqeCYIu9J-ezaeDZ1gNU43Huy_k="]
)

# The public transparency log (core/transparency.py, docs/transparency.md) signs each
# checkpoint with this Ed25519 private key (base64 of its 32 raw bytes); the public key is shown
# at /transparency/. The default is committed, so anyone can sign with it: demo and tests only.
TRANSPARENCY_LOG_KEY = env(
    "TRANSPARENCY_LOG_KEY", default="cgDE7Cw24YaHEXt9hUTAYRcnrSDt6W/jZ80ox0rKqNU="
)
# The log's name, the first line of every checkpoint: a checkpoint of one log never passes for
# another's.
TRANSPARENCY_LOG_ORIGIN = env("TRANSPARENCY_LOG_ORIGIN", default="zjcs.demo/transparency")

GUARDIAN_RAISE_403 = True
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; the public sees public pages only

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the language switcher and Wagtail admin read it from forms only
# No page may be framed. Wagtail's preview panel frames the admin's own preview views, and
# those set SAMEORIGIN on their responses themselves (wagtail.utils.decorators
# .xframe_options_sameorigin_override), so DENY here does not break previews.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content Security Policy (django-csp 4) -------------------------------------------------------
# Our pages load scripts, styles, fonts and images from our own static files only: no inline
# <script>, no style="", no on*= handlers (tests/core/test_security_headers.py keeps it so),
# so neither 'unsafe-inline' nor a nonce is needed, and markup an attacker slips into a page
# cannot run. Rich text that embeds another site (Wagtail's "embed" feature) is blocked too.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
# Wagtail's admin still writes inline scripts (date pickers, inline panels) and style
# attributes we cannot change (wagtail/wagtail#1288, #7053), so everything under its prefix
# (where config/urls.py mounts it) gets this looser policy instead: django-csp's per-view
# override applied by path (core.security_headers.AdminContentSecurityPolicyMiddleware), because
# Wagtail's views cannot be decorated one by one. Excluding the prefix (EXCLUDE_URL_PREFIXES)
# would leave the admin with no policy at all; this one still refuses every other origin, and
# 'unsafe-eval' is not needed (Wagtail dropped eval in 2.4). frame-ancestors is 'self' because
# the preview panel frames the admin's own preview views; blob: images are upload previews.
ADMIN_CONTENT_SECURITY_POLICY = {
    "URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
# What the admin would otherwise fetch from other origins, which the policy above refuses:
# user avatars from gravatar.com (Wagtail's default avatar is used instead) and the
# dashboard's check for a newer Wagtail (releases.wagtail.org; upgrades go through uv.lock).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Nobody sets another person's password in the back office: a new account's owner gets a
# link to choose one, and people reset their own by mail (accounts/audit.py).
WAGTAILUSERS_PASSWORD_ENABLED = False
# The name authenticator apps show beside the code.
OTP_TOTP_ISSUER = "中介超市"

# Internationalisation: Chinese first, English second, times in Beijing time -----------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Static and media files -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Uploaded documents (licences, certificate scans, proposals) live apart from anything served
# directly, under random names, and are served only by views that ask the permission layer
# first (core/files.py). The demo streams them; production hands the path to the proxy
# (X-Accel-Redirect) through django-sendfile2, see docs/deployment.md.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private"))
SENDFILE_BACKEND = env("SENDFILE_BACKEND", default="django_sendfile.backends.simple")
SENDFILE_ROOT = str(PRIVATE_MEDIA_ROOT)
SENDFILE_URL = env("SENDFILE_URL", default="/protected")
# Whether the public roster links the scans of verified certificates (R3 makes the roster
# public, not the documents): off, the roster shows each certificate's data only.
PUBLIC_CERTIFICATE_SCANS = env.bool("PUBLIC_CERTIFICATE_SCANS", default=False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "core.files.PrivateFileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT)},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# The largest request body accepted at all, refused from its Content-Length before it is
# read (core.request_limits.RequestSizeLimitMiddleware); room for a registration's few scans of
# at most 10 MB each. The proxy's client_max_body_size says the same (docs/deployment.md).
REQUEST_MAX_BYTES = env.int("REQUEST_MAX_BYTES", default=32 * 1024 * 1024)

# E-mail ---------------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="中介超市 <noreply@zjcs.localhost>")

# Celery ---------------------------------------------------------------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")


def filesystem_broker_options(folder: Path) -> dict:
    """A broker that needs no server: messages are files in one shared folder, so the web
    process, the worker and beat (separate processes) still see one queue."""
    for sub in ("queue", "control"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }


if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(VAR_DIR / "celery")
else:
    # Redis gives a message a worker took and never acknowledged (the worker was killed) to
    # another worker after this long; every task is shorter, and a second run acts once.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("BROKER_VISIBILITY_TIMEOUT", default=3600)
    }
# An outbox message the broker took this long ago and no worker has done is handed over
# again (core/outbox.py): a broker restarted without persistence has forgotten it.
OUTBOX_REDELIVER_SECONDS = env.int("OUTBOX_REDELIVER_SECONDS", default=900)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# A task is acknowledged when it ends, not when it starts, and a worker process that dies
# mid-task gives its message back: the task runs again, and acts once (core/outbox.py).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Keep the LOGGING configuration (structured, with ids) in workers too.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Times are Beijing time (CELERY_TIMEZONE). Each task is safe to run twice or late: every
# request also checks the clock itself, so nothing waits on the scheduler being on time.
CELERY_BEAT_SCHEDULE = {
    "scheduler-heartbeat": {"task": "core.tasks.scheduler_heartbeat", "schedule": 60.0},
    "kept-uploads-sweep": {"task": "core.tasks.kept_uploads_sweep", "schedule": 3600.0},
    "outbox-relay": {
        "task": "core.tasks.outbox_relay",
        "schedule": env.float("OUTBOX_RELAY_SECONDS", default=15.0),
    },
    "outbox-sweep": {"task": "core.tasks.outbox_sweep", "schedule": crontab(hour=4, minute=0)},
    "catalogue-apply-due-versions": {
        "task": "catalogue.tasks.catalogue_versions_apply_due",
        "schedule": crontab(hour=0, minute=5),
    },
    "purchase-requests-clock": {
        "task": "market.tasks.purchase_requests_advance_due",
        "schedule": 60.0,
    },
    "agencies-qualification-expiry": {
        "task": "agencies.tasks.qualifications_expiry_daily",
        "schedule": crontab(hour=1, minute=30),
    },
    "contracts-sweep": {"task": "contracts.tasks.contracts_sweep", "schedule": 300.0},
    "contracts-crl-reissue": {
        "task": "contracts.tasks.crl_reissue_daily",
        "schedule": crontab(hour=2, minute=0),
    },
    "contracts-overdue-reminders": {
        "task": "contracts.tasks.contracts_overdue_remind_daily",
        "schedule": crontab(hour=8, minute=30),
    },
    "credit-complaints-overdue-reminders": {
        "task": "credit.tasks.complaints_overdue_remind_daily",
        "schedule": crontab(hour=8, minute=30),
    },
    "credit-violations-daily": {
        "task": "credit.sanction_tasks.contracts_violations_daily",
        "schedule": crontab(hour=1, minute=45),  # after the certificate expiry run at 01:30
    },
    "credit-blacklist-ended": {
        "task": "credit.sanction_tasks.blacklist_ended_sweep",
        "schedule": crontab(hour=0, minute=10),
    },
    "credit-recompute-nightly": {
        "task": "credit.score_tasks.credit_recompute_all",
        "schedule": crontab(hour=3, minute=10),
    },
    "credit-rating-reminders": {
        "task": "credit.tasks.ratings_remind_daily",
        "schedule": crontab(hour=9, minute=0),
    },
}
DJANGO_STRUCTLOG_CELERY_ENABLED = True
# The proxy in front (docs/architecture.md) stamps each request with X-Request-ID, so one id
# follows a request from the proxy's log through ours.
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = env.bool("TRUST_UPSTREAM_REQUEST_ID", default=True)

# A certificate an agency adds or changes is verified by a regulator within this many
# working days; until then it counts for nothing.
QUALIFICATION_REVIEW_WORKDAYS = env.int("QUALIFICATION_REVIEW_WORKDAYS", default=2)

# Grounds R3 forbids for refusing or suspending an agency (locality, quotas, sector, size):
# a reason containing one of these phrases is refused with an explanation.
AGENCY_FORBIDDEN_GROUNDS = env.list(
    "AGENCY_FORBIDDEN_GROUNDS",
    default=[
        "非本地",
        "外地",
        "本地注册",
        "注册地",
        "数量已满",
        "名额",
        "限额",
        "指标已满",
        "本系统",
        "本行业",
        "注册资本",
        "规模不足",
    ],
)

# Selection (docs/selection.md) ----------------------------------------------------------------
# Direct selection by the owner is allowed only for these kinds of funding.
SELECTION_DIRECT_ALLOWED_FUNDING = env.list("SELECTION_DIRECT_ALLOWED_FUNDING", default=["social"])
# Fewest valid quotes each method needs, by funding; below it the request fails (流标).
SELECTION_MIN_QUOTES = {
    "state": {"random_draw": 3, "optimal_price": 3, "default": 1},
    "social": {"default": 1},
}
AWARD_PUBLICITY_WORKDAYS = env.int("AWARD_PUBLICITY_WORKDAYS", default=3)
# The minimum quoting period is the regulators' (market.models.PurchasingRules, in the back
# office's settings). The demo's own, shorter minimum in seconds replaces it when set, so that
# the demo can stage real draws within seconds; production refuses it (production.py).
DEMO_MIN_QUOTING_SECONDS = env.int("DEMO_MIN_QUOTING_SECONDS", default=None)
# R2, fee splitting: one owner's requests for one item published within the window, each
# below the threshold but together reaching it, block the next publication.
FEE_SPLITTING_THRESHOLD = env.int("FEE_SPLITTING_THRESHOLD", default=30000)  # yuan
FEE_SPLITTING_WINDOW_DAYS = env.int("FEE_SPLITTING_WINDOW_DAYS", default=90)
# R2, reference prices: a quote outside the published range needs a written justification
# and is flagged to regulators; whether it may still win a random draw is this setting.
QUOTE_OUTSIDE_RANGE_MAY_WIN_RANDOM_DRAW = env.bool(
    "QUOTE_OUTSIDE_RANGE_MAY_WIN_RANDOM_DRAW", default=False
)

# Delivery (contracts/services/delivery.py): the largest file an agency may deliver. A request
# carrying one must also pass REQUEST_MAX_BYTES and the proxy's limit.
DELIVERABLE_MAX_BYTES = env.int("DELIVERABLE_MAX_BYTES", default=50 * 1024 * 1024)

# Randomness beacon (core/beacon.py) -----------------------------------------------------------
# A draw mixes in a public beacon's value for a round fixed in advance, so that nobody — the
# platform included — knows its result before that round exists. Production reads drand's
# quicknet chain (docs/deployment.md has its values); the demo and the tests run a local beacon
# in the same format (`manage.py run_beacon`, the Procfile's `beacon` line) with the key below.
BEACON_URL = env("BEACON_URL", default="http://127.0.0.1:8731").rstrip("/")
BEACON_TIMEOUT_SECONDS = env.float("BEACON_TIMEOUT_SECONDS", default=5.0)
BEACON_PERIOD = env.int("BEACON_PERIOD", default=3)  # seconds between rounds, as quicknet
BEACON_GENESIS = env.int("BEACON_GENESIS", default=1767225600)  # 2026-01-01 00:00 UTC, round 1
# The local beacon's BLS secret key. It is PUBLIC — committed here — so anyone can forge this
# beacon's rounds: it is for the demo and the tests only, and production refuses it.
BEACON_LOCAL_SECRET_KEY = env(
    "BEACON_LOCAL_SECRET_KEY",
    default="44f73c4f543fe74a0262b371eb7a6b92dddf28bd199f5e8441af09525f6aec0f",
)
# The chain the draws trust. The defaults are the local key's public key and its chain hash
# for the period and genesis above (tests/core/test_beacon.py checks they match); change them
# together, or the client will not find or trust the local beacon's rounds.
BEACON_DEMO_PUBLIC_KEY = (
    "a1204b094d4c9f01cc671644a65abd8e62f6b46ce27654d76184319c8afa7151e304e05fc8e5ab4d8159e6"
    "000c7ecbf411b87b5d9e54c062cbc750818a368f6ad17638dfc6cf95be42a9c8826651c7351ca2efefcff4"
    "f47a26133365c82e6a42"
)
BEACON_PUBLIC_KEY = env("BEACON_PUBLIC_KEY", default=BEACON_DEMO_PUBLIC_KEY)
BEACON_CHAIN_HASH = env(
    "BEACON_CHAIN_HASH", default="7f48d3e9fef9da485fce5ad026f32bd8cede8e5447e8033fad3d027d0258f4bc"
)

# Electronic signatures (contracts/pki.py, contracts/signing.py, docs/signatures.md) ------------
# The demo's certificate authority lives in this folder: the root certificate, its key, the
# timestamp authority's certificate and key, and the current CRL (`manage.py init_pki`).
PKI_DIR = env.path("PKI_DIR", default=str(VAR_DIR / "pki"))
# Every private key (the CA's, the TSA's, each organisation's in the database) is stored
# encrypted with this passphrase. The default is PUBLIC — committed here — so it protects
# nothing: demo and tests only, and production refuses it.
PKI_DEMO_KEY_PASSPHRASE = "zjcs-demo-pki-passphrase"  # noqa: S105
PKI_KEY_PASSPHRASE = env("PKI_KEY_PASSPHRASE", default=PKI_DEMO_KEY_PASSPHRASE)
# The root certificate's name. It says "demo" on purpose: this CA is not a licensed
# certification service provider (电子认证服务机构), see docs/signatures.md.
PKI_CA_NAME = env("PKI_CA_NAME", default="中介超市电子签章测试根证书 (demo)")
# The RFC 3161 timestamp authority that dates every signature. The demo and the tests run a
# local one (`manage.py run_tsa`, the Procfile's `tsa` line) with the certificate above;
# production names a real TSA.
TSA_URL = env("TSA_URL", default="http://127.0.0.1:8732").rstrip("/")
TSA_TIMEOUT_SECONDS = env.float("TSA_TIMEOUT_SECONDS", default=10.0)

# Ratings (credit/, R12): a rating may be changed by its rater for this many days, then it is
# frozen; an aspect scored at or below RATING_POOR_AT makes it a poor rating, which needs a
# reason and counts only once a regulator has upheld it.
RATING_FROZEN_DAYS = env.int("RATING_FROZEN_DAYS", default=7)
RATING_POOR_AT = env.int("RATING_POOR_AT", default=2)
# The owner is reminded to rate a finished service this many days after acceptance (each
# once, R12: ratings must not stall), and both parties are reminded when a delivery has
# waited this many working days for the owner's acceptance or return.
RATING_REMINDER_DAYS = (3, 10)
DELIVERY_DECISION_REMINDER_WORKDAYS = env.int("DELIVERY_DECISION_REMINDER_WORKDAYS", default=5)

# Complaints (credit/, R12): every complaint is accepted on arrival, acknowledged within
# COMPLAINT_ACK_WORKDAYS and answered within COMPLAINT_ANSWER_WORKDAYS working days.
COMPLAINT_ACK_WORKDAYS = env.int("COMPLAINT_ACK_WORKDAYS", default=1)
COMPLAINT_ANSWER_WORKDAYS = env.int("COMPLAINT_ANSWER_WORKDAYS", default=5)
# A contract accepted more than this many working days after its time limit records a
# violation by itself (credit/, R11).
LATE_DELIVERY_VIOLATION_WORKDAYS = env.int("LATE_DELIVERY_VIOLATION_WORKDAYS", default=10)

# The credit score (credit/services/scoring.py; the formula and a worked example are in
# docs/credit.md): a window of CREDIT_WINDOW_DAYS; the owners' ratings, the regulators'
# assessments and the platform behaviour weighed as below; a component with nothing to
# measure yet counts CREDIT_NEUTRAL; a violation in force deducts by its severity; the grade
# is the first whose threshold the score reaches.
CREDIT_WINDOW_DAYS = 365
CREDIT_WEIGHTS = {"owner_ratings": 50, "regulator_assessments": 30, "platform_behaviour": 20}
CREDIT_NEUTRAL = 80
CREDIT_DEDUCTIONS = {"minor": 3, "ordinary": 8, "serious": 20, "grave": 40}
CREDIT_GRADE_THRESHOLDS = (("A", 90), ("B", 75), ("C", 60), ("D", 0))

# Search: Wagtail's search framework, one path whatever the backend --------------------------
ELASTICSEARCH_URL = env("ELASTICSEARCH_URL", default="")
SEARCH_INDEX = env("SEARCH_INDEX", default="zjcs")
WAGTAILSEARCH_BACKENDS: dict[str, dict]
if ELASTICSEARCH_URL:
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "core.search_backends",
            "URLS": [ELASTICSEARCH_URL],
            "INDEX_PREFIX": f"{SEARCH_INDEX}_",
            "TIMEOUT": 10,
        },
        # The database's own index, kept beside Elasticsearch by the same index updates, so
        # that search still answers from it while Elasticsearch is down (core/search/).
        "database": {"BACKEND": "wagtail.search.backends.database"},
    }
else:
    WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# Wagtail --------------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "行政审批中介服务网上超市"
# The address people reach the site at: links in mail (and Wagtail's admin) are made from it.
# `make demo` sets it from PORT; production must set it.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAIL_I18N_ENABLED = False
WAGTAIL_CONTENT_LANGUAGES = [("zh-hans", "简体中文")]
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "csv", "png", "jpg", "jpeg"]

# A draw mixes in the beacon round first published this long after the quote deadline. The
# quotes that enter the draw are fixed and logged at the deadline (the scheduled sweep runs
# every minute), and must be on the log before that round exists: verification checks it.
BEACON_DELAY_SECONDS = env.int("BEACON_DELAY_SECONDS", default=180)

# Logging: one structured event per line, with the request id bound by django-structlog ------
LOG_JSON = env.bool("LOG_JSON", default=False)
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
