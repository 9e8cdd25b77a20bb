"""ROCU Tracker settings: one module, configured from the environment.

The defaults make `make run` work on a fresh checkout (SQLite under var/, a filesystem
Celery broker, email to the console). Production sets DEBUG=0 and the variables listed in
the README; a missing secret then fails loudly.
"""

import datetime
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Generate one with: "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = "insecure-development-key-never-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Demo users with published passwords exist only where this is on (DEBUG by default).
DEMO_MODE = env.bool("DEMO_MODE", default=DEBUG)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "organisations",
    "inspections",
    "recommendations",
    "actionplans",
    "section55",
    "reminders",
    "django_filters",
    "dashboards",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "auditlog",
    "accounts",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "webhooks",
    "boards",
    "public_progress",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: private, no-store on everything a signed-in person is sent.
    "rocu_tracker.middleware.PrivateCacheControlMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Signs out a session SESSION_ABSOLUTE_LIFETIME after sign-in (after messages: it says so).
    "accounts.middleware.SessionLifetimeMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "accounts.middleware.AuditActorMiddleware",
    # Remembers the browser after each sign-in (accounts/password_guessing.py).
    "accounts.middleware.KnownDeviceMiddleware",
    # Last, as django-axes asks: turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rocu_tracker.urls"
WSGI_APPLICATION = "rocu_tracker.wsgi.application"

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
                # The main menu's unread count, Section 55 and People entries, in one query
                # (issue 11; was one context processor each in reminders, section55, organisations).
                "rocu_tracker.navigation.main_menu",
            ],
            # base.html's header, footer, links and static files, made once per process (issue 11).
            "libraries": {"navigation": "rocu_tracker.navigation"},
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'rocu_tracker.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections (issue 11): each process keeps its connection for CONN_MAX_AGE
# seconds, checked before reuse, instead of opening one per request. The development server
# starts a thread per request, which would only leave connections behind: 0 under DEBUG.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if DEBUG else 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes refuses a locked-out login before any password is checked.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Security. Pages load nothing inline and nothing from another host, so the policy is
# strict; Bootstrap's icons are data: images.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Sessions end after this many seconds without a request, and with the browser.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
# The idle timeout is renewed by saving the session, at most once per this many seconds
# (accounts/sessions.py), rather than a database write on every request.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_INTERVAL = env.int("SESSION_REFRESH_INTERVAL", default=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# ...and this many seconds after signing in, however busy (accounts/sessions.py).
SESSION_ABSOLUTE_LIFETIME = env.int("SESSION_ABSOLUTE_LIFETIME", default=12 * 60 * 60)
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    # Preloading binds the whole domain and its subdomains for years, and anyone may submit
    # a domain whose header says "preload": the domain's owner decides, not this app.
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips it from clients).
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", default=False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Login protection (django-axes, accounts/): five wrong passwords for one username from one
# address lock that pair out for 15 minutes. Username and address together, so one attacker
# cannot lock a whole force out behind its proxy, nor one person out from everywhere.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# The client's address: the connection's, or behind the TLS proxy the one X-Forwarded-For
# entry the proxy sets (a longer chain, which a client could have forged, counts as the
# proxy's own address). The header is never trusted without the proxy.
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if BEHIND_TLS_PROXY else ("REMOTE_ADDR",)
)
AXES_IPWARE_PROXY_ORDER = "right-most"
AXES_IPWARE_PROXY_COUNT = 0 if BEHIND_TLS_PROXY else None
# Who people locked out or without their authenticator should contact (shown on the page).
SUPPORT_EMAIL = env.str("SUPPORT_EMAIL", default="")
# Password reset (accounts/throttle.py): requests acted on per email address and per client
# address in an hour (beyond them the same page, and no email); how long a link works.
PASSWORD_RESET_LIMIT_PER_EMAIL = env.int("PASSWORD_RESET_LIMIT_PER_EMAIL", default=3)
PASSWORD_RESET_LIMIT_PER_CLIENT = env.int("PASSWORD_RESET_LIMIT_PER_CLIENT", default=10)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)
# Invitations (organisations/services.py): how many seconds an invitation's link works.
INVITATION_LIFETIME = env.int("INVITATION_LIFETIME", default=7 * 24 * 60 * 60)
# Two-factor authentication (django-otp, TOTP): the name authenticator apps show.
OTP_TOTP_ISSUER = "ROCU Tracker"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Wrong two-factor codes (accounts/throttle.py) count per account and client address: this
# many from one address within TWO_FACTOR_COOLOFF seconds pause codes from it for as long.
# django-otp's own throttle is per device, so anyone with the password could lock the owner
# out (each wrong code doubled everyone's wait): off.
OTP_TOTP_THROTTLE_FACTOR = 0
TWO_FACTOR_FAILURE_LIMIT = env.int("TWO_FACTOR_FAILURE_LIMIT", default=5)
TWO_FACTOR_COOLOFF = env.int("TWO_FACTOR_COOLOFF", default=15 * 60)
# Password guessing against one username from many addresses (accounts/password_guessing.py):
# this many wrong passwords from at least this many addresses within the window put it under
# attack: attempts from browsers and addresses that never signed in to it are slowed to one
# every PASSWORD_GUESSING_DELAY seconds, and support and the owner are emailed once a window.
PASSWORD_GUESSING_FAILURES = env.int("PASSWORD_GUESSING_FAILURES", default=10)
PASSWORD_GUESSING_ADDRESSES = env.int("PASSWORD_GUESSING_ADDRESSES", default=3)
PASSWORD_GUESSING_WINDOW = env.int("PASSWORD_GUESSING_WINDOW", default=60 * 60)
PASSWORD_GUESSING_DELAY = env.int("PASSWORD_GUESSING_DELAY", default=30)
# Audit trail (django-auditlog): the models are registered in accounts/audit.py.

