"""One settings base with safe defaults from the environment (docs/style.md, habit 8).

Runtime configuration that an administrator changes (holiday calendar, thresholds) lives in
the database, never here. Everything secret comes from the environment.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from shuzheng.core.filestorage import default_storage_config

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent  # the repository root in a checkout


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# SHUZHENG_DEMO=1 enables the demo outbox page and the demo fallbacks (make demo sets it).
DEMO = env_bool("SHUZHENG_DEMO", False)
DEBUG = env_bool("SHUZHENG_DEBUG", False)
# Under pytest the test settings apply even when SHUZHENG_TESTING is not exported.
TESTING = env_bool("SHUZHENG_TESTING", False) or "pytest" in sys.modules

SECRET_KEY = os.environ.get("SHUZHENG_SECRET_KEY", "")
if not SECRET_KEY:
    if DEMO or DEBUG or TESTING:
        SECRET_KEY = "insecure-demo-key-do-not-use-in-production-" + "0" * 16
    else:
        raise ImproperlyConfigured(
            "SHUZHENG_SECRET_KEY must be set (or SHUZHENG_DEMO=1 for the demo)."
        )

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("SHUZHENG_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(
        ","
    )
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("SHUZHENG_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
# The address people reach the platform at, for what is made with no request at hand: the
# verify QR code and address printed on a licence PDF. SHUZHENG_PUBLIC_URL, else https:// and the
# first allowed host that names a server, else the demo's http://localhost:8000.
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "testserver", "*"}
PUBLIC_URL = os.environ.get("SHUZHENG_PUBLIC_URL", "").strip().rstrip("/") or next(
    (f"https://{h}" for h in ALLOWED_HOSTS if h not in _LOCAL_HOSTS and not h.startswith(".")),
    "http://localhost:8000",
)
if not PUBLIC_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("SHUZHENG_PUBLIC_URL must start with https:// or http://")
# Production (neither demo, debug nor tests): the public address is a trusted CSRF origin, so a
# form posted through a proxy that rewrites the Host header still passes (docs/deploy/README.md).
_PRODUCTION = not (DEMO or DEBUG or TESTING)
if _PRODUCTION and PUBLIC_URL.startswith("https://") and PUBLIC_URL not in CSRF_TRUSTED_ORIGINS:
    CSRF_TRUSTED_ORIGINS.append(PUBLIC_URL)
# under /api/ a CSRF failure answers in the API's JSON error format (core/views.py)
CSRF_FAILURE_VIEW = "shuzheng.core.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves the vendored Swagger UI for /api/v1/docs
    # L0
    "shuzheng.core",
    # L3
    "shuzheng.proactive",
    "shuzheng.ratings",
    "shuzheng.appointments",
    "shuzheng.hotline",
    "shuzheng.cases",
    "shuzheng.payments",
    "shuzheng.reporting",
    "shuzheng.governance",
    "shuzheng.supervision",
    "shuzheng.documents",
    # L2
    "shuzheng.catalog",
    "shuzheng.notify",
    "shuzheng.rules",
    "shuzheng.licenses",
    "shuzheng.seals",
    "shuzheng.exchange",
    "shuzheng.knowledge",
    # L1
    "shuzheng.identity",
    "shuzheng.audit",
    "shuzheng.files",
    # L4
    "shuzheng.portal",
    "shuzheng.workbench",
    "shuzheng.console",
    "shuzheng.api",
]

MIDDLEWARE = [
    "shuzheng.core.middleware.RequestIdMiddleware",
    "shuzheng.console.observability.RequestMetricsMiddleware",  # access log line, metrics
    "shuzheng.core.middleware.ApiErrorMiddleware",  # /api/ errors Django makes: JSON, Chinese
    "django.middleware.security.SecurityMiddleware",
    "shuzheng.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shuzheng.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "shuzheng.urls"
WSGI_APPLICATION = "shuzheng.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shuzheng.core.context_processors.shell",
            ],
            "builtins": ["shuzheng.core.templatetags.shuzheng_tags"],
        },
    },
]

# Database: SQLite (WAL) by default so the demo needs nothing installed; PostgreSQL in production.
_default_sqlite = BASE_DIR / "var" / "shuzheng.sqlite3"
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{_default_sqlite}"
# Connections are kept per worker thread (opening an SQLite connection runs three PRAGMAs).
CONN_MAX_AGE = int(os.environ.get("SHUZHENG_DB_CONN_MAX_AGE", "60"))
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and os.environ.get(
    "SHUZHENG_PG_PREPARE", "1"
) not in ("0", ""):
    # Server-side binding, and psycopg prepares a statement after its 5th use on a connection:
    # the platform repeats a few hundred small queries, and planning them anew took more of
    # PostgreSQL's CPU than running them (bench/exchange). Set SHUZHENG_PG_PREPARE=0 behind a
    # transaction-pooling proxy that does not keep prepared statements.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 5}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with a health check that sends no query to an idle, quiet connection
    # (shuzheng/core/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "shuzheng.core.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # BEGIN IMMEDIATE: writers queue on the lock instead of failing on upgrade.
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
    DATABASES["default"]["TEST"] = (
        {"NAME": os.environ.get("SHUZHENG_TEST_SQLITE", "")}
        if os.environ.get("SHUZHENG_TEST_SQLITE")
        else {}
    )

# A PostgreSQL streaming replica for the reads of pages and APIs (shuzheng/core/dbrouter.py,
# docs/deploy/storage-and-replicas.md): GET requests read it unless they wrote or their client
# wrote in the last SHUZHENG_REPLICA_PIN_SECONDS; writes, transactions, tasks and commands use
# the primary. Empty (the default): one database.
REPLICA_URL = os.environ.get("SHUZHENG_REPLICA_URL", "")
REPLICA_PIN_SECONDS = int(os.environ.get("SHUZHENG_REPLICA_PIN_SECONDS", "10"))
DATABASE_ROUTERS: list[str] = []
if REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        REPLICA_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=True
    )
    DATABASES["replica"]["ENGINE"] = DATABASES["default"]["ENGINE"]
    DATABASES["replica"]["OPTIONS"] = {
        **DATABASES["default"].get("OPTIONS", {}),
        **DATABASES["replica"].get("OPTIONS", {}),
    }
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["shuzheng.core.dbrouter.PrimaryReplicaRouter"]
    # first: the session and the user may already be read from the replica
    MIDDLEWARE.insert(0, "shuzheng.core.dbrouter.ReplicaMiddleware")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = ["shuzheng.identity.backends.LockoutAwareBackend"]
LOGIN_URL = "identity:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Django's checks with Chinese messages (identity/passwords.py)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "shuzheng.identity.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "shuzheng.identity.passwords.CommonPasswordValidator"},
    {"NAME": "shuzheng.identity.passwords.NumericPasswordValidator"},
]

# Sessions: server-side, HttpOnly, SameSite=Lax, idle timeout of 30 minutes, rotated at login.
SESSION_COOKIE_NAME = "sz_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("SHUZHENG_SESSION_SECONDS", "1800"))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_COOKIES = env_bool("SHUZHENG_SECURE_COOKIES", not (DEMO or DEBUG or TESTING))
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# HTTPS: Strict-Transport-Security on every HTTPS answer in production (a year by default; 0
# turns it off). Behind a TLS-terminating proxy set SHUZHENG_TRUST_X_FORWARDED_PROTO=1 (and make
# the proxy set X-Forwarded-Proto) so Django knows the request came over HTTPS.
SECURE_HSTS_SECONDS = int(
    os.environ.get("SHUZHENG_HSTS_SECONDS", "0" if (DEMO or DEBUG or TESTING) else "31536000")
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SHUZHENG_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SHUZHENG_HSTS_PRELOAD", False)
if env_bool("SHUZHENG_TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SHUZHENG_SSL_REDIRECT", False)
# behind the TLS proxy in production, a plain-HTTP request is redirected unless said otherwise
if (
    _PRODUCTION
    and "SHUZHENG_SSL_REDIRECT" not in os.environ
    and env_bool("SHUZHENG_TRUST_X_FORWARDED_PROTO", False)
):
    SECURE_SSL_REDIRECT = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
LANGUAGE_COOKIE_NAME = "sz_lang"
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Idempotency-Key on submissions (core.idempotency): how long an answer is kept for a retry
IDEMPOTENCY_TTL_HOURS = int(os.environ.get("SHUZHENG_IDEMPOTENCY_TTL_HOURS", "24"))

# Login security
LOGIN_MAX_FAILURES = int(os.environ.get("SHUZHENG_LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_MINUTES = int(os.environ.get("SHUZHENG_LOGIN_LOCKOUT_MINUTES", "15"))
OTP_TTL_SECONDS = 300
OTP_MAX_ATTEMPTS = 5
# Throttling (identity/throttle.py; counted in the database, shared by every web worker). The
# account lockout above also applies to unknown login names and to client secrets. Per client
# IP, across names: this many failed logins lock the IP for that many minutes.
LOGIN_IP_MAX_FAILURES = int(os.environ.get("SHUZHENG_LOGIN_IP_MAX_FAILURES", "20"))
LOGIN_IP_LOCKOUT_MINUTES = int(os.environ.get("SHUZHENG_LOGIN_IP_LOCKOUT_MINUTES", "15"))
# Registrations per client IP and hour.
REGISTER_MAX_PER_HOUR = int(os.environ.get("SHUZHENG_REGISTER_MAX_PER_HOUR", "20"))
# 办件进度查询 without logging in (case number + phone): lookups per client IP and hour.
PROGRESS_MAX_PER_HOUR = int(os.environ.get("SHUZHENG_PROGRESS_MAX_PER_HOUR", "20"))
# Login SMS per account: one per cooldown, at most so many an hour.
SMS_COOLDOWN_SECONDS = int(os.environ.get("SHUZHENG_SMS_COOLDOWN_SECONDS", "60"))
SMS_MAX_PER_HOUR = int(os.environ.get("SHUZHENG_SMS_MAX_PER_HOUR", "5"))
# Reverse proxies (comma-separated addresses or networks) whose X-Forwarded-For names the client;
# empty: the connecting address is the client.
TRUSTED_PROXIES = os.environ.get("SHUZHENG_TRUSTED_PROXIES", "")
API_TOKEN_TTL_SECONDS = int(os.environ.get("SHUZHENG_API_TOKEN_SECONDS", "3600"))

# Pluggable SMS backend (registry in shuzheng.core.sms). The demo backend writes to the outbox.
SMS_BACKEND = os.environ.get("SHUZHENG_SMS_BACKEND", "outbox")
# Real SMS gateways (notify/sms_gateways.py, docs/deploy/README.md "SMS"): SHUZHENG_SMS_BACKEND
# aliyun (阿里云短信 SendSms) or tencent (腾讯云短信 SendSms). Gateways send templates only: one for
# verification codes (variable ${code} / {1}), one for notices (${content} / {1}), approved with
# the sign name by the provider beforehand.
SMS_SIGN_NAME = os.environ.get("SHUZHENG_SMS_SIGN_NAME", "数政")
SMS_TEMPLATES = {
    "code": os.environ.get("SHUZHENG_SMS_TEMPLATE_CODE", ""),
    "notice": os.environ.get("SHUZHENG_SMS_TEMPLATE_NOTICE", ""),
}
SMS_RETRIES = int(os.environ.get("SHUZHENG_SMS_RETRIES", "3"))  # attempts on a transient error
SMS_BACKOFF_SECONDS = float(os.environ.get("SHUZHENG_SMS_BACKOFF_SECONDS", "1"))  # doubles
# a notice that still failed on a transient error is tried again after this many minutes, then
# twice as long, four rounds in all (notify.resend_sms); 0: never (login codes never are)
SMS_RESEND_MINUTES = float(os.environ.get("SHUZHENG_SMS_RESEND_MINUTES", "10"))
# days a real gateway's delivery records (phone, text, status) are kept (notify.purge_sms)
SMS_RETENTION_DAYS = int(os.environ.get("SHUZHENG_SMS_RETENTION_DAYS", "90"))
SMS_TIMEOUT_SECONDS = float(os.environ.get("SHUZHENG_SMS_TIMEOUT_SECONDS", "10"))
# the secret in the delivery-report URL given to the provider: /sms/report/<provider>/<token>/
SMS_CALLBACK_TOKEN = os.environ.get("SHUZHENG_SMS_CALLBACK_TOKEN", "")
ALIYUN_SMS_ACCESS_KEY_ID = os.environ.get("SHUZHENG_ALIYUN_SMS_ACCESS_KEY_ID", "")
ALIYUN_SMS_ACCESS_KEY_SECRET = os.environ.get("SHUZHENG_ALIYUN_SMS_ACCESS_KEY_SECRET", "")
ALIYUN_SMS_ENDPOINT = os.environ.get(
    "SHUZHENG_ALIYUN_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/"
)
TENCENT_SMS_SECRET_ID = os.environ.get("SHUZHENG_TENCENT_SMS_SECRET_ID", "")
TENCENT_SMS_SECRET_KEY = os.environ.get("SHUZHENG_TENCENT_SMS_SECRET_KEY", "")
TENCENT_SMS_SDK_APP_ID = os.environ.get("SHUZHENG_TENCENT_SMS_SDK_APP_ID", "")
TENCENT_SMS_REGION = os.environ.get("SHUZHENG_TENCENT_SMS_REGION", "ap-guangzhou")
TENCENT_SMS_ENDPOINT = os.environ.get(
    "SHUZHENG_TENCENT_SMS_ENDPOINT", "https://sms.tencentcloudapi.com/"
)
SHOW_OUTBOX = DEMO or DEBUG or TESTING
# Fee payments (payments.backends): the backend new orders use; "demo" exists in demo, debug
# and tests only, so production names its gateway here.
PAYMENTS_BACKEND = os.environ.get("SHUZHENG_PAYMENTS_BACKEND", "demo")

# Bearer tokens: the principal built from a live token is cached per process for this many
# seconds (the token itself is checked on every call, so revocation is immediate; a change of
# staff roles or enterprise authorisations reaches API calls within this time). 0 in tests.
IDENTITY_PRINCIPAL_CACHE_SECONDS = float(
    os.environ.get("SHUZHENG_PRINCIPAL_CACHE_SECONDS", "0" if TESTING else "5")
)

# Audit chain: "inline" chains each record in its writer's transaction (the chain head stays
# locked until that transaction commits: on SQLite writers are serial anyway); "deferred" writes
# the record unchained and `shuzheng serve` chains it within half a second, so concurrent
# PostgreSQL writers do not queue on one row lock through their commits.
# Where writers are serial anyway (SQLite), work is done inline by default. Tests run the same
# defaults as production (a PostgreSQL test run is deferred), except where a test says otherwise.
_INLINE_BY_DEFAULT = DATABASES["default"]["ENGINE"].endswith("sqlite3")
AUDIT_CHAIN = os.environ.get("SHUZHENG_AUDIT_CHAIN", "inline" if _INLINE_BY_DEFAULT else "deferred")
if AUDIT_CHAIN not in ("inline", "deferred"):
    raise ImproperlyConfigured("SHUZHENG_AUDIT_CHAIN must be inline or deferred")

# SMS of notifications (notify.send): "inline" looks up the phone and hands the text to the SMS
# backend in the notifying transaction; "deferred" only marks the in-app message, and
# `shuzheng serve` texts all marked messages within half a second, many per statement
# (notify.facade.dispatch_sms) — two statements fewer on every case action.
NOTIFY_SMS = os.environ.get("SHUZHENG_NOTIFY_SMS", "inline" if _INLINE_BY_DEFAULT else "deferred")
if NOTIFY_SMS not in ("inline", "deferred"):
    raise ImproperlyConfigured("SHUZHENG_NOTIFY_SMS must be inline or deferred")

# Audit hash chain algorithm: "sm3" (GB/T 32905) or "sha256".
AUDIT_HASH_ALGORITHM = os.environ.get("SHUZHENG_AUDIT_HASH", "sm3")

# Audit anchors (audit/anchors.py): the chain head signed with the platform's SM2 key into one
# write-once file per anchor, outside the database; `serve` anchors every AUDIT_ANCHOR_SECONDS.
# "off" turns anchoring off. Tests default to off (each test that anchors uses its own directory).
_anchor_dir = os.environ.get("SHUZHENG_AUDIT_ANCHOR_DIR") or (
    "off" if TESTING else str(BASE_DIR / "var" / "audit-anchors")
)
AUDIT_ANCHOR_DIR: Path | None = None if _anchor_dir == "off" else Path(_anchor_dir)
AUDIT_ANCHOR_SECONDS = float(os.environ.get("SHUZHENG_AUDIT_ANCHOR_SECONDS", "3600"))
# Key ids allowed to sign anchors (comma-separated; empty: any platform key on record)
AUDIT_ANCHOR_KEYS = tuple(
    k.strip() for k in os.environ.get("SHUZHENG_AUDIT_ANCHOR_KEYS", "").split(",") if k.strip()
)
# RFC 3161 time-stamp authority for anchors (optional) and the PEM file that pins its certificate
AUDIT_TSA_URL = os.environ.get("SHUZHENG_TSA_URL", "")
AUDIT_TSA_CERT = os.environ.get("SHUZHENG_TSA_CERT", "")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
_static_root = Path(os.environ.get("SHUZHENG_STATIC_ROOT", str(BASE_DIR / "var" / "static")))
STATIC_ROOT: Path | None = _static_root
if (TESTING or DEBUG) and not _static_root.exists():
    STATIC_ROOT = None  # served from the apps' static folders by whitenoise's finders
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING or DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("SHUZHENG_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
# Uploads and licence PDFs: the local disk under MEDIA_ROOT (SHUZHENG_STORAGE=local, the default)
# or an S3-compatible object store (SHUZHENG_STORAGE=s3, SHUZHENG_S3_*): core/filestorage.py
STORAGES["default"] = default_storage_config(os.environ)
# Virus scan of every upload before it is stored (shuzheng.files.scanners): "" (off),
# "clamd:/run/clamav/clamd.ctl" or "clamd:host:3310", or a dotted path to a callable. A
# configured scanner that cannot answer refuses the upload (503): fail closed.
UPLOAD_SCANNER = os.environ.get("SHUZHENG_UPLOAD_SCANNER", "")
UPLOAD_SCAN_TIMEOUT = float(os.environ.get("SHUZHENG_UPLOAD_SCAN_TIMEOUT", "30"))
WHITENOISE_USE_FINDERS = TESTING or DEBUG

TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}
# Task workers (`shuzheng worker`, docs/howto/worker.md): a heartbeat every few seconds; a worker
# silent for WORKER_LOST_SECONDS is lost and its running task retried or failed; /healthz says
# "degraded" when no worker is alive or the oldest ready task waited over TASKS_LAG_SECONDS.
WORKER_HEARTBEAT_SECONDS = float(os.environ.get("SHUZHENG_WORKER_HEARTBEAT_SECONDS", "5"))
WORKER_LOST_SECONDS = float(os.environ.get("SHUZHENG_WORKER_LOST_SECONDS", "60"))
TASKS_LAG_SECONDS = float(os.environ.get("SHUZHENG_TASKS_LAG_SECONDS", "300"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SHUZHENG_LOG_LEVEL", "WARNING")},
}

# Process roles (docs/deploy/processes.md): the one active `shuzheng scheduler` holds a lease
# row for SCHEDULER_LEASE_SECONDS and renews it every third of that; a standby takes over
# within lease + renewal after the leader dies.
SCHEDULER_LEASE_SECONDS = float(os.environ.get("SHUZHENG_SCHEDULER_LEASE_SECONDS", "30"))
# Observability (docs/deploy/observability.md): SHUZHENG_LOG_FORMAT=json writes one JSON object
# per log line and one access line per request (logger shuzheng.request); /metrics answers a
# request with "Authorization: Bearer $SHUZHENG_METRICS_TOKEN" when a token is set, otherwise
# only direct requests (no X-Forwarded-For) from loopback or private addresses.
LOG_FORMAT = os.environ.get("SHUZHENG_LOG_FORMAT", "text")
METRICS_TOKEN = os.environ.get("SHUZHENG_METRICS_TOKEN", "")
if LOG_FORMAT == "json":
    LOGGING["formatters"] = {"json": {"()": "shuzheng.console.observability.JsonFormatter"}}
    LOGGING["handlers"]["console"]["formatter"] = "json"  # type: ignore[index]
    LOGGING["loggers"] = {"shuzheng.request": {"level": "INFO"}}
elif LOG_FORMAT != "text":
    raise ImproperlyConfigured(f"SHUZHENG_LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
SECURE_REDIRECT_EXEMPT += [r"^livez$", r"^readyz$", r"^metrics$"]  # probes and scrapes over HTTP
