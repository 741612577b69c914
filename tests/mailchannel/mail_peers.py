"""Real mail peers on 127.0.0.1 for the e-mail tests: an SMTP server (aiosmtpd) that keeps
what it receives and can be told to answer 4xx/5xx, and an IMAP server (Debian's Dovecot,
its own instance with a config, a passwd-file user and a maildir in a temporary folder)."""

import contextlib
import email
import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from email import policy
from pathlib import Path

from aiosmtpd.controller import Controller

DOVECOT = "/usr/sbin/dovecot"
IMAP_USER, IMAP_PASSWORD = "replies", "box-pass-2026"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, seconds: float = 10.0, what: str = "condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class Handler:
    """Keeps every accepted mail; answers `failures` (a list of SMTP replies) first, and
    refuses the recipients in `refused` with their reply."""

    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.received = []
            self.failures = []
            self.refused = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            if address in self.refused:
                return self.refused[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.failures:
                return self.failures.pop(0)
            self.received.append(
                {
                    "from": envelope.mail_from,
                    "to": list(envelope.rcpt_tos),
                    "raw": envelope.original_content,
                    "message": email.message_from_bytes(
                        envelope.original_content, policy=policy.default
                    ),
                }
            )
        return "250 Message accepted"

    def messages(self):
        with self.lock:
            return list(self.received)


class SmtpServer:
    def __init__(self):
        self.handler = Handler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()


DOVECOT_CONF = """
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = {uid}
default_internal_user = {internal}
default_login_user = {login}
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = {root}/passwd
}}
userdb {{
  driver = passwd-file
  args = {root}/passwd
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


class Dovecot:
    """Its own Dovecot: as root the mail belongs to the `dovecot` user (Dovecot refuses
    uid 0 for mail), as anyone else to that user."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="lc-dovecot-"))
        os.chmod(self.root, 0o755)
        self.port = free_port()
        self.process = None

    def start(self):
        if os.geteuid() == 0:
            mail_user = pwd.getpwnam("dovecot")
            internal, login = "dovecot", "dovenull"
        else:
            mail_user = pwd.getpwuid(os.geteuid())
            internal = login = mail_user.pw_name
        home = self.root / "mail" / IMAP_USER
        home.mkdir(parents=True)
        for path in (self.root / "mail", home):
            os.chown(path, mail_user.pw_uid, mail_user.pw_gid)
        (self.root / "passwd").write_text(
            f"{IMAP_USER}:{{PLAIN}}{IMAP_PASSWORD}:{mail_user.pw_uid}:{mail_user.pw_gid}::{home}\n"
        )
        (self.root / "dovecot.conf").write_text(
            DOVECOT_CONF.format(
                root=self.root, port=self.port, uid=mail_user.pw_uid, internal=internal, login=login
            )  # fmt: skip
        )
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        wait_until(self._answers, 15, "Dovecot to listen")
        return self

    def _answers(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"dovecot exited: {self.process.stderr.read().decode()}")
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
            return True
        except OSError:
            return False

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(IMAP_USER, IMAP_PASSWORD)
        client.select("INBOX")
        return client

    def append(self, raw: bytes) -> None:
        client = self.client()
        try:
            client.append("INBOX", None, None, raw)
        finally:
            client.logout()

    def empty(self) -> None:
        client = self.client()
        try:
            client.store("1:*", "+FLAGS", "(\\Deleted)")
            client.expunge()
        except imaplib.IMAP4.error:
            pass  # an empty box: "1:*" names nothing
        finally:
            client.logout()

    def flags(self) -> list[str]:
        client = self.client()
        try:
            _status, data = client.fetch("1:*", "(FLAGS)")
            return [line.decode() for line in data if line]
        except imaplib.IMAP4.error:
            return []
        finally:
            client.logout()

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
            if self.process.poll() is None:
                self.process.kill()
        shutil.rmtree(self.root, ignore_errors=True)
