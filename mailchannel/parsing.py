"""What a visitor's e-mail says: its new text without the quoted history (email-reply-
parser, plus the Russian and other "… wrote:" lines it does not know) and its files. An
HTML-only e-mail is read as text (html_to_text, the standard library's parser): its HTML is
never shown anywhere. automated(): auto-replies and bulk mail, which never open a dialog."""

import email
import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import parseaddr
from html.parser import HTMLParser

from email_reply_parser import EmailReplyParser

# The line a mail program puts above the quote: "On … wrote:", "… пишет:", "… написал(а):".
QUOTE_HEADER = re.compile(
    r"((wrote|пишет|написал|написала|написал\(а\)|schrieb|a écrit|escribió)"
    r"|<[^<>]+@[^<>]+>)\s*:\s*$",
    re.IGNORECASE,
)
SEPARATORS = re.compile(
    r"^\s*(-{2,}\s*(Original Message|Исходное сообщение|Пересылаемое сообщение).*|_{5,})\s*$",
    re.IGNORECASE,
)


@dataclass
class File:
    name: str
    content: bytes
    content_type: str


@dataclass
class Parsed:
    message_id: str
    sender: str
    subject: str
    text: str
    files: list[File] = field(default_factory=list)
    in_reply_to: list[str] = field(default_factory=list)
    sender_name: str = ""


def one_line(value: str, limit: int = 300) -> str:
    cleaned = "".join(" " if ord(ch) < 32 or ch == "\x7f" else ch for ch in value or "")
    return " ".join(cleaned.split())[:limit]


def parse_bytes(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)


def message_id_of(message, raw: bytes) -> str:
    """The Message-ID; a hash of the bytes for a mail without one (the same bytes
    redelivered are then still one mail)."""
    value = str(message.get("Message-ID", "") or "").strip()
    return value[:300] if value else "<sha256-" + hashlib.sha256(raw).hexdigest() + ">"


def _body_text(message) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):
        content = part.get_payload(decode=True).decode("utf-8", errors="replace")
    if part.get_content_type() == "text/html":
        content = html_to_text(content)
    return content


class _TextOfHtml(HTMLParser):
    """Readable text of an HTML e-mail: paragraphs apart, lines (div, br, li) on their own
    lines, list items with "- ", a link's address after its text, quotes (blockquote)
    with "> " so the quoted history is cut like a plain-text one's; scripts, styles and
    the head are dropped."""

    PARAGRAPHS = {
        "p", "ul", "ol", "table", "blockquote", "pre", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
    }  # fmt: skip
    LINES = {"div", "br", "li", "tr", "section", "article", "header", "footer"}
    HIDDEN = {"script", "style", "head", "title", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines = [""]
        self.hidden = self.quote = self.pre = 0
        self.space = False
        self.href = []

    def _break(self, *, paragraph: bool) -> None:
        self.space = False
        if self.lines[-1].strip():
            self.lines.append("")
        if paragraph and len(self.lines) > 1 and self.lines[-2].strip():
            self.lines.append("")

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.PARAGRAPHS or tag in self.LINES:
            self._break(paragraph=tag in self.PARAGRAPHS)
            self.quote += tag == "blockquote"
            self.pre += tag == "pre"
            if tag == "li":
                self.lines[-1] = "- "
        elif tag == "a":
            self.href.append(dict(attrs).get("href") or "")
        elif tag in ("td", "th") and self.lines[-1].strip():
            self.space = True

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.PARAGRAPHS or tag in self.LINES:
            if tag == "blockquote":
                self.quote = max(0, self.quote - 1)
            elif tag == "pre":
                self.pre = max(0, self.pre - 1)
            self._break(paragraph=tag in self.PARAGRAPHS)
        elif tag == "a" and self.href:
            href = self.href.pop()
            if href.startswith(("http://", "https://")) and href not in self.lines[-1]:
                self.lines[-1] += f" ({href})"

    def handle_data(self, data):
        if self.hidden:
            return
        if self.pre:
            pieces = data.split("\n")
            self.lines[-1] += pieces[0]
            self.lines.extend(pieces[1:])
            return
        text = " ".join(data.split())
        if not text:
            self.space = self.space or bool(data)
            return
        line = self.lines[-1]
        if not line.strip() and not line.startswith("- "):
            line = "> " * self.quote
        elif (self.space or data[:1].isspace()) and not line.endswith(" "):
            line += " "
        self.lines[-1] = line + text
        self.space = data[-1:].isspace()

    def text(self) -> str:
        lines, blank = [], False
        for line in self.lines:
            line = line.rstrip()
            if not line.strip():
                if lines and not blank:
                    lines.append("")
                blank = True
                continue
            lines.append(line)
            blank = False
        return "\n".join(lines).strip()


def html_to_text(html: str) -> str:
    """The readable text of an e-mail's HTML (never shown as HTML)."""
    parser = _TextOfHtml()
    try:
        parser.feed(html or "")
        parser.close()
    except (AssertionError, ValueError):  # a malformed declaration: what was read so far
        pass
    return parser.text()


# Auto-replies and bulk mail (RFC 3834, and what common servers really send): they never
# open a dialog, so two robots cannot write to each other forever.
ROBOT_SENDERS = re.compile(
    r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply|bounces?|auto-?reply|autoresponder)"
    r"([+\-._].*)?$",
    re.IGNORECASE,
)


