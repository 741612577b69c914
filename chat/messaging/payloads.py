"""What the protocol and the console show of a message or a dialog.

Built once per event by the publisher; consumers only forward it. Console fragments and
notices that carry translated words are built once per configured language
(per_language); each console socket picks its operator's (pick).
"""

import datetime
import hashlib
import json

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import trans_real

from chat.console import row_parts
from chat.messaging import attachments
from chat.models import Dialog, Invitation, Message
from chat.visitors import animals


def per_language(fn, *args, **kwargs) -> dict[str, str]:
    """fn(*args, **kwargs) in every configured language: {"en": ..., "ru": ...}. Times are
    rendered in UTC; the console shows them in the operator's zone (console-time.js)."""
    with timezone.override(datetime.UTC):
        out = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                out[code] = fn(*args, **kwargs)
        return out


def in_language(language: str, fn, *args, **kwargs):
    """fn(*args, **kwargs) in one language, times in UTC: what per_language would give
    one socket (the console's catch-up renders only its own)."""
    with timezone.override(datetime.UTC), translation.override(language):
        return fn(*args, **kwargs)


def pick(value, language: str):
    """The variant of a per_language value for a socket's language (a plain value, the
    same in every language, is returned as it is)."""
    if not isinstance(value, dict):
        return value
    return value.get(language) or value.get(settings.LANGUAGE_CODE) or next(iter(value.values()))


def socket_language(preferred: str, scope) -> str:
    """A socket's language: the preferred one (the operator's or the site's) if set, else
    the browser's (the handshake's Accept-Language), else settings.LANGUAGE_CODE."""
    if preferred:
        return preferred
    accept = ""
    for key, value in scope.get("headers", []):
        if key == b"accept-language":
            accept = value.decode("latin-1")
            break
    for code, _quality in trans_real.parse_accept_lang_header(accept):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def author_of(message: Message) -> dict:
    author = {"kind": message.author_kind}
    if message.author_kind == Message.Author.OPERATOR and message.operator_id:
        author["name"] = message.operator.name
    return author


def ack_data(message: Message) -> dict:
    """What the sender is told of his stored message, over a socket ("ack" frame) or an
    upload's answer (docs/protocol.md, Delivery)."""
    return {"client_id": message.client_id, "id": message.id, "dialog": message.dialog_id}


def message_data(message: Message, *, audience: str = "visitor") -> dict:
    """A message as docs/protocol.md describes it. audience ("visitor" or "console") picks
    the attachment's URLs: signed ones for the visitor, session-checked ones for operators."""
    return {
        "id": message.id,
        "dialog": message.dialog_id,
        "client_id": message.client_id or None,
        "author": author_of(message),
        "text": message.shown_text,  # a system line: in the active language
        "sent_at": message.created_at.isoformat(),
        "attachment": attachments.attachment_data(message, audience),
    }


def message_data_variants(message: Message, *, audience: str = "visitor") -> dict:
    """message_data for the publisher: a system line's text per language (each socket
    picks its own with localized_message), any other message's as it is."""
    data = message_data(message, audience=audience)
    if message.line is not None:
        data["text"] = per_language(lambda: message.shown_text)
    return data


def localized_message(data: dict, language: str) -> dict:
    """A message_data_variants value as docs/protocol.md describes it, in one language."""
    if isinstance(data["text"], dict):
        return {**data, "text": pick(data["text"], language)}
    return data


def message_html(message: Message) -> str:
    return render_to_string("chat/_message.html", {"message": message})


def message_html_variants(message: Message):
    """The console's message fragment: one string when it carries no translated word (no
    attachment, not a system line), else per language."""
    if attachments.attachment_of(message) is None and message.line is None:
        with timezone.override(datetime.UTC):
            return message_html(message)
    return per_language(message_html, message)


def dialog_data(dialog: Dialog, operators) -> dict:
    """The visitor's view of his dialog: number, status, the operators in it now, and up
    to which message an operator has read his messages."""
    return {
        "id": dialog.id,
        "number": dialog.number,
        "status": dialog.status,
        "operators": [{"id": op.id, "name": op.name} for op in operators],
        "read_up_to": dialog.read_up_to,
    }


def waiting_since_of(dialog: Dialog):
    """Since when the visitor waits for an answer ("waiting N min" on his row), or None:
    only while the dialog is open and its last message is his (an operator's answer, or
    the dialog's end, stops it; a system line such as "Anna joined" does not)."""
    if not dialog.is_open or dialog.last_message_author != Message.Author.VISITOR:
        return None
    return dialog.waiting_since or dialog.last_message_at


def _instant(moment):
    return moment.timestamp() if moment else None


def row_version(dialog: Dialog) -> str:
    """A short digest of everything the dialog's tab row shows, the same in every language
    and time zone: the console sends back the versions of the rows it shows on each
    (re)connect and gets again only those that changed (chat/console/catchup.py). Whatever
    dialog_row_html reads must be here."""
    facts = [
        dialog.id,
        str(dialog.status),  # a TextChoices member and its stored string alike
        _instant(dialog.last_message_at),
        _instant(dialog.waiting_since),
        bool(dialog.read_up_to),
        dialog.site.alert_repeat_seconds,
        bool(dialog.offered_at),
        dialog.unread_count,
        str(dialog.last_message_author),
        str(dialog.last_message_text),
        dialog.number,
        str(dialog.site.name),
        str(dialog.visitor.name),
        str(dialog.visitor.animal),
        [part.facts(dialog) for part in row_parts.parts()],
    ]
    digest = hashlib.blake2b(json.dumps(facts).encode(), digest_size=4)
    return digest.hexdigest()


