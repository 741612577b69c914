"""Settings of the apps built on chat: leads, crm and engage (config/settings.py imports
them last; every value can be set in the environment, docs/operations.md)."""

import environ

from config.settings import VAR_DIR

env = environ.Env()

# Leads (leads/): phone numbers without a country code are read in this region (ISO code);
# each IP may send LEADS_RATE_LIMIT forms per site, and each visitor
# LEADS_RATE_LIMIT_PER_VISITOR, every LEADS_RATE_WINDOW_SECONDS.
LEADS_DEFAULT_PHONE_REGION = env.str("LEADS_DEFAULT_PHONE_REGION", default="RU")
LEADS_RATE_LIMIT = env.int("LEADS_RATE_LIMIT", default=5)
LEADS_RATE_LIMIT_PER_VISITOR = env.int("LEADS_RATE_LIMIT_PER_VISITOR", default=3)
LEADS_RATE_WINDOW_SECONDS = env.int("LEADS_RATE_WINDOW_SECONDS", default=600)

# CRM export (crm/, docs/crm.md "Delivery guarantee"). A temporary failure (network error,
# timeout, 408, 429, 5xx) is retried after min(CAP, BASE * 2**retry) seconds times a random
# 0.5..1, or later if the CRM's Retry-After asks; the export fails once the next attempt
# would fall outside CRM_RETRY_WINDOW_SECONDS of the round's first attempt, or after
# CRM_RETRY_MAX retries. Defaults: 30 s, 1, 2, 4 ... 32 min, then hourly, for a day.
CRM_RETRY_MAX = env.int("CRM_RETRY_MAX", default=60)
CRM_RETRY_BASE_SECONDS = env.float("CRM_RETRY_BASE_SECONDS", default=30.0)
CRM_RETRY_CAP_SECONDS = env.float("CRM_RETRY_CAP_SECONDS", default=3600.0)
CRM_RETRY_WINDOW_SECONDS = env.float("CRM_RETRY_WINDOW_SECONDS", default=86400.0)
CRM_HTTP_TIMEOUT_SECONDS = env.float("CRM_HTTP_TIMEOUT_SECONDS", default=25.0)
# One sender per export: an attempt holds the export for CRM_LEASE_SECONDS and starts no
# request that could outlast it; a lease left by a lost worker expires and the export is
# sent again (after asking the CRM what it already has).
CRM_LEASE_SECONDS = env.float("CRM_LEASE_SECONDS", default=300.0)
# Beat (every CRM_REQUEUE_CHECK_SECONDS) queues again an export whose attempt is overdue by
# CRM_REQUEUE_MARGIN_SECONDS: its task was lost. Once per CRM_RETRY_CAP_SECONDS at most.
CRM_REQUEUE_CHECK_SECONDS = env.float("CRM_REQUEUE_CHECK_SECONDS", default=60.0)
CRM_REQUEUE_MARGIN_SECONDS = env.float("CRM_REQUEUE_MARGIN_SECONDS", default=120.0)
# The export of an ended dialog waits this long for the visitor's rating (sent at once when
# he rates; docs/crm.md "The rating"); 0: no wait. Only with a Celery worker (not eager).
CRM_RATING_WAIT_SECONDS = env.float("CRM_RATING_WAIT_SECONDS", default=600.0)
# The demo webhook receiver (/crm/demo-receiver/): on in the embedded setup, off on
# PostgreSQL unless asked for; its secret is the demo integration's (seed_demo_crm).
CRM_DEMO_RECEIVER = env.bool(
    "CRM_DEMO_RECEIVER", default=not env.str("DATABASE_URL", default="").startswith("postgres")
)
CRM_DEMO_RECEIVER_SECRET = env.str("CRM_DEMO_RECEIVER_SECRET", default="demo-webhook-secret-2026")
CRM_DEMO_RECEIVER_FILE = env.path(
    "CRM_DEMO_RECEIVER_FILE", default=VAR_DIR / "crm-demo-receiver.json"
)