def automated(message) -> str:
    """Why this e-mail is an automatic or bulk one (a header), or "" for a person's."""
    auto_submitted = str(message.get("Auto-Submitted", "") or "").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return "Auto-Submitted"
    precedence = str(message.get("Precedence", "") or "").strip().lower()
    if precedence in ("bulk", "list", "junk", "auto_reply"):
        return "Precedence"
    for header in ("X-Autoreply", "X-Autorespond", "List-Id"):
        if message.get(header) is not None:
            return header
    if message.get_content_type() == "multipart/report":
        return "multipart/report"
    local = parseaddr(str(message.get("From", "")))[1].rpartition("@")[0]
    if not local or ROBOT_SENDERS.match(local):
        return "From"
    return ""


def strip_quoted(text: str) -> str:
    """Only what the visitor wrote now: no quoted history, no signature."""
    text = text.replace("\r\n", "\n")
    lines = []
    for line in text.split("\n"):
        if SEPARATORS.match(line):
            break
        lines.append(line)
    reply = EmailReplyParser.parse_reply("\n".join(lines)) or ""
    kept = reply.rstrip().split("\n")
    # A "… wrote:" header (maybe wrapped over two lines) left above the removed quote.
    while kept and (not kept[-1].strip() or QUOTE_HEADER.search(kept[-1])):
        if QUOTE_HEADER.search(kept[-1]):
            kept.pop()
            wrapped = kept and kept[-1].strip() and not kept[-1].rstrip().endswith((".", "!", "?"))
            if wrapped and re.search(r"\d{4}|<[^>]+@[^>]+>", kept[-1]):
                kept.pop()
            continue
        kept.pop()
    return "\n".join(kept).strip()


def _files(message) -> list[File]:
    files = []
    for part in message.iter_attachments():
        name = part.get_filename()
        if not name or part.is_multipart():
            continue
        content = part.get_payload(decode=True) or b""
        files.append(File(name=str(name), content=content, content_type=part.get_content_type()))
    return files


def _ids(value) -> list[str]:
    return re.findall(r"<[^<>\s]+>", str(value or ""))


def parse(raw: bytes) -> Parsed:
    message = parse_bytes(raw)
    references = _ids(message.get("In-Reply-To")) + _ids(message.get("References"))
    name, address = parseaddr(str(message.get("From", "")))
    return Parsed(
        message_id=message_id_of(message, raw),
        sender=address[:300],
        sender_name=one_line(name, 200),
        subject=str(message.get("Subject", ""))[:300],
        text=strip_quoted(_body_text(message)),
        files=_files(message),
        in_reply_to=references,
    )