# Single sign-on with OpenID Connect (mozilla-django-oidc; accounts/single_sign_on.py): on
# when OIDC_RP_CLIENT_ID is set, and then the provider's issuer and endpoints must be set too
# (the README gives Entra ID's). Off, the sign-in page offers the password only.
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
SINGLE_SIGN_ON_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="")  # the ID token's `iss`, checked
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
# Optional: only for claims the ID token does not carry.
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10  # seconds for each call to the provider
OIDC_AUTHENTICATION_CALLBACK_URL = "single_sign_on:callback"
# A sign-in sent to the provider must come back within this many seconds.
OIDC_STATE_LIFETIME = env.int("OIDC_STATE_LIFETIME", default=10 * 60)
if SINGLE_SIGN_ON_ENABLED:
    _oidc_missing = [
        name
        for name in (
            "OIDC_RP_CLIENT_SECRET",
            "OIDC_OP_ISSUER",
            "OIDC_OP_AUTHORIZATION_ENDPOINT",
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_JWKS_ENDPOINT",
        )
        if not globals()[name]
    ]
    if _oidc_missing:
        raise ImproperlyConfigured(
            f"OIDC_RP_CLIENT_ID is set, so single sign-on needs {', '.join(_oidc_missing)}."
        )
    AUTHENTICATION_BACKENDS.append("accounts.single_sign_on.SingleSignOnBackend")
    # The sign-in page's email form redirects to the provider, and browsers hold every
    # redirect after a form's submission to the page's form-action.
    _authorization = urlsplit(OIDC_OP_AUTHORIZATION_ENDPOINT)
    SECURE_CSP["form-action"].append(f"{_authorization.scheme}://{_authorization.netloc}")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Evidence: on this host's disk under MEDIA_ROOT (the embedded default, for one host), or,
# with AWS_STORAGE_BUCKET_NAME set, in an S3 bucket (AWS, MinIO, Ceph) that every web node
# and worker shares. boto3 finds the credentials itself (AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY, or the host's role). The bucket stays private: downloads stream
# through the access check (recommendations/views.py evidence_download), and any URL the
# storage makes is signed and short-lived.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
_evidence_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if AWS_STORAGE_BUCKET_NAME:
    _evidence_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="") or None,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 60,
            # Names are random (uuid4), so no existence check before each upload.
            "file_overwrite": True,
            # A download is buffered in memory up to this, then in a temporary file.
            "max_memory_size": 2 * 1024 * 1024,
        },
    }
