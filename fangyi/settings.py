"""Django settings for Fangyi. Every value that differs between installations comes
from the environment through fangyi.config."""

from __future__ import annotations

from datetime import timedelta

from fangyi import config

CONFIG = config.load()
BASE_DIR = config.BASE_DIR

DEBUG = CONFIG.debug
SECRET_KEY = CONFIG.secret_key
ALLOWED_HOSTS = CONFIG.allowed_hosts
DATABASES = {"default": CONFIG.database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves Swagger UI for /api/v1/docs from its own static files (no CDN)
    "simple_history",  # who changed the organisation and the vaccination rules (the audit page)
    "fangyi.core",
    "fangyi.org",
    "fangyi.residents",
    "fangyi.sheets",
    "fangyi.vaccination",
    "fangyi.measures",
    "fangyi.volunteers",
    "fangyi.donations",
    "fangyi.services",
    "fangyi.reports",
    "fangyi.audit",
    "fangyi.demo",
    "fangyi.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "fangyi.core.middleware.security_headers",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "fangyi.core.middleware.refuse_control_characters",
    # Gives the history of a change made in a page or the admin its actor.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    # Last: it wraps the view (and its CSRF check) in the transaction that claims the key.
    "fangyi.core.idempotency.middleware",
]

ROOT_URLCONF = "fangyi.urls"
WSGI_APPLICATION = "fangyi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "fangyi" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "fangyi.org.context.permissions",
                "fangyi.org.menu.menu",
            ],
            "builtins": ["fangyi.core.templatetags.once"],
        },
    },
]

AUTH_USER_MODEL = "org.Staff"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's, loading the user with their unread notifications (the header's badge).
    "fangyi.core.backends.Backend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout: five wrong passwords for one account from one address lock it for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# Sessions end after eight hours, and when the browser closes.
SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CONFIG.https
CSRF_COOKIE_SECURE = CONFIG.https
CSRF_TRUSTED_ORIGINS = CONFIG.csrf_trusted_origins
if CONFIG.trust_forwarded_proto:
    # Only when the proxy in front sets X-Forwarded-Proto itself (and strips the client's).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Sent by SecurityMiddleware on HTTPS requests only (request.is_secure(): behind a proxy
# that needs TRUST_X_FORWARDED_PROTO); 0, and so nothing, when HTTPS is off.
SECURE_HSTS_SECONDS = CONFIG.hsts_seconds
SECURE_HSTS_INCLUDE_SUBDOMAINS = CONFIG.hsts_include_subdomains
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "fangyi" / "locale"]
USE_I18N = True
TIME_ZONE = CONFIG.time_zone
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "fangyi" / "static"]
STATIC_ROOT = config.VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files come from the app itself (no CDN on a government intranet): WhiteNoise
# serves them from the package directories without a collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = config.VAR_DIR / "media"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals": {"()": "fangyi.core.logs.RefusalsWithoutTraceback"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "filters": ["refusals"]}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {"fangyi": {"level": "INFO"}},
}

# Page sizes and limits a subdistrict may want to tune.
FANGYI_PAGE_SIZE = 25

# API tokens: their lifetime when none is asked for, and the longest one may ask for
# (`fangyi token create USERNAME --expires DAYS`); FANGYI_TOKEN_DAYS and
# FANGYI_TOKEN_MAX_DAYS in the environment change them.
FANGYI_TOKEN_DAYS = 90
FANGYI_TOKEN_MAX_DAYS = 365
globals().update(config.int_overrides("FANGYI_TOKEN_"))

# Spreadsheet import limits (defaults and meaning in fangyi/sheets/limits.py), from the
# environment: FANGYI_IMPORT_MAX_BYTES, FANGYI_IMPORT_MAX_ROWS, …
globals().update(config.int_overrides("FANGYI_IMPORT_"))

# People involved in the epidemic: hours a grid worker has to verify a person after the
# push; failed calls before the case is escalated to the community. From the
# environment: FANGYI_MEASURES_VERIFY_HOURS, FANGYI_MEASURES_ESCALATE_AFTER.
FANGYI_MEASURES_VERIFY_HOURS = 2
FANGYI_MEASURES_ESCALATE_AFTER = 3
# Reminders (measures.domain.reminders): a grid worker is told of the reports due this
# many minutes before each deadline; the sweep runs every FANGYI_MEASURES_SWEEP_MINUTES.
FANGYI_MEASURES_REMIND_MINUTES = 60
FANGYI_MEASURES_SWEEP_MINUTES = 5
globals().update(config.int_overrides("FANGYI_MEASURES_"))

# Notifications (core.notify): the in-app inbox always; a webhook (a WeCom group robot)
# when FANGYI_WEBHOOK_URL is set, tried FANGYI_NOTIFY_ATTEMPTS times, waiting
# FANGYI_NOTIFY_BACKOFF_SECONDS doubled after each failure.
FANGYI_WEBHOOK_URL = config.webhook_url()
FANGYI_NOTIFY_ATTEMPTS = 6
FANGYI_NOTIFY_BACKOFF_SECONDS = 30
FANGYI_NOTIFY_TIMEOUT_SECONDS = 5
globals().update(config.int_overrides("FANGYI_NOTIFY_"))
# Errands (代买代办): how long a request may wait before somebody takes it (a community
# may set its own, services.ErrandTarget), and the largest delivery photo accepted;
# FANGYI_ERRAND_PICKUP_MINUTES and FANGYI_ERRAND_PHOTO_MAX_BYTES in the environment.
FANGYI_ERRAND_PICKUP_MINUTES = 120
FANGYI_ERRAND_PHOTO_MAX_BYTES = 5 * 1024 * 1024
globals().update(config.int_overrides("FANGYI_ERRAND_"))

# The daily report's covering index carries INCLUDE columns on PostgreSQL; SQLite keeps
# the key columns only, which is what we want there, so its warning is noise.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
