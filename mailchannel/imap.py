"""The IMAP mailbox the replies arrive in (MAILCHANNEL_IMAP_*): each unseen mail is
fetched without marking it seen (BODY.PEEK), stored and committed, and only then flagged
\\Seen: a crash in between fetches it again, and the Message-ID stores it once.
`manage.py mail_poll --forever` waits with IDLE where the server offers it."""

import contextlib
import imaplib
import logging
import ssl

from django.conf import settings

from mailchannel import inbound

logger = logging.getLogger(__name__)


def configured() -> bool:
    return bool(settings.MAILCHANNEL_IMAP_HOST and settings.MAILCHANNEL_IMAP_USER)


def connect() -> imaplib.IMAP4:
    host, port = settings.MAILCHANNEL_IMAP_HOST, settings.MAILCHANNEL_IMAP_PORT
    timeout = settings.MAILCHANNEL_IMAP_TIMEOUT_SECONDS
    if settings.MAILCHANNEL_IMAP_SSL:
        context = ssl.create_default_context()
        client = imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=timeout)
    else:
        client = imaplib.IMAP4(host, port, timeout=timeout)
        if settings.MAILCHANNEL_IMAP_STARTTLS:
            client.starttls(ssl_context=ssl.create_default_context())
    client.login(settings.MAILCHANNEL_IMAP_USER, settings.MAILCHANNEL_IMAP_PASSWORD)
    status, _data = client.select(_quoted(settings.MAILCHANNEL_IMAP_FOLDER))
    if status != "OK":
        raise imaplib.IMAP4.error(f"cannot open {settings.MAILCHANNEL_IMAP_FOLDER}")
    return client


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fetch_new(client: imaplib.IMAP4, *, on_stored=None) -> list[int]:
    """Store every unseen mail, then mark it seen; returns the ids of the mails stored
    for the first time. on_stored(mail id): what to do with a new one (queue its task)."""
    status, data = client.uid("SEARCH", None, "UNSEEN")
    if status != "OK":
        raise imaplib.IMAP4.error("SEARCH failed")
    stored = []
    for uid in (data[0] or b"").split():
        status, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
        raw = next((p[1] for p in parts or [] if isinstance(p, tuple)), None)
        if status != "OK" or raw is None:
            continue  # gone meanwhile (another client expunged it)
        mail, new = inbound.store(raw)  # committed here
        client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
        if new:
            stored.append(mail.pk)
            if on_stored is not None:
                on_stored(mail.pk)
    return stored


def poll_once(*, on_stored=None) -> list[int]:
    client = connect()
    try:
        return fetch_new(client, on_stored=on_stored)
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()


def idle(client: imaplib.IMAP4, seconds: float) -> None:
    """Wait for the server to tell of a new mail (RFC 2177 IDLE), at most `seconds`."""
    tag = client._new_tag()
    client.send(tag + b" IDLE\r\n")
    if not client.readline().startswith(b"+"):
        return
    client.sock.settimeout(seconds)
    try:
        client.readline()  # "* n EXISTS" or similar: something changed
    except TimeoutError:
        pass
    finally:
        client.sock.settimeout(settings.MAILCHANNEL_IMAP_TIMEOUT_SECONDS)
    client.send(b"DONE\r\n")
    while True:
        line = client.readline()
        if not line or line.startswith(tag):
            return


def run_forever(*, on_stored, wait_seconds: float = 60.0, stop=lambda: False) -> None:
    """The worker of `mail_poll --forever`: poll, then IDLE (or sleep) until new mail."""
    import time

    while not stop():
        try:
            client = connect()
            try:
                while not stop():
                    fetch_new(client, on_stored=on_stored)
                    if b"IDLE" in b" ".join(
                        c.encode() if isinstance(c, str) else c for c in client.capabilities
                    ):
                        idle(client, wait_seconds)
                    else:
                        time.sleep(wait_seconds)
                        client.noop()
            finally:
                with contextlib.suppress(imaplib.IMAP4.error, OSError):
                    client.logout()
        except (imaplib.IMAP4.error, OSError) as error:
            logger.warning("IMAP: %s; trying again in %s s", error, wait_seconds)
            time.sleep(wait_seconds)
