"""E-mail (mailchannel/, docs/channels.md): Django's SMTP settings for what goes out, the
IMAP mailbox the visitors' replies arrive in, and the retries.

Without EMAIL_HOST nothing leaves the machine: mail is written as files to the DEMO
outbox (var/mail-outbox/), and the console says so under every e-mail it "sent"."""

import environ

from config.settings import VAR_DIR

env = environ.Env()

EMAIL_HOST = env.str("EMAIL_HOST", default="")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="chat@localhost")
# The demo outbox: no SMTP server configured, every e-mail is a file here, nothing is sent.
MAILCHANNEL_DEMO_OUTBOX = env.bool("MAILCHANNEL_DEMO_OUTBOX", default=not EMAIL_HOST)
EMAIL_FILE_PATH = env.path("EMAIL_FILE_PATH", default=VAR_DIR / "mail-outbox")
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.filebased.EmailBackend"
    if MAILCHANNEL_DEMO_OUTBOX
    else "django.core.mail.backends.smtp.EmailBackend",
)

# The mailbox replies go to: chat@example.com makes each e-mail's Reply-To
# chat+r<dialog>-<signature>@example.com (plus-addressing; the mailbox must accept it).
# Empty: e-mails go out without a reply address and IMAP is not polled.
MAILCHANNEL_REPLY_ADDRESS = env.str("MAILCHANNEL_REPLY_ADDRESS", default="")
MAILCHANNEL_IMAP_HOST = env.str("MAILCHANNEL_IMAP_HOST", default="")
MAILCHANNEL_IMAP_PORT = env.int("MAILCHANNEL_IMAP_PORT", default=993)
MAILCHANNEL_IMAP_SSL = env.bool("MAILCHANNEL_IMAP_SSL", default=True)
MAILCHANNEL_IMAP_STARTTLS = env.bool("MAILCHANNEL_IMAP_STARTTLS", default=False)
MAILCHANNEL_IMAP_USER = env.str("MAILCHANNEL_IMAP_USER", default="")
MAILCHANNEL_IMAP_PASSWORD = env.str("MAILCHANNEL_IMAP_PASSWORD", default="")
MAILCHANNEL_IMAP_FOLDER = env.str("MAILCHANNEL_IMAP_FOLDER", default="INBOX")
MAILCHANNEL_IMAP_TIMEOUT_SECONDS = env.float("MAILCHANNEL_IMAP_TIMEOUT_SECONDS", default=30.0)

# An e-mail is tried up to MAILCHANNEL_RETRY_MAX times, waiting min(CAP, BASE * 2**n)
# seconds times 0.5..1 (chat/outbound/retry.py), within WINDOW seconds of the first failure.
MAILCHANNEL_RETRY_MAX = env.int("MAILCHANNEL_RETRY_MAX", default=10)
MAILCHANNEL_RETRY_BASE_SECONDS = env.float("MAILCHANNEL_RETRY_BASE_SECONDS", default=30.0)
MAILCHANNEL_RETRY_CAP_SECONDS = env.float("MAILCHANNEL_RETRY_CAP_SECONDS", default=3600.0)
MAILCHANNEL_RETRY_WINDOW_SECONDS = env.float("MAILCHANNEL_RETRY_WINDOW_SECONDS", default=86400.0)
