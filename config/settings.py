"""One settings module, driven by environment variables.

With no variables set this is the embedded default: SQLite in ./var, an in-process
channel layer and Celery tasks run eagerly, so `make run` needs no server installed.
With DATABASE_URL and REDIS_URL set it is the production shape: PostgreSQL, the Redis
channel layer shared by several ASGI processes and a Celery broker on Redis.
"""

import os
from datetime import timedelta
from pathlib import Path

import environ
import PIL.Image
from django.core.exceptions import ImproperlyConfigured

from config import secrets
from config.redis_topology import RedisTopology

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)  # SQLite and WhiteNoise need it

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
# Secrets: the environment, NAME_FILE or SECRETS_DIR/NAME (config/secrets.py); never the
# working copy. Without one, a development key generated once under var/secrets/.
SECRETS_DIR = env.path("SECRETS_DIR", default=VAR_DIR / "secrets")
SECRET_KEY = secrets.read("SECRET_KEY", secrets_dir=SECRETS_DIR)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A console form refused for its token gets the console's 403 page (chat/views/errors.py).
CSRF_FAILURE_VIEW = "chat.views.errors.csrf_failure"

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_filters",
    "channels",
    "operators",
    "chat",
    "replies",
    "leads",
    "satisfaction",  # visitors rate their dialogs (satisfaction/)
    "tags",  # an account's tags on dialogs (docs/tags.md)
    "reports",  # the Reports page (reports/, docs/reports.md)
    "engage",  # visitors online, proactive invitations, business hours (docs/engagement.md)
    "routing",  # auto-assignment, capacity and the queue (docs/routing.md)
    "teamwork",  # internal notes and transfers (teamwork/, docs/teamwork.md)
    "messengers",  # Telegram and VK in the console (messengers/, docs/channels.md)
    "mailchannel",  # e-mail: transcripts, answers, lead notices, replies by IMAP (docs/channels.md)
    "crm",
    "push",  # Web Push to operators' devices (push/)
    "retention",  # per-account retention of dialogs, attachments and leads (retention/)
    "webhooks",  # event webhooks to the account's endpoints (docs/webhooks.md)
    "csp",  # Content-Security-Policy (chat/csp.py)
    "axes",  # login throttling (docs/security.md)
    # Two-factor sign-in (twofactor/, docs/security.md): django-otp's TOTP and recovery codes
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "twofactor",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "api",  # the operator API and access tokens (api/, docs/api.md)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Adds CORS headers to /api/ answers only for API_CORS_ALLOWED_ORIGINS (none by default).
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # A session that owes its second factor reaches only the pages that settle it.
    "twofactor.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "chat.csp.CSPMiddleware",
    # Last, as django-axes asks: turns a locked-out login into operators.lockout's page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The consumers' database calls run on this many threads (chat/realtime/db_threads.py),
    # each with its own connection while a call runs.
    CHAT_DB_THREADS = env.int("CHAT_DB_THREADS", default=8)
    # A pool instead of a connection per database_sync_to_async call (DESIGN.md).
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DB_POOL_MIN", default=2),
        "max_size": env.int("DB_POOL_MAX", default=20),
        "timeout": 10,
    }
    # Room for every consumer thread, Django's shared thread (sync views) and one more.
    if DATABASES["default"]["OPTIONS"]["pool"]["max_size"] < CHAT_DB_THREADS + 2:
        raise ImproperlyConfigured("DB_POOL_MAX must be at least CHAT_DB_THREADS + 2.")
    # Querysets read with .iterator() (a form's choices) in one round trip, not a cursor's
    # DECLARE, FETCH and CLOSE; also what a transaction-pooling PgBouncer needs.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    # One test database per test process, so parallel runs on one server do not collide.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}