STORAGES = {
    "default": _evidence_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Evidence files are never served from MEDIA_URL: a view checks who may see them.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
# Every upload is evidence: a file past EVIDENCE_MAX_BYTES is refused while it arrives, with
# no more of it kept (recommendations/evidence.py), then Django's own handlers.
FILE_UPLOAD_HANDLERS = [
    "recommendations.evidence.EvidenceUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: EMAIL_URL such as smtp+tls://user:password@smtp.example.org:587 (default: print
# to the console). Django 6.1's MAILERS replaces the EMAIL_* settings.
_email = env.email_url("EMAIL_URL", default="consolemail://")
_backend = _email["EMAIL_BACKEND"]
_mailer_options = {}
if _backend.endswith("smtp.EmailBackend"):
    _mailer_options = {
        "host": _email["EMAIL_HOST"],
        "port": _email["EMAIL_PORT"],
        "username": _email["EMAIL_HOST_USER"],
        "password": _email["EMAIL_HOST_PASSWORD"],
        "use_tls": _email.get("EMAIL_USE_TLS", False),
        "use_ssl": _email.get("EMAIL_USE_SSL", False),
        "timeout": env.int("EMAIL_TIMEOUT", default=30),
    }
elif _backend.endswith("filebased.EmailBackend"):
    # filemail:///tmp/mail writes files under /tmp/mail (django-environ drops the leading
    # slash, and MAILERS needs file_path in OPTIONS); a bare filemail:// under var/mail.
    _path = _email["EMAIL_FILE_PATH"].lstrip("/")
    _mailer_options = {"file_path": f"/{_path}" if _path else str(VAR_DIR / "mail")}
MAILERS = {"default": {"BACKEND": _backend, "OPTIONS": _mailer_options}}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ROCU Tracker <rocu-tracker@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: Redis in production (REDIS_URL); without it, kombu's filesystem transport, which
# works across processes on one machine and needs no server.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
# Computed dashboards are cached (keys change with the data): in Redis where there is one,
# so every gunicorn process shares them; else in each process's memory. With Redis down the
# cache is a miss and pages compute (rocu_tracker/cache.py); the timeouts keep an unreachable
# Redis from holding a request for long.
CACHES = {
    "default": (
        {
            "BACKEND": "rocu_tracker.cache.DegradingRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
if CELERY_BROKER_URL == "filesystem://":
    _celery_queue_dir = VAR_DIR / "celery-broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_queue_dir),
        "data_folder_out": str(_celery_queue_dir),
        "control_folder": str(VAR_DIR / "celery-control"),
    }
else:
    # Redis re-delivers an unacknowledged task (acks_late) after this many seconds: longer
    # than the task time limit, so a running task is never delivered twice while alive.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60)
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(VAR_DIR / "celerybeat-schedule")
)
# The static beat schedule: one entry per job. Run exactly one beat process; a second one
# would only repeat the scan, which sends nothing twice.
CELERY_BEAT_SCHEDULE = {
    # Every day at 06:00 London time: decide the day's reminders (reminders/services/scan.py
    # reminders_scan), then enqueue one digest per person after commit.
    "reminders-daily-scan": {
        "task": "reminders.scan",
        "schedule": crontab(hour=6, minute=0),
    },
    # Daily at 03:30, away from the scan: the dispatch log's rows older than
    # REMINDER_LOG_RETENTION_DAYS go, in batches (reminders/services/retention.py).
    "reminders-daily-prune": {
        "task": "reminders.prune",
        "schedule": crontab(hour=3, minute=30),
    },
    # Daily at 03:00: expired sessions out of the database (Django's clearsessions).
    "sessions-daily-clear": {
        "task": "accounts.clear_sessions",
        "schedule": crontab(hour=3, minute=0),
    },
    # Daily at 03:45: the dashboards' record of what writes changed, past the two days it is
    # read in (recommendations/tally.py counted_changes_prune).
    "counted-changes-daily-prune": {
        "task": "recommendations.prune_counted_changes",
        "schedule": crontab(hour=3, minute=45),
    },
}
# How long the dispatch log keeps a reminder: more than the 31 days a reminder can stay
# current (reminders/ladder.py LONGEST_STEP_DAYS), so a pruned one is never sent again;
# about three months, to show support that each went once.
REMINDER_LOG_RETENTION_DAYS = env.int("REMINDER_LOG_RETENTION_DAYS", default=90)

# Downloads (dashboards/; README "Dashboards, exports, board paper, calendar"). The calendar
# feed carries the deadlines from this many days back to this many days ahead.
CALENDAR_WINDOW_DAYS_BEFORE = env.int("CALENDAR_WINDOW_DAYS_BEFORE", default=90)
CALENDAR_WINDOW_DAYS_AFTER = env.int("CALENDAR_WINDOW_DAYS_AFTER", default=548)
# An export of more rows than this is written by a Celery job (a request writes at most this
# many, in a second or two); its file is kept for EXPORT_FILE_LIFETIME_HOURS.
EXPORT_INLINE_ROW_LIMIT = env.int("EXPORT_INLINE_ROW_LIMIT", default=20_000)
EXPORT_FILE_LIFETIME = datetime.timedelta(hours=env.int("EXPORT_FILE_LIFETIME_HOURS", default=24))
# A board paper lists at most this many rows per table ("and 977 more, in the export"); a
# paper of more table rows than BOARD_PAPER_PDF_INLINE_ROW_LIMIT has its PDF rendered by a
# Celery job and kept per scope, meeting and data version.
BOARD_PAPER_LIST_LIMIT = env.int("BOARD_PAPER_LIST_LIMIT", default=50)
BOARD_PAPER_PDF_INLINE_ROW_LIMIT = env.int("BOARD_PAPER_PDF_INLINE_ROW_LIMIT", default=60)
# Hourly: delete expired export files and old kept board paper PDFs.
CELERY_BEAT_SCHEDULE["dashboards-expire-downloads"] = {
    "task": "dashboards.expire_downloads",
    "schedule": crontab(minute=17),
}

# Links in emails are absolute: the address people reach the site at.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint reports every step of every PDF at INFO.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}

# The JSON API (api/; README "The API").
# Django REST framework: bearer tokens (api.authentication) or the session (with CSRF, for
# the docs page); JSON only (the browsable renderer needs inline script, which the CSP
# forbids); errors through api.exceptions (a stale write is 409 with what changed).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.SignedInWithWriteAccess"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttles.ApiRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ROCU Tracker API",
    "DESCRIPTION": "Inspections, findings, tracked items, action plans and published "
    "Section 55 responses. Authenticate with `Authorization: Bearer <token>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from drf-spectacular-sidecar's static files: nothing from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ItemStatusEnum": "recommendations.models.TrackedItem.Status",
        "ActionStatusEnum": "actionplans.models.Action.Status",
        "AgreementEnum": "section55.models.Agreement",
    },
}
# Requests per token (or signed-in person, or address when anonymous) and period; DRF's
# rate syntax ("600/minute"). Counted in the shared cache (CACHES).
API_RATE_LIMITS = {
    "token": env.str("API_RATE_LIMIT_TOKEN", default="600/minute"),
    "user": env.str("API_RATE_LIMIT_USER", default="600/minute"),
    "anonymous": env.str("API_RATE_LIMIT_ANONYMOUS", default="60/minute"),
}
# A token's expiry is required: at most this many days ahead, suggested the default.
API_TOKEN_MAX_LIFETIME_DAYS = env.int("API_TOKEN_MAX_LIFETIME_DAYS", default=366)
API_TOKEN_DEFAULT_LIFETIME_DAYS = env.int("API_TOKEN_DEFAULT_LIFETIME_DAYS", default=90)
# A token's "last used" is written at most once per this many seconds.
API_TOKEN_USE_RECORD_SECONDS = 60
# Items per page of a list, and the most a client may ask for (?page_size=).
API_PAGE_SIZE = 50
API_MAX_PAGE_SIZE = 200

# Webhooks (webhooks/; README "Webhooks").
# An endpoint must be https:// to a public address; plain http:// is accepted only to these
# hosts (comma-separated; the tests use 127.0.0.1), which may also be private or loopback.
WEBHOOK_ALLOW_HTTP_HOSTS = env.list("WEBHOOK_ALLOW_HTTP_HOSTS", default=[])
# How long one POST may take (connect and answer), in seconds.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
# The waits before each retry of a delivery the receiver refused or did not answer: 1 min,
# 5 min, 30 min, 2 h, 6 h; after the last retry fails the delivery is failed.
WEBHOOK_RETRY_BACKOFF_SECONDS = env.list(
    "WEBHOOK_RETRY_BACKOFF_SECONDS", cast=int, default=[60, 300, 1800, 7200, 21600]
)
# This many failed deliveries in a row pause the endpoint, and its administrators are told.
WEBHOOK_PAUSE_AFTER_FAILURES = env.int("WEBHOOK_PAUSE_AFTER_FAILURES", default=5)
# A delivery still "sending" this long after it was claimed belonged to a worker that died
# mid-POST: it is marked interrupted (it may have arrived) and never resent automatically.
# Longer than the timeout, so a live worker's delivery is never taken for a dead one.
WEBHOOK_INTERRUPTED_AFTER_SECONDS = env.int("WEBHOOK_INTERRUPTED_AFTER_SECONDS", default=120)
# Every 10 seconds: send the deliveries that are due (webhooks/services/delivery.py); a
# change also enqueues a run after commit, so most deliveries go at once.
CELERY_BEAT_SCHEDULE["webhooks-deliver-due"] = {
    "task": "webhooks.deliver_due",
    "schedule": 10.0,
}
