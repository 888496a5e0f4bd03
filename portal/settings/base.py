"""Settings shared by every environment. Configuration comes from the environment."""

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent


def env_flag(name, default):
    """An on/off switch from the environment: 1/true/yes/on, anything else is off."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


INSTALLED_APPS = [
    "home",
    "daiban",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.table_block",
    "wagtail.api.v2",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "wagtail_modeladmin",
    "modelcluster",
    "taggit",
    "rest_framework",
    "django_filters",
    "django_tables2",
    "axes",
    "csp",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Background jobs: django-tasks (bundled with Wagtail) with its database backend and `db_worker`.
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "daiban.security.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "daiban.security.PortalCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "csp.context_processors.nonce",
            ],
        },
    },
]

WSGI_APPLICATION = "portal.wsgi.application"

# SQLite file in the project unless DATABASE_URL says otherwise (PostgreSQL in production).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent requests wait for the write lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # 等保2.0: at least 10 characters with letters, digits and symbols (Chinese messages).
    {"NAME": "daiban.auth.ComplexPasswordValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Login controls (等保2.0 level 2) -----------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # django-axes refuses a locked-out account+address before the password is checked.
    "daiban.auth.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)
# One account from one address: a guesser cannot lock the real user out from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "daiban.auth.lockout_response"
AXES_COOLOFF_MESSAGE = "登录失败次数过多，账号已暂时锁定，请30分钟后再试。"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_CLIENT_IP_CALLABLE = "daiban.auth.axes_client_ip"
AXES_VERBOSE = False

# Staff sessions end after 30 idle minutes (refreshed on every request) and when the browser closes.
# Sessions live in the database: they survive a restart, and every app server behind the proxy sees them.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文")]
# The project's own catalogue: Chinese for the Wagtail admin strings its zh_Hans catalogue misses.
LOCALE_PATHS = [BASE_DIR / "locale"]

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "collected-static"))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
# Uploads waiting for a confirm (import previews, files kept on a rejected /apply/ form): a folder of the
# default storage (MEDIA_ROOT or the S3 bucket), shared by all app servers, never served publicly.
PENDING_UPLOADS_PREFIX = "pending-uploads"

# Imports: the most data rows one file may hold (counted while streaming, so a zip bomb stops early),
# and how large a part held in memory may unpack (sheets read whole, shared strings, styles).
IMPORT_MAX_ROWS = {
    "ledger": int(os.environ.get("IMPORT_MAX_ROWS_LEDGER", 100_000)),
    "liaisons": int(os.environ.get("IMPORT_MAX_ROWS_LIAISONS", 5_000)),
    "matters": int(os.environ.get("IMPORT_MAX_ROWS_MATTERS", 20_000)),
}
IMPORT_MAX_PART_BYTES = 64 * 1024 * 1024
IMPORT_MAX_LOADED_BYTES = 64 * 1024 * 1024
# Exports of more rows than this run as a background job and are downloaded when ready.
EXPORT_JOB_THRESHOLD = int(os.environ.get("EXPORT_JOB_THRESHOLD", 5_000))
# Files of background jobs (uploads waiting, generated exports), in the default storage; never public.
JOB_FILES_PREFIX = f"{PENDING_UPLOADS_PREFIX}/jobs"

# Behind a reverse proxy that appends the client address to X-Forwarded-For, set RATELIMIT_TRUST_FORWARDED=1.
RATELIMIT_TRUST_FORWARDED = os.environ.get("RATELIMIT_TRUST_FORWARDED", "") == "1"


def default_storage_from_env():
    """The default storage (uploads, pending imports, job files, generated exports): the local MEDIA_ROOT,
    or, when S3_BUCKET is set, an S3-compatible bucket (MinIO, a cloud object store) that several app
    servers and workers share. Files stay private: links to them are signed and expire."""
    bucket = os.environ.get("S3_BUCKET", "").strip()
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    options = {
        "bucket_name": bucket,
        "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
        "access_key": os.environ.get("S3_ACCESS_KEY") or None,
        "secret_key": os.environ.get("S3_SECRET_KEY") or None,
        "region_name": os.environ.get("S3_REGION") or None,
        "location": os.environ.get("S3_PREFIX", "").strip("/"),
        "addressing_style": os.environ.get("S3_ADDRESSING_STYLE") or None,  # "path" for most MinIO setups
        "default_acl": None,  # the bucket's own policy: private
        "querystring_auth": True,
        "file_overwrite": False,
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGES = {
    "default": default_storage_from_env(),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGIN_URL = "wagtailadmin_login"

# The hotline printed on the error pages (404, 500, 503) and the lockout page.
SERVICE_HOTLINE = os.environ.get("SERVICE_HOTLINE", "0832-12345")

# Content-Security-Policy (django-csp). Public pages: scripts only from us or with the request's
# nonce. The admin (Wagtail's inline panels, date pickers and chooser modals still carry inline
# scripts) gets CONTENT_SECURITY_POLICY_ADMIN from daiban.security.PortalCSPMiddleware.
_CSP_COMMON = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    # Wagtail's preview panel shows the page in a same-origin frame.
    "frame-ancestors": ["'self'"],
}
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        **_CSP_COMMON,
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", "'unsafe-inline'"],
    }
}
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {
        **_CSP_COMMON,
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
    }
}

# Wagtail
WAGTAIL_SITE_NAME = "内江市政务服务帮办代办"
# No online avatar service (government intranet; no staff mail addresses sent out): initials only.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {
    # Wagtail's database backend, with Chinese word segmentation of queries (jieba).
    "default": {"BACKEND": "daiban.search"},
}
WAGTAILDOCS_EXTENSIONS = ["doc", "docx", "pdf", "xls", "xlsx", "odt", "ods", "wps", "txt"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAIL_DATE_FORMAT = "%Y-%m-%d"
WAGTAIL_DATETIME_FORMAT = "%Y-%m-%d %H:%M"
# No calls from the admin to wagtail.org (government network; and the CSP allows none).
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # avatars from gravatar.com: an outside call the CSP refuses

# Mail
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "banban@example.gov.cn")

# SMS: a dotted path to a class implementing daiban.sms.SmsBackend.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "daiban.sms.ConsoleSmsBackend")
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_KEY = os.environ.get("SMS_GATEWAY_KEY", "")
SMS_SIGN_NAME = os.environ.get("SMS_SIGN_NAME", "内江政务服务")

# Background jobs (daiban/tasks.py): queued in the database, run by `manage.py db_worker`.
# Wagtail's own jobs (reference index, search index, file deletion) go through the same queue.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# A job sending mail waits at most this long for the mail server (the SMS gateway: SMS_GATEWAY_TIMEOUT).
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
SMS_GATEWAY_TIMEOUT = int(os.environ.get("SMS_GATEWAY_TIMEOUT", "10"))

# Logging: every line carries the request id; 500s with their traceback go to stderr and to a
# rotating file in LOG_DIR (default BASE_DIR/logs, ignored by git).
LOG_DIR = Path(os.environ.get("LOG_DIR", BASE_DIR / "logs"))
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "daiban.security.RequestIdFilter"}},
    "formatters": {
        "structured": {
            "format": "%(asctime)s level=%(levelname)s logger=%(name)s request_id=%(request_id)s %(message)s",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "structured"},
        "file": {
            "class": "daiban.security.RotatingFileHandler",
            "filename": str(LOG_DIR / "portal.log"),
            "maxBytes": 10 * 1024 * 1024,
            "backupCount": 10,
            "encoding": "utf-8",
            "filters": ["request_id"],
            "formatter": "structured",
        },
    },
    "loggers": {
        "daiban": {"handlers": ["console", "file"], "level": LOG_LEVEL},
        # Unhandled exceptions (500) with their traceback; 4xx stay at WARNING.
        "django.request": {"handlers": ["console", "file"], "level": "WARNING", "propagate": False},
        "django.security": {"handlers": ["console", "file"], "level": "WARNING", "propagate": False},
        "axes": {"handlers": ["console", "file"], "level": "WARNING", "propagate": False},
        "jieba": {"handlers": ["console"], "level": "WARNING"},
    },
}