else:
    # SQLite has one writer at a time: more threads would only queue on its lock.
    CHAT_DB_THREADS = env.int("CHAT_DB_THREADS", default=1)
    # The browser tests run a real Daphne process against the test database, so it
    # must be a file both processes can open; one per test process, so runs do not collide.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        # IMMEDIATE transactions take the write lock at BEGIN, so concurrent writers queue
        # instead of failing with "database is locked" halfway through.
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One Redis server (REDIS_URL) or the master Redis Sentinel names (REDIS_SENTINELS,
# REDIS_SENTINEL_MASTER): config/redis_topology.py turns either into each component's
# settings below (docs/operations.md, "Redis failover (Sentinel)").
REDIS_TOPOLOGY = RedisTopology.from_env(os.environ)
REDIS_URL = REDIS_TOPOLOGY.url if REDIS_TOPOLOGY else ""
if REDIS_TOPOLOGY:
    CHANNEL_LAYERS = {
        "default": {
            # channels_redis' pub/sub layer, bounded and never raising while Redis is
            # down (chat/realtime/layer.py, docs/operations.md "Health and faults").
            "BACKEND": "chat.realtime.layer.ResilientPubSubLayer",
            "CONFIG": {
                "hosts": REDIS_TOPOLOGY.channel_layer_hosts(max_connections=1000),
                "prefix": env.str("CHANNEL_PREFIX", default="livechat"),
                "timeout": env.float("CHANNEL_LAYER_TIMEOUT", default=2.0),
                "heartbeat": env.float("CHANNEL_LAYER_HEARTBEAT", default=1.0),
            },
        }
    }
else:
    # The in-memory layer drops messages once a channel holds `capacity` undelivered ones
    # (default 100): under load a console socket's backlog passed that and lost frames
    # (docs/performance.md, embedded default). One process, so memory is the only cost.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": env.int("CHANNEL_CAPACITY", default=1000)},
        }
    }

# Rate limits and other short-lived counters: shared by every process on Redis.
CACHES = {
    "default": (
        {
            "BACKEND": "config.redis_cache.SharedRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CHANNEL_PREFIX", default="livechat"),
            # Redis down or hung: fail within a second instead of holding the request.
            "OPTIONS": {
                "socket_connect_timeout": 1,
                "socket_timeout": 1,
                **REDIS_TOPOLOGY.cache_options(),
            },
        }
        if REDIS_TOPOLOGY
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

CELERY_BROKER_URL = REDIS_TOPOLOGY.celery_broker_url() if REDIS_TOPOLOGY else "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    REDIS_TOPOLOGY.celery_broker_transport_options() if REDIS_TOPOLOGY else {}
)
CELERY_TASK_ALWAYS_EAGER = not REDIS_TOPOLOGY
CELERY_TASK_ACKS_LATE = True
# Installations (or test runs) sharing one Redis keep their tasks apart by queue name.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(VAR_DIR / "celerybeat-schedule")
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "console:mine"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes, docs/security.md): AXES_FAILURE_LIMIT wrong passwords for
# one username from one IP lock that pair out for AXES_COOLOFF_MINUTES; the console's and
# the admin's login both go through it. The IP is the visitor card's (CHAT_TRUSTED_PROXIES).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "chat.visitors.client_ip.ip_from_request"
AXES_LOCKOUT_CALLABLE = "operators.lockout.lockout_response"

# Two-factor sign-in (twofactor/, docs/security.md): TWOFACTOR_MAX_ATTEMPTS codes per user
# per TWOFACTOR_ATTEMPT_WINDOW_SECONDS (then "try again in N min"); django-otp's own
# growing delays are off, so that limit is the one a person meets.
TWOFACTOR_MAX_ATTEMPTS = env.int("TWOFACTOR_MAX_ATTEMPTS", default=5)
TWOFACTOR_ATTEMPT_WINDOW_SECONDS = env.int("TWOFACTOR_ATTEMPT_WINDOW_SECONDS", default=300)
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Live chat")

LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", "English"), ("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Daphne serves static files through WhiteNoise; finders let a checkout work before
# collectstatic has run. WHITENOISE_USE_FINDERS=false (production, after collectstatic)
# serves the collected files with their gzip copies (docs/operations.md).
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
)
X_FRAME_OPTIONS = "DENY"

# HTTPS (docs/operations.md, "HTTPS"): a deployment (DEBUG off, a host name other than the
# local ones) is taken to be served over TLS, so its cookies are Secure, HSTS is sent and
# plain HTTP is redirected; `make run` and the tests answer on localhost over plain HTTP.
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
HTTPS = env.bool("HTTPS", default=not DEBUG and any(h not in _LOCAL_HOSTS for h in ALLOWED_HOSTS))
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=HTTPS)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=HTTPS)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=HTTPS)
# A proxy that redirects HTTP itself says so with TLS_PROXY_REDIRECTS: Django then does not
# redirect, and the check's "no SSL redirect" warning (W008) is answered by the proxy.
_PROXY_REDIRECTS = env.bool("TLS_PROXY_REDIRECTS", default=False)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS and not _PROXY_REDIRECTS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
SILENCED_SYSTEM_CHECKS = ["security.W008"] if _PROXY_REDIRECTS else []
if not SECRET_KEY:
    if HTTPS and not DEBUG:
        # Hosts behind one balancer must share the key (sessions, signed download URLs).
        raise ImproperlyConfigured("Set SECRET_KEY (or SECRET_KEY_FILE, or SECRETS_DIR).")
    SECRET_KEY = secrets.generated(VAR_DIR / "secrets" / "SECRET_KEY")