# --- engage: Visitors online and "Write to visitor" (docs/engagement.md) ----------------------
# A widget socket's presence lasts this long unless its process renews it (every third of it).
ENGAGE_PRESENCE_TTL_SECONDS = env.int("ENGAGE_PRESENCE_TTL_SECONDS", default=90)
ENGAGE_PRESENCE_PREFIX = env.str("CHANNEL_PREFIX", default="livechat")
# A visitor who closed an invitation is not written to for this many minutes.
ENGAGE_INVITATION_SNOOZE_MINUTES = env.int("ENGAGE_INVITATION_SNOOZE_MINUTES", default=30)
# "Write to visitor": at most this many chats an operator starts per window of minutes.
ENGAGE_OUTREACH_LIMIT = env.int("ENGAGE_OUTREACH_LIMIT", default=10)
ENGAGE_OUTREACH_WINDOW_MINUTES = env.int("ENGAGE_OUTREACH_WINDOW_MINUTES", default=10)

# --- messengers: Telegram and VK in the console (docs/channels.md) --------------------------
TELEGRAM_API_BASE = env.str("TELEGRAM_API_BASE", default="https://api.telegram.org")
VK_API_BASE = env.str("VK_API_BASE", default="https://api.vk.com")
MESSENGERS_HTTP_TIMEOUT_SECONDS = env.float("MESSENGERS_HTTP_TIMEOUT_SECONDS", default=20.0)
# An operator's message is tried MESSENGERS_RETRY_MAX times, waiting min(CAP, BASE * 2**n)
# seconds times a random 0.5..1 between attempts, never less than the messenger's
# retry_after; then it is shown as not delivered (with a Retry button).
MESSENGERS_RETRY_MAX = env.int("MESSENGERS_RETRY_MAX", default=8)
MESSENGERS_RETRY_BASE_SECONDS = env.float("MESSENGERS_RETRY_BASE_SECONDS", default=5.0)
MESSENGERS_RETRY_CAP_SECONDS = env.float("MESSENGERS_RETRY_CAP_SECONDS", default=600.0)
# Telegram's Bot API takes files up to 50 MB (the product's own limit is usually lower).
MESSENGERS_TELEGRAM_MAX_FILE_BYTES = env.int(
    "MESSENGERS_TELEGRAM_MAX_FILE_BYTES", default=50 * 1024 * 1024
)
# The FAKE Bot API and VK API under /demo/telegram-api/ and /demo/vk-api/ (the demo
# channel of `make run`, seed_demo_messengers): on in the embedded setup only.
MESSENGERS_DEMO_PEER = env.bool(
    "MESSENGERS_DEMO_PEER", default=not env.str("DATABASE_URL", default="").startswith("postgres")
)

# --- webhooks: event webhooks (webhooks/, docs/webhooks.md) ----------------------------------
# Endpoints may not point at private, loopback or link-local addresses unless this is true
# (tests and `make run`, whose demo receiver is on 127.0.0.1). Keep it false in production.
WEBHOOKS_ALLOW_PRIVATE_HOSTS = env.bool("WEBHOOKS_ALLOW_PRIVATE_HOSTS", default=False)
WEBHOOKS_HTTP_TIMEOUT_SECONDS = env.float("WEBHOOKS_HTTP_TIMEOUT_SECONDS", default=10.0)
# The same backoff as the CRM export: min(CAP, BASE * 2**retry) seconds times 0.5..1, or the
# receiver's Retry-After when longer; failed after RETRY_MAX retries or outside the window.
WEBHOOKS_RETRY_MAX = env.int("WEBHOOKS_RETRY_MAX", default=12)
WEBHOOKS_RETRY_BASE_SECONDS = env.float("WEBHOOKS_RETRY_BASE_SECONDS", default=30.0)
WEBHOOKS_RETRY_CAP_SECONDS = env.float("WEBHOOKS_RETRY_CAP_SECONDS", default=3600.0)
WEBHOOKS_RETRY_WINDOW_SECONDS = env.float("WEBHOOKS_RETRY_WINDOW_SECONDS", default=86400.0)
# Beat queues again a delivery overdue by this much (its task was lost).
WEBHOOKS_REQUEUE_MARGIN_SECONDS = env.float("WEBHOOKS_REQUEUE_MARGIN_SECONDS", default=120.0)
# How many deliveries an endpoint's log shows.
WEBHOOKS_DELIVERY_LOG_SIZE = env.int("WEBHOOKS_DELIVERY_LOG_SIZE", default=20)
# The demo receiver (/webhooks/demo-receiver/<endpoint id>/, seed_demo_webhooks): on in the
# embedded setup, off on PostgreSQL unless asked for.
WEBHOOKS_DEMO_RECEIVER = env.bool(
    "WEBHOOKS_DEMO_RECEIVER",
    default=not env.str("DATABASE_URL", default="").startswith("postgres"),
)
