"""A dialog opened by an e-mail in a real Chromium console: its row appears live on the
Mine tab with "✉ E-mail" (Russian "Почта") at the end of its meta line, like a Telegram
dialog's messenger badge, and keeps it when the page is loaded again (server-rendered).
The stack's worker polls a real Dovecot every second. English on a desktop and a phone,
Russian on both. Screenshots: test-artifacts/e2e/mail-row-*.png."""

import sys
import time
import uuid
from email.message import EmailMessage
from pathlib import Path

import pytest
from helpers import DESKTOP, PHONE, open_console, shop_with, watch_errors
from playwright.sync_api import expect

from chat.models import Dialog
from mailchannel.models import SiteMail

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "mailchannel"))
from mail_peers import DOVECOT, IMAP_PASSWORD, IMAP_USER, Dovecot  # noqa: E402

pytestmark = pytest.mark.browser

INBOX = "support@mailrow.test"


@pytest.fixture(scope="module")
def dovecot():
    if not Path(DOVECOT).exists():
        pytest.skip(f"{DOVECOT} is missing (apt-get install dovecot-imapd)")
    server = Dovecot().start()
    yield server
    server.stop()


@pytest.fixture
def asgi_server_env(dovecot):
    """The stack's worker polls this Dovecot every second (beat's poll-mail)."""
    dovecot.empty()
    prefix = f"e2email{uuid.uuid4().hex[:8]}"
    return {
        "CHANNEL_PREFIX": prefix,
        "CELERY_TASK_DEFAULT_QUEUE": prefix,
        "MAILCHANNEL_REPLY_ADDRESS": "chat@mailrow.test",
        "MAILCHANNEL_IMAP_HOST": "127.0.0.1",
        "MAILCHANNEL_IMAP_PORT": str(dovecot.port),
        "MAILCHANNEL_IMAP_SSL": "false",
        "MAILCHANNEL_IMAP_STARTTLS": "false",
        "MAILCHANNEL_IMAP_USER": IMAP_USER,
        "MAILCHANNEL_IMAP_PASSWORD": IMAP_PASSWORD,
        "MAILCHANNEL_IMAP_POLL_SECONDS": "1",
        "MAILCHANNEL_DEMO_OUTBOX": "true",
    }


def new_mail(sender: str, subject: str) -> bytes:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = f"Shop <{INBOX}>"
    mail["Subject"] = subject
    mail["Message-ID"] = f"<{uuid.uuid4().hex}@mail.test>"
    mail.set_content("Do you ship to Kazan?")
    return mail.as_bytes()


@pytest.mark.parametrize(
    "language,viewport,label",
    [
        ("en", DESKTOP, "E-mail"),
        ("en", PHONE, "E-mail"),
        ("ru", DESKTOP, "Почта"),
        ("ru", PHONE, "Почта"),
    ],
)
def test_an_email_dialog_s_row_shows_its_channel_live_and_on_the_page(
    asgi_server, dovecot, browser, screenshots, password, log_in, language, viewport, label
):
    size = "desktop" if viewport == DESKTOP else "phone"
    site, _ = shop_with(
        password, "Mail shop", "mail.example", f"mail-key-{language}-{size}", language=language
    )
    SiteMail.objects.create(site=site, inbox_address=INBOX)
    console = open_console(browser, asgi_server, log_in, "vera", viewport=viewport,
                           language=language)  # fmt: skip
    problems = watch_errors(console)
    expect(console.locator(".row")).to_have_count(0)

    dovecot.append(new_mail("Olga Petrova <olga@mail.test>", "Доставка в Казань"))
    for _ in range(600):  # the worker's beat polls the mailbox every second
        if Dialog.objects.filter(site=site).exists():
            break
        time.sleep(0.1)
    assert Dialog.objects.filter(site=site).exists(), "the e-mail opened no dialog"
    row = console.locator(".row", has_text="Olga Petrova")
    expect(row).to_be_visible(timeout=15000)  # live: the socket sent it, no reload
    badge = row.locator(".row-meta .channel-email")
    expect(badge).to_have_text(f"✉ {label}")
    expect(badge).to_have_attribute("title", label)
    expect(badge.locator(".channel-icon")).to_have_attribute("aria-hidden", "true")
    expect(row.locator(".row-link")).to_contain_text(label)  # in the link's accessible name
    console.screenshot(path=screenshots / f"mail-row-{language}-{size}-1-live.png")

    console.reload()
    row = console.locator(".row", has_text="Olga Petrova")
    expect(row.locator(".row-meta .channel-email")).to_have_text(f"✉ {label}")
    box = row.locator(".row-meta .channel-email").bounding_box()
    assert box is not None and box["x"] + box["width"] <= viewport["width"]
    console.screenshot(path=screenshots / f"mail-row-{language}-{size}-2-page.png")
    assert problems == []
    console.context.close()