# Content-Security-Policy (django-csp, chat/csp.py, docs/security.md): no inline script or
# style anywhere; connect-src also gets ws(s):// of the requested host per request, and the
# widget frame replaces frame-ancestors with its site's domains. CSP_REPORT_ONLY sends the
# policy as Content-Security-Policy-Report-Only (browsers report, nothing is blocked);
# CSP_CDN_ORIGINS are origins static files are served from (STATIC_URL on a CDN).
_CSP_CDN = env.list("CSP_CDN_ORIGINS", default=[])
_CSP = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", *_CSP_CDN],
        "style-src": ["'self'", *_CSP_CDN],
        "img-src": ["'self'", "data:", "blob:", *_CSP_CDN],
        "font-src": ["'self'", *_CSP_CDN],
        "media-src": ["'self'", *_CSP_CDN],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if env.bool("CSP_REPORT_ONLY", default=False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP
else:
    CONTENT_SECURITY_POLICY = _CSP

# Chat rules (docs/protocol.md documents the limits a client must respect).
CHAT_MESSAGE_MAX_LENGTH = env.int("CHAT_MESSAGE_MAX_LENGTH", default=4000)
# A frame must let any valid message through however its client encodes JSON: a character
# may take 12 bytes (an emoji as two \uXXXX escapes, Python's json.dumps default), plus its
# client_id (64 characters, as escaped) and the envelope. A lower setting is raised to that.
CHAT_FRAME_MIN_BYTES = 12 * (CHAT_MESSAGE_MAX_LENGTH + 64) + 1024
CHAT_FRAME_MAX_BYTES = max(
    env.int("CHAT_FRAME_MAX_BYTES", default=CHAT_FRAME_MIN_BYTES), CHAT_FRAME_MIN_BYTES
)
# Rate limits (chat/messaging/ratelimit.py; 0 turns one off): messages per minute and new dialogs
# per hour, per visitor and per IP address. A person types 20 messages a minute at most;
# an office or mobile-carrier NAT puts many visitors behind one IP, hence higher IP limits.
CHAT_RATE_MESSAGES_PER_VISITOR = env.int("CHAT_RATE_MESSAGES_PER_VISITOR", default=30)
CHAT_RATE_MESSAGES_PER_IP = env.int("CHAT_RATE_MESSAGES_PER_IP", default=300)
CHAT_RATE_DIALOGS_PER_VISITOR = env.int("CHAT_RATE_DIALOGS_PER_VISITOR", default=10)
CHAT_RATE_DIALOGS_PER_IP = env.int("CHAT_RATE_DIALOGS_PER_IP", default=100)
CHAT_VISIT_TIMEOUT_MINUTES = 30
CHAT_OPERATOR_PRESENCE_GRACE_SECONDS = env.int("CHAT_OPERATOR_PRESENCE_GRACE_SECONDS", default=60)
CHAT_CONSOLE_PAGE_SIZE = env.int("CHAT_CONSOLE_PAGE_SIZE", default=50)
# A new dialog whose visitor has had no widget open this long becomes missed.
CHAT_MISSED_GRACE_SECONDS = env.int("CHAT_MISSED_GRACE_SECONDS", default=120)
# Web Push (push/, docs/operations.md "Alerts and Web Push"): off unless all three are set.
# `manage.py generate_vapid_keys` prints a key pair; the subject is mailto: or https:.
# Each also from NAME_FILE or SECRETS_DIR/NAME (`generate_vapid_keys --write DIR`).
WEBPUSH_VAPID_PUBLIC_KEY = secrets.read("WEBPUSH_VAPID_PUBLIC_KEY", secrets_dir=SECRETS_DIR)
WEBPUSH_VAPID_PRIVATE_KEY = secrets.read("WEBPUSH_VAPID_PRIVATE_KEY", secrets_dir=SECRETS_DIR)
WEBPUSH_VAPID_SUBJECT = secrets.read("WEBPUSH_VAPID_SUBJECT", secrets_dir=SECRETS_DIR)
WEBPUSH_TTL = env.int("WEBPUSH_TTL", default=3600)  # seconds a push service keeps a push

# Visitor card. Reverse proxies (IPs or CIDR ranges) whose X-Forwarded-For is believed;
# empty: the peer address is the visitor's and no header is read (chat/visitors/client_ip.py).
CHAT_TRUSTED_PROXIES = env.list("CHAT_TRUSTED_PROXIES", default=[])
# A GeoLite2/GeoIP2 City .mmdb file on a mounted volume (each host reads its own copy);
# empty: the card's location is "unknown".
GEOIP_PATH = env.str("GEOIP_PATH", default="")

# Attachments (chat/messaging/uploads.py, attachments.py). Types are decided from the content.
CHAT_ATTACHMENT_MAX_BYTES = env.int("CHAT_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
CHAT_ATTACHMENT_TYPES = env.list(
    "CHAT_ATTACHMENT_TYPES",
    default=[
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "application/pdf",
        "text/plain",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/zip",
    ],
)
# Images with more pixels are refused before they are decoded (decompression bombs); the
# same bound is Pillow's own for the whole process.
CHAT_ATTACHMENT_MAX_PIXELS = env.int("CHAT_ATTACHMENT_MAX_PIXELS", default=40_000_000)
PIL.Image.MAX_IMAGE_PIXELS = CHAT_ATTACHMENT_MAX_PIXELS
# How long a visitor's signed download URL works; clients get fresh ones on every resume.
CHAT_ATTACHMENT_URL_MAX_AGE = env.int("CHAT_ATTACHMENT_URL_MAX_AGE", default=7 * 24 * 3600)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.channels.server": {"level": "WARNING"}},
}

# The settings of the apps built on chat (leads, crm, engage): config/settings_apps.py, and
# of the operator API (api/): config/settings_api.py.
from config.settings_api import *  # noqa: E402, F403, I001
from config.settings_apps import *  # noqa: E402, F403

# The periodic tasks: config/settings_beat.py.
from config.settings_beat import *  # noqa: E402, F403

# Object storage, the single beat and retention: config/settings_storage.py.
from config.settings_storage import *  # noqa: E402, F403

# E-mail (SMTP out, IMAP in; mailchannel/, docs/channels.md): config/settings_mail.py.
from config.settings_mail import *  # noqa: E402, F403