def dialog_row_variants(dialog: Dialog) -> dict[str, str]:
    """dialog_row_html in every language (a live `row` event): its version, the same in
    all of them, digested once."""
    return per_language(dialog_row_html, dialog, version=row_version(dialog))


def dialog_row_html(dialog: Dialog, *, version: str | None = None) -> str:
    """One row of the console's tab lists (Mine, Others, Missed): on the page and in every
    live `row` event, in each language. Python, not a template: it was the largest part
    of a message's rendering (docs/performance.md, "Fourth round"). The markup is
    console.js's and console-alerts.js's contract (classes and data- attributes).
    version: row_version(dialog), when the caller has it."""
    status = dialog.status
    last_at = timezone.template_localtime(dialog.last_message_at)
    attributes = format_html(
        ' data-dialog="{}" data-sort="{}" data-v="{}"',
        dialog.id,
        dateformat.format(last_at, "U"),
        version or row_version(dialog),
    )
    waiting_since = waiting_since_of(dialog)
    if waiting_since:
        attributes += format_html(' data-waiting="{}"', dateformat.format(waiting_since, "U"))
    quiet = status == Dialog.Status.NEW and dialog.outside_hours
    if quiet:  # opened while the site was closed: no alert (chat/dialogs/availability.py)
        attributes += mark_safe(" data-quiet")
    elif status == Dialog.Status.NEW and not dialog.read_up_to:
        attributes += format_html(
            ' data-unopened data-alert-every="{}"', dialog.site.alert_repeat_seconds
        )
    marks = ""
    if status == Dialog.Status.NEW:
        marks = format_html(' · <span class="status-new">{}</span>', _("new"))
        if quiet:
            marks += format_html(' · <span class="row-outside">{}</span>', _("outside hours"))
    elif status == Dialog.Status.MISSED:
        marks = format_html(' · <span class="status-missed">{}</span>', _("missed"))
    if dialog.offered_at and status == Dialog.Status.NEW:
        marks += format_html(' · <span class="row-offered">{}</span>', _("offered to all"))
    badge = ""
    if dialog.unread_count:
        badge = format_html(
            '<span class="badge" title="{}">{}</span>',
            _("Unanswered messages"),
            dialog.unread_count,
        )
    extra = mark_safe("".join(conditional_escape(part.html(dialog)) for part in row_parts.parts()))
    reply_mark = "↪ " if dialog.last_message_author == Message.Author.OPERATOR else ""
    return format_html(
        _ROW,
        status=status,
        unread=" row-unread" if dialog.unread_count else "",
        attributes=attributes,
        url=reverse("console:dialog", args=[dialog.id]),
        avatar=avatar_html(dialog.visitor),
        name=dialog.visitor.display_name,
        iso=dateformat.format(last_at, "c"),
        time=dateformat.time_format(last_at, "H:i"),
        preview=reply_mark + Truncator(dialog.last_message_text).chars(80),
        badge=badge,
        number=dialog.number,
        site=dialog.site.name,
        marks=marks,
        extra=extra,
    )


_ROW = """<li class="row row-{status}{unread}"{attributes}>
  <a class="row-link" href="{url}">
    {avatar}
    <span class="row-main">
      <span class="row-top">
        <span class="row-name">{name}</span>
        <time class="row-time" datetime="{iso}" data-fmt="time">{time}</time>
      </span>
      <span class="row-bottom">
        <span class="row-preview">{preview}</span>
        {badge}
      </span>
      <span class="row-meta">#{number} · {site}{marks}<span class="row-waiting" hidden></span>{extra}</span>
    </span>
  </a>
</li>
"""  # noqa: E501


def invitation_html(invitation) -> str:
    return render_to_string("chat/_invitation.html", {"invitation": invitation})


def invitation_sent_text(invitation) -> str:
    return _("Invitation sent to %(name)s. You will see the answer here.") % {
        "name": invitation.invitee.name
    }


def invitation_answer_text(invitation) -> str:
    texts = {
        Invitation.Status.ACCEPTED: _("%(name)s accepted your invitation to dialog #%(number)s"),
        Invitation.Status.DECLINED: _("%(name)s declined your invitation to dialog #%(number)s"),
        Invitation.Status.CANCELLED: _("The dialog #%(number)s ended before %(name)s answered"),
    }
    return texts[invitation.status] % {
        "name": invitation.invitee.name,
        "number": invitation.dialog.number,
    }


def avatar_html(visitor) -> str:
    """The visitor's avatar: his first letter once named, else his animal's icon. Python,
    not an included template: list pages show one per row (docs/performance.md)."""
    if visitor.name:
        letter = visitor.name[:1].upper()
        return format_html('<span class="avatar" aria-hidden="true">{}</span>', letter)
    return format_html(
        '<span class="avatar avatar-animal" aria-hidden="true">{}</span>',
        animals.icon(visitor.animal),
    )
