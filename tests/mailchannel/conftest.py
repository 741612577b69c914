"""E-mail fixtures: an SMTP server and (when Debian's Dovecot is there) an IMAP server on
127.0.0.1 for the whole run, emptied for each test; settings pointing at them."""

import os
from pathlib import Path

import pytest
from mail_peers import DOVECOT, IMAP_PASSWORD, IMAP_USER, Dovecot, SmtpServer

REPLY_ADDRESS = "chat@shop.test"


@pytest.fixture(autouse=True)
def eager_celery(celery_in_process):
    """Tasks run in the test process (tests/conftest.py)."""


@pytest.fixture(scope="session")
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_server, settings):
    smtp_server.handler.reset()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp_server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    settings.DEFAULT_FROM_EMAIL = "chat@shop.test"
    settings.MAILCHANNEL_DEMO_OUTBOX = False
    settings.MAILCHANNEL_REPLY_ADDRESS = REPLY_ADDRESS
    settings.MAILCHANNEL_RETRY_BASE_SECONDS = 0.01
    yield smtp_server.handler
    smtp_server.handler.reset()


@pytest.fixture(scope="session")
def dovecot_server():
    if not Path(DOVECOT).exists():
        if os.environ.get("REQUIRE_DOVECOT") == "1":
            pytest.fail(f"{DOVECOT} is missing (apt-get install dovecot-imapd)")
        pytest.skip(f"{DOVECOT} is missing (apt-get install dovecot-imapd)")
    server = Dovecot().start()
    yield server
    server.stop()


@pytest.fixture
def mailbox(dovecot_server, settings):
    dovecot_server.empty()
    settings.MAILCHANNEL_REPLY_ADDRESS = REPLY_ADDRESS
    settings.MAILCHANNEL_IMAP_HOST = "127.0.0.1"
    settings.MAILCHANNEL_IMAP_PORT = dovecot_server.port
    settings.MAILCHANNEL_IMAP_SSL = False
    settings.MAILCHANNEL_IMAP_STARTTLS = False
    settings.MAILCHANNEL_IMAP_USER = IMAP_USER
    settings.MAILCHANNEL_IMAP_PASSWORD = IMAP_PASSWORD
    settings.MAILCHANNEL_IMAP_FOLDER = "INBOX"
    yield dovecot_server
    dovecot_server.empty()
