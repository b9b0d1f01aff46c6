"""Uppsikt's settings: one module, driven by the environment.

Every value has a default that runs on a fresh checkout (SQLite, tasks in-process, e-mail to the
console). Production sets ``DEBUG=false`` and at least ``SECRET_KEY`` and ``ALLOWED_HOSTS``; the
README lists every variable. A secret may come from ``NAME_FILE`` (Docker secrets).
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    """Read NAME, or the contents of the file named by NAME_FILE."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = env(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from exc


def envlist(name: str, default: str = "") -> list[str]:
    value = env(name, default) or ""
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = envbool("DEBUG", True)
# Demo mode loads and allows the demo users with their well-known password. Never in production.
DEMO_MODE = envbool("DEMO_MODE", DEBUG)

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode"  # noqa: S105

# Key for the keyed hash (HMAC) of personnummer in access reviews. Never the same as SECRET_KEY
# in production, so that rotating one does not orphan the other.
PERSONNUMMER_HMAC_KEY = env("PERSONNUMMER_HMAC_KEY") or f"pnr:{SECRET_KEY}"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")
SITE_URL = (env("SITE_URL", "http://127.0.0.1:8000") or "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    "template_partials",
    "django_filters",
    "guardian",
    "simple_history",
    "core",
    "organisation",
    "controls",
    "findings",
    "audits",
    "systems",
    "reports",
    "notifications",
    # Security (issue 8): lockout, two-factor, the security event log.
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "security",
    # manage.py bench_data (benchmarks/, issue 9): management commands only, no models or URLs.
    "benchmarks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Sends a signed-in user who owes a second factor to the verify or set-up page.
    "security.middleware.TwoFactorMiddleware",
    # Logs every download and export that core.files/core.exports marked (security events).
    "security.middleware.DownloadLogMiddleware",
    # Turns a lockout detected during sign-in into the Swedish lockout page; last, per axes.
    "axes.middleware.AxesMiddleware",
]

# Benchmarks only (BENCHMARKS.md): Server-Timing and X-Query-Count headers on every response.
# Off by default; never on in production.
UPPSIKT_BENCH_HEADERS = envbool("UPPSIKT_BENCH_HEADERS", False)
if UPPSIKT_BENCH_HEADERS:
    MIDDLEWARE.insert(0, "core.bench_headers.BenchHeadersMiddleware")

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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.uppsikt",
            ],
        },
    }
]

FORM_RENDERER = "core.forms.UppsiktFormRenderer"

