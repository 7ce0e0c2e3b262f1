"""Settings shared by every environment. Everything that differs comes from the environment."""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

SERVICE_NAME = "MASH front door"
#: Where people reach the service: links in emails are made absolute with it.
SITE_URL = env("MASH_SITE_URL", default="http://localhost:8000").rstrip("/")
SERVICE_PHASE = env("MASH_SERVICE_PHASE", default="beta")

# --- Applications --------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    # third party
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "auditlog",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_celery_beat",
    # ours
    "mash.audit",
    "deadlines",
    "mash.idempotency",
    "mash.outbox",
    "agencies",
    "schools",
    "contacts",
    "enquiries",
    "documents",
    "notes",
    "reporting",
    "chronology",
    "drafts",
    "work",
    "domestic_abuse",
    "encompass",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "mash.middleware.RequireSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "mash.audit.middleware.AuditContextMiddleware",
    # Idempotency-Key on API POSTs: after authentication and the audit context (see ADR 4).
    "mash.idempotency.api.IdempotencyKeyMiddleware",
    # Axes must be last: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mash.urls"
WSGI_APPLICATION = "mash.wsgi.application"
ASGI_APPLICATION = "mash.asgi.application"

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
                "mash.context_processors.service",
                "deadlines.context_processors.notifications",
            ],
            "builtins": ["mash.templatetags"],
        },
    },
]

# --- Data ------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run` runs web, worker and beat on one file: wait for locks, write-ahead log.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL;",
    }
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")