DATABASE_URL = env("DATABASE_URL")
if not DATABASE_URL:
    (BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or f"sqlite:///{BASE_DIR / 'var' / 'uppsikt.sqlite3'}",
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default with a worker beside the web process: a writer waits for the other
    # (BEGIN IMMEDIATE, up to 20 s) instead of failing with "database is locked" mid-task.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "organisation.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username/IP pair before a password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "security.validators.SeasonYearPasswordValidator"},
    {"NAME": "security.validators.MunicipalityNamePasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# django-guardian: no anonymous user row; anonymous visitors never hold object permissions.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

LANGUAGE_CODE = "sv"
# Every text is marked for translation (gettext), with Swedish as the source language. Until an
# English catalogue exists (locale/README.md tells how to make one) Swedish is the only language:
# no LocaleMiddleware, so a browser asking for English still gets Swedish pages and Django's own
# messages in Swedish, never a mixture. Add ("en", "English") and LocaleMiddleware together with
# locale/en/LC_MESSAGES/django.po.
LANGUAGES = [("sv", "Svenska")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True
# Dates as 2017-09-15 whatever the language (see config/formats/).
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT") or BASE_DIR / "var" / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Uploaded evidence, report files and imports live outside the web root and are served only
    # through permission-checked views (core.files.serve_attachment).
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(Path(env("UPLOAD_ROOT") or BASE_DIR / "var" / "uploads"))},
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_URL = None  # never served directly
UPLOAD_MAX_BYTES = envint("UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Celery: a real Redis broker when REDIS_URL is set, otherwise tasks run eagerly in-process.
REDIS_URL = env("REDIS_URL") or ""
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE: dict = {}

# --- Reminders (notifications app, issue 6; docs/reminders.md) ---------------------------------
# Beat runs the daily job at REMINDER_HOUR:REMINDER_MINUTE, Europe/Stockholm (CELERY_TIMEZONE).
# The rules themselves (days before/after, escalation, 1 March) are per municipality, in the admin.
REMINDER_HOUR = envint("REMINDER_HOUR", 7)
REMINDER_MINUTE = envint("REMINDER_MINUTE", 0)
# After missed days the next run also sends those days' reminders, at most this many days back.
REMINDER_CATCH_UP_DAYS = envint("REMINDER_CATCH_UP_DAYS", 7)
# A failing SMTP server is retried with exponential backoff (first wait in seconds, doubling).
REMINDER_EMAIL_MAX_RETRIES = envint("REMINDER_EMAIL_MAX_RETRIES", 6)
REMINDER_EMAIL_RETRY_BACKOFF = envint("REMINDER_EMAIL_RETRY_BACKOFF", 60)
CELERY_BEAT_SCHEDULE["daily-reminders"] = {
    "task": "notifications.run_daily_reminders",
    "schedule": crontab(hour=REMINDER_HOUR, minute=REMINDER_MINUTE),
}
# --- end of reminders ---------------------------------------------------------------------------

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "uppsikt",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

EMAIL_BACKEND = env("EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if env("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Uppsikt <uppsikt@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security. Production (DEBUG off) gets secure cookies, HSTS and HTTPS redirects; behind a TLS
# terminating proxy set SECURE_PROXY_SSL_HEADER via TRUST_X_FORWARDED_PROTO=true.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# htmx reads the CSRF token from the page (hx-headers on <body>), never from the cookie.
CSRF_COOKIE_HTTPONLY = True
# Idle timeout: every request pushes the expiry forward; the cookie dies with the browser.
SESSION_IDLE_MINUTES = envint("SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# The HSTS preload list pins HTTPS for a whole registrable domain and its subdomains, in every
# browser, for months. That is the domain owner's decision (usually the municipality's IT
# department), not this application's, so the ``preload`` directive is off unless asked for,
# and Django's reminder about it (security.W021) is silenced only while it is off.
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
if envbool("TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Security app (issue 8) ------------------------------------------------------------------
# Content-Security-Policy (django-csp): no inline script or style anywhere; images may be data:
# URIs (the two-factor QR code). Templates keep JS in static/js/ and CSS in static/css/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# django-axes: lock the username + IP pair after AXES_FAILURE_LIMIT failed sign-ins for
# AXES_COOLOFF_MINUTES; an administrator can lift it earlier (Säkerhet → Spärrade inloggningar).
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_MINUTES = envint("AXES_COOLOFF_MINUTES", 30)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "security.views.lockout_response"
# The security event log (security.SecurityEvent) is the record of sign-ins; no second log.
AXES_DISABLE_ACCESS_LOG = True
# The client's address for lockouts and the security log: behind TRUSTED_PROXY_COUNT reverse
# proxies that append to X-Forwarded-For, the entry that many places from the right.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "security.events.client_ip_from_headers"

# Password spraying: this many distinct usernames failing from one IP within the window raises
# an alert. Alerts about a municipality go to its coordinators; the platform's operators
# (SECURITY_ALERT_EMAILS) get those about no municipality (unknown usernames, the whole picture
# of a spraying attack) and those of a municipality without a coordinator (security/alerts.py).
SECURITY_SPRAY_USERNAMES = envint("SECURITY_SPRAY_USERNAMES", 5)
SECURITY_SPRAY_WINDOW_MINUTES = envint("SECURITY_SPRAY_WINDOW_MINUTES", 10)
SECURITY_ALERT_EMAILS = envlist("SECURITY_ALERT_EMAILS")

# Two-factor sign-in (django-otp, TOTP + recovery codes), required for these roles and for
# Django admin staff; anyone may turn it on. Not required by default in demo mode, where the
# demo accounts are shared by every visitor.
OTP_REQUIRED_ROLES = envlist("OTP_REQUIRED_ROLES", "" if DEMO_MODE else "admin,coordinator")
OTP_REQUIRED_FOR_STAFF = envbool("OTP_REQUIRED_FOR_STAFF", not DEMO_MODE)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", "Uppsikt")
OTP_RECOVERY_CODES = 10

# Domain settings with defaults a municipality can override per installation.
CLASSIFICATION_MAX_AGE_YEARS = envint("CLASSIFICATION_MAX_AGE_YEARS", 3)

# Access reviews (systems app): the largest account export or payroll roster accepted. Both are
# kept in memory only while they are read (systems/uploads.py), never in a temporary file.
ACCESS_REVIEW_MAX_UPLOAD_BYTES = envint("ACCESS_REVIEW_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
ACCESS_REVIEW_MAX_ROWS = envint("ACCESS_REVIEW_MAX_ROWS", 200_000)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Reports (reports app): the PDF variant of archived board documents. PDF/A-2a is PDF/A with a
# structure tree (tagged, accessible) and Unicode text; WeasyPrint embeds fonts and sRGB.
REPORTS_PDF_VARIANT = "pdf/a-2a"
# WeasyPrint logs every layout step at INFO; keep its warnings only.
LOGGING["loggers"]["weasyprint"] = {"level": "WARNING"}