# --- Identity and sign-in -------------------------------------------------------------------
AUTH_USER_MODEL = "agencies.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# NCSC: length and a deny-list; no composition rules, no forced expiry.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# A session ends after this many minutes without a request.
SESSION_IDLE_MINUTES = env.int("MASH_SESSION_IDLE_MINUTES", default=30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
CSRF_FAILURE_VIEW = "mash.views.csrf_failure"

# Second factor (TOTP). Production requires it for everyone; tests and `make run` may not.
MASH_REQUIRE_SECOND_FACTOR = env.bool("MASH_REQUIRE_SECOND_FACTOR", default=True)
OTP_TOTP_ISSUER = SERVICE_NAME

# Lockout of a username from one address after 5 failures, with a finite cool-off:
# never a permanent lockout of duty staff.
AXES_FAILURE_LIMIT = env.int("MASH_LOCKOUT_FAILURES", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("MASH_LOCKOUT_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "mash.net.client_ip"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False

# Number of reverse proxies in front of the app that append to X-Forwarded-For.
MASH_TRUSTED_PROXY_COUNT = env.int("MASH_TRUSTED_PROXY_COUNT", default=0)

# --- Object permissions (django-guardian) ----------------------------------------------------
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

# --- Audit trail (django-auditlog) -----------------------------------------------------------
AUDITLOG_STORE_JSON_CHANGES = True
AUDITLOG_DISABLE_REMOTE_ADDR = False

# --- Working-day clocks (mash.clocks): bank holidays of this UK nation (ENG, SCT, WLS, NIR) ------
MASH_BANK_HOLIDAY_NATION = env("MASH_BANK_HOLIDAY_NATION", default="ENG")

# --- Internationalisation ----------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
#: Stored files (uploads) unless MASH_S3_BUCKET is set (below); backed up and restored with the
#: database (make backup / restore).
MEDIA_ROOT = Path(env.str("MASH_MEDIA_ROOT", default=str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("govuk", NODE_MODULES / "govuk-frontend" / "dist" / "govuk"),
    ("moj", NODE_MODULES / "@ministryofjustice" / "frontend" / "moj"),
    # MOJ Frontend's stylesheet asks for GOV.UK's images under its own images path.
    ("moj/assets/images", NODE_MODULES / "govuk-frontend" / "dist" / "govuk" / "assets" / "images"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chartjs", NODE_MODULES / "chart.js" / "dist"),
]

# --- Stored files (uploads): the MEDIA_ROOT folder, or S3-compatible object storage (ADR 8) -----
#: A bucket name moves stored files from MEDIA_ROOT to that bucket (django-storages' S3Storage),
#: so web and workers on different machines see the same files. Empty: the local folder.
MASH_S3_BUCKET = env.str("MASH_S3_BUCKET", default="").strip()
_s3_given = {
    # Another S3-compatible service (MinIO, Ceph, a cloud's own): its URL. Empty: AWS S3.
    "endpoint_url": env.str("MASH_S3_ENDPOINT_URL", default="").strip(),
    "region_name": env.str("MASH_S3_REGION", default="").strip(),
    # Both or neither: neither uses boto3's own chain (AWS_* variables, an instance role).
    "access_key": env.str("MASH_S3_ACCESS_KEY_ID", default="").strip(),
    "secret_key": env.str("MASH_S3_SECRET_ACCESS_KEY", default="").strip(),
    # "path" (bucket in the URL's path, what MinIO expects) or "virtual" (bucket in the host
    # name). Empty: path with an endpoint URL, boto3's choice without.
    "addressing_style": env.str("MASH_S3_ADDRESSING_STYLE", default="").strip(),
    # Asked for on every object written: "AES256" or "aws:kms" (the bucket's key). Empty: the
    # bucket's default encryption.
    "server_side_encryption": env.str("MASH_S3_SERVER_SIDE_ENCRYPTION", default="").strip(),
}
_s3_variables = {
    "endpoint_url": "MASH_S3_ENDPOINT_URL",
    "region_name": "MASH_S3_REGION",
    "access_key": "MASH_S3_ACCESS_KEY_ID",
    "secret_key": "MASH_S3_SECRET_ACCESS_KEY",
    "addressing_style": "MASH_S3_ADDRESSING_STYLE",
    "server_side_encryption": "MASH_S3_SERVER_SIDE_ENCRYPTION",
}


def _s3_storage(bucket: str, given: dict[str, str]) -> dict:
    """STORAGES["default"] for `bucket`; ImproperlyConfigured naming the variable when the
    MASH_S3_* variables are half set or hold a value S3 does not know, so a deployment meant for
    a bucket never quietly writes to a local folder instead."""
    from django.core.exceptions import ImproperlyConfigured

    if not bucket:
        named = [_s3_variables[key] for key, value in given.items() if value]
        if named:
            raise ImproperlyConfigured(
                f"{', '.join(named)} set but MASH_S3_BUCKET is empty: set MASH_S3_BUCKET to "
                "store files in a bucket, or leave every MASH_S3_* variable empty to store "
                "them in MASH_MEDIA_ROOT."
            )
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if bool(given["access_key"]) != bool(given["secret_key"]):
        missing = "MASH_S3_SECRET_ACCESS_KEY" if given["access_key"] else "MASH_S3_ACCESS_KEY_ID"
        raise ImproperlyConfigured(
            f"The environment variable {missing} must be set with the other S3 key "
            "(or neither, for boto3's own credentials)."
        )
    style = given["addressing_style"] or ("path" if given["endpoint_url"] else "")
    if style not in {"", "auto", "path", "virtual"}:
        raise ImproperlyConfigured(
            "The environment variable MASH_S3_ADDRESSING_STYLE must be path, virtual or auto."
        )
    encryption = given["server_side_encryption"]
    if encryption not in {"", "AES256", "aws:kms", "aws:kms:dsse"}:
        raise ImproperlyConfigured(
            "The environment variable MASH_S3_SERVER_SIDE_ENCRYPTION must be AES256, aws:kms "
            "or aws:kms:dsse (or empty for the bucket's default encryption)."
        )
    # Objects are only ever read by the app, which serves them as attachments itself: they are
    # private (no ACL: the bucket's own), written as opaque attachments in case one is ever
    # reached another way, and never overwritten (a name in use gets another).
    object_parameters = {
        "ContentType": "application/octet-stream",
        "ContentDisposition": "attachment",
    }
    if encryption:
        object_parameters["ServerSideEncryption"] = encryption
    options = {
        "bucket_name": bucket,
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
        "object_parameters": object_parameters,
    }
    for key in ("endpoint_url", "region_name", "access_key", "secret_key"):
        if given[key]:
            options[key] = given[key]
    if style:
        options["addressing_style"] = style
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}


STORAGES = {
    "default": _s3_storage(MASH_S3_BUCKET, _s3_given),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Content security policy (django-csp 4): no inline scripts ---------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["mash.api.permissions.HasRole"],
    "DEFAULT_FILTER_BACKENDS": ["mash.api.filters.VisibilityFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "mash.api.pagination.DefaultCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "mash.api.schema.MashAutoSchema",
    "EXCEPTION_HANDLER": "mash.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [  # JSON nested too deeply is a 400 (mash.api.parsers)
        "mash.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MASH front door API",
    "DESCRIPTION": (
        "The Multi-Agency Safeguarding Hub's API. Every endpoint applies the same need-to-know "
        "rules as the pages: a record outside the caller's view answers 404."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets several serializers name "kind": each its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "NoteKindEnum": "notes.models.NoteKind",
        "DecisionKindEnum": "contacts.models.contacts.DecisionKind",
        "AgencyKindEnum": "agencies.models.AgencyKind",
        "OutcomeEnum": "contacts.codes.Outcome",  # also a DA notification's agreed outcome
    },
}

# --- Celery -----------------------------------------------------------------------------------
# Without REDIS_URL, an embedded filesystem broker needs no server (for `make run`).
CELERY_BROKER_DIR = Path(
    env.str("MASH_CELERY_BROKER_DIR", default=str(BASE_DIR / ".celery-broker"))
)
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # kombu's Redis transport with a channel that closes on a dead connection, so a busy worker
    # survives a Redis outage (mash/broker.py, docs/adr/0006-outbox-and-faults.md).
    CELERY_BROKER_TRANSPORT = "mash.broker:RedisTransport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 3600,
        "socket_timeout": 10,
        "socket_connect_timeout": 5,
        "health_check_interval": 30,
    }
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SOFT_TIME_LIMIT = 120
CELERY_TASK_TIME_LIMIT = 180
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Cache ------------------------------------------------------------------------------------
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Email -------------------------------------------------------------------------------------
EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="mash-front-door@localhost")
#: The right-hand side of each email's Message-ID (fixed when the email is queued, kept on retry).
MASH_EMAIL_MESSAGE_ID_DOMAIN = env(
    "MASH_EMAIL_MESSAGE_ID_DOMAIN", default=DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
)
#: Attempts before the outbox gives an email up (backoff 1, 2, 4 ... 60 minutes: about 14 hours).
MASH_OUTBOX_MAX_ATTEMPTS = env.int("MASH_OUTBOX_MAX_ATTEMPTS", default=20)

# --- Health (/healthz) -------------------------------------------------------------------------
#: No deadline scan finished for this long: /healthz answers 503 naming "deadline_scan".
MASH_HEALTH_SCAN_LATE_SECONDS = env.int("MASH_HEALTH_SCAN_LATE_SECONDS", default=300)
#: An email waiting this long: /healthz answers 503 naming "outbox".
MASH_HEALTH_OUTBOX_LATE_SECONDS = env.int("MASH_HEALTH_OUTBOX_LATE_SECONDS", default=900)
#: Seconds /healthz waits for workers to answer a ping.
MASH_HEALTH_PING_TIMEOUT = env.float("MASH_HEALTH_PING_TIMEOUT", default=1.0)
#: A bearer token that lets a monitor read /healthz's details (empty: administrators only).
MASH_HEALTHZ_TOKEN = env("MASH_HEALTHZ_TOKEN", default="")

# --- Documents and virus scanning (documents/, ADR 7) ----------------------------------------
#: Largest document accepted, in bytes (20 MB).
MASH_DOCUMENT_MAX_BYTES = env.int("MASH_DOCUMENT_MAX_BYTES", default=20 * 1024 * 1024)
#: Where clamd listens: a UNIX socket path, or a host and port. All empty: no scanner (make run):
#: documents wait "not yet scanned" and are never served.
MASH_CLAMD_SOCKET = env("MASH_CLAMD_SOCKET", default="")
MASH_CLAMD_HOST = env("MASH_CLAMD_HOST", default="")
MASH_CLAMD_PORT = env.int("MASH_CLAMD_PORT", default=3310)

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
    },
}
