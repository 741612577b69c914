"""Every state change of the chat: one function each, one transaction, events on commit."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chat import (
    access,
    animals,
    attachments,
    card,
    events,
    hooks,
    nicknames,
    ratelimit,
    selectors,
    visits,
)
from chat.errors import AccessDenied, ChatError, NotFound
from chat.messaging import store
from chat.models import Dialog, Message, Participant, Site, Visit, Visitor
from operators.models import Account, Operator

PREVIEW_LENGTH = 200


# --- input rules shared by every client -------------------------------------------------


def clean_text(text, *, allow_empty: bool = False) -> str:
    """allow_empty: the caption of an attachment may be left out."""
    if not isinstance(text, str):
        raise ChatError("invalid", "Message text must be a string.")
    # PostgreSQL text cannot hold NUL; nobody types it, so it is dropped on every database.
    text = text.replace("\x00", "").strip()
    if not text and not allow_empty:
        raise ChatError("empty", "Message text is empty.")
    if len(text) > settings.CHAT_MESSAGE_MAX_LENGTH:
        raise ChatError(
            "too_long",
            f"Message text is longer than {settings.CHAT_MESSAGE_MAX_LENGTH} characters.",
        )
    return text


def clean_client_id(client_id) -> str:
    if not isinstance(client_id, str) or not 1 <= len(client_id) <= 64 or "\x00" in client_id:
        raise ChatError("invalid", "client_id must be a string of 1 to 64 characters.")
    return client_id


# --- visitor sessions -------------------------------------------------------------------


@dataclass
class VisitorSession:
    visitor: Visitor
    visit: Visit
    dialog: Dialog | None
    operators: list[Operator]
    operators_online: bool


@transaction.atomic
def start_visitor_session(*, site: Site, token: str | None, ip: str | None, user_agent: str):
    """A widget socket opened: find or create the visitor, continue or start his visit."""
    now = timezone.now()
    visitor = None
    if token:
        visitor = Visitor.objects.select_for_update().filter(site=site, token=token).first()
    if visitor is None:
        return _new_visitor_session(site=site, ip=ip, user_agent=user_agent, now=now)
    visit = (
        visitor.visits.filter(
            last_activity_at__gte=now - timedelta(minutes=settings.CHAT_VISIT_TIMEOUT_MINUTES)
        )
        .order_by("-last_activity_at")
        .first()
    )
    if visit is None:
        visit = _new_visit(visitor, ip=ip, user_agent=user_agent, now=now)
        visitor.visits_count = F("visits_count") + 1
    else:
        visit.last_activity_at = now
        visit.ended_at = None
        visit.save(update_fields=["last_activity_at", "ended_at"])
    visitor.open_sockets = F("open_sockets") + 1
    visitor.last_seen_at = now
    visitor.save(update_fields=["visits_count", "open_sockets", "last_seen_at"])
    visitor.refresh_from_db(fields=["visits_count", "open_sockets"])
    dialog = selectors.open_dialog_of(visitor.id)
    if dialog and visitor.open_sockets == 1:  # visitor card: he came online
        events.visitor_online_on_commit(dialog.id, online=True)
    return VisitorSession(
        visitor=visitor,
        visit=visit,
        dialog=dialog,
        operators=selectors.active_operators(dialog.id) if dialog else [],
        operators_online=selectors.operators_online(site.id),
    )


def _new_visitor_session(*, site: Site, ip, user_agent: str, now) -> VisitorSession:
    """A visitor seen for the first time: stored with his first visit and socket counted,
    nothing to look up (a storm of new visitors is the commonest burst of connects,
    docs/performance.md "Connection storm")."""
    visitor = Visitor(
        site=site, visits_count=1, open_sockets=1, first_seen_at=now, last_seen_at=now
    )
    visitor.animal = animals.animal_for(visitor.token)
    visitor.save()
    return VisitorSession(
        visitor=visitor,
        visit=_new_visit(visitor, ip=ip, user_agent=user_agent, now=now),
        dialog=None,
        operators=[],
        operators_online=selectors.operators_online(site.id),
    )


def _new_visit(visitor: Visitor, *, ip, user_agent: str, now) -> Visit:
    return Visit.objects.create(
        visitor=visitor,
        ip=ip,
        user_agent=user_agent[:1000],
        started_at=now,
        **visits.describe(ip=ip, user_agent=user_agent),  # browser, OS, location
    )


@transaction.atomic
def end_visitor_session(*, visitor_id: int, visit_id: int) -> None:
    now = timezone.now()
    Visitor.objects.filter(pk=visitor_id, open_sockets__gt=0).update(
        open_sockets=F("open_sockets") - 1, last_seen_at=now
    )
    Visit.objects.filter(pk=visit_id).update(last_activity_at=now, ended_at=now)
    offline_in = card.offline_open_dialog_id(visitor_id)  # visitor card: he went offline
    if offline_in:
        events.visitor_online_on_commit(offline_in, online=False)


def _plain(value, limit: int) -> str:
    """A string for storage: NUL removed (PostgreSQL refuses it), cut to the column size."""
    return value.replace("\x00", "")[:limit] if isinstance(value, str) else ""


def _web_url(value) -> str:
    """Only http(s) URLs are kept: the console shows them as links."""
    url = _plain(value, 2000).strip()
    return url if url.lower().startswith(("http://", "https://")) else ""


@transaction.atomic
def record_page(*, visit_id: int, url, title, referrer=None, utm=None) -> None:
    """The visitor is on a page now; the first page of a visit is its landing page."""
    if not isinstance(url, str) or not _web_url(url):
        raise ChatError("invalid", "url must be the http(s) address of the page.")
    visit = Visit.objects.get(pk=visit_id)
    visit.current_url, visit.current_title = _web_url(url), _plain(title, 300)
    visit.last_activity_at = timezone.now()
    if not visit.landing_url:
        visit.landing_url = visit.current_url
        visit.referrer = _web_url(referrer)
        if isinstance(utm, dict):
            kept = [
                (key, value)
                for key, value in utm.items()
                if isinstance(key, str) and key.startswith("utm_") and isinstance(value, str)
            ]
            visit.utm = {_plain(key, 50): _plain(value, 200) for key, value in kept[:10]}
    visit.save()
    dialog = selectors.open_dialog_of(visit.visitor_id)
    if dialog:  # visitor card: the open dialog shows the page live
        events.visitor_page_on_commit(dialog.id, visit)


# --- messages ---------------------------------------------------------------------------


def _next_dialog_number(account_id: int) -> int:
    # The UPDATE locks the account row until commit, so concurrent dialogs get distinct
    # numbers in order.
    Account.objects.filter(pk=account_id).update(last_dialog_number=F("last_dialog_number") + 1)
    return Account.objects.values_list("last_dialog_number", flat=True).get(pk=account_id)


def _open_new_dialog(visitor_id: int, visit_id: int | None, ip: str | None) -> Dialog:
    """The caller holds the visitor's row lock and found no open dialog."""
    site_id, account_id, animal, token = (
        Visitor.objects.filter(pk=visitor_id)
        .values_list("site_id", "site__account_id", "animal", "token")
        .get()
    )
    ratelimit.take_dialog_slot(visitor_id=visitor_id, ip=ip)
    number = _next_dialog_number(account_id)  # locks the account row until commit
    nicknames.give_free_nickname(
        visitor_id=visitor_id, account_id=account_id, current=animal, seed=token
    )
    dialog = Dialog.objects.create(
        account_id=account_id,
        site_id=site_id,
        visitor_id=visitor_id,
        visit_id=visit_id,
        number=number,
    )
    hooks.dialog_opened.send_on_commit(dialog=dialog)
    return dialog


def _note_message(dialog: Dialog, message: Message) -> list[str]:
    """What a new message changes on its dialog (the last message, denormalised so lists
    need no per-row work; unread and waiting state); returns the fields to save. The
    caller holds the dialog's row lock."""
    dialog.last_message_at = message.created_at
    dialog.last_message_text = attachments.preview(message)[:PREVIEW_LENGTH]
    dialog.last_message_author = message.author_kind
    if message.author_kind == Message.Author.VISITOR:
        dialog.unread_count += 1
        dialog.waiting_since = dialog.waiting_since or message.created_at
        if dialog.status == Dialog.Status.MISSED:
            dialog.status = Dialog.Status.NEW  # he is back and waits again
    elif message.author_kind == Message.Author.OPERATOR:
        dialog.unread_count = 0
        dialog.waiting_since = None
    return [
        "last_message_at",
        "last_message_text",
        "last_message_author",
        "unread_count",
        "waiting_since",
        "status",
    ]


@transaction.atomic
def post_visitor_message(
    *, visitor_id: int, visit_id: int | None, client_id, text, attachment=None, ip=None
):
    """Store a visitor's message (opening a dialog if he has none). Returns (message, created);
    a resend with a known client_id returns the stored message and changes nothing.
    attachment: a file checked by attachments.prepare; the text is then an optional caption.
    ip: the sender's address, for the rate limits (ratelimit.RateLimited, nothing stored)."""
    client_id = clean_client_id(client_id)
    text = clean_text(text, allow_empty=attachment is not None)
    ratelimit.take_message_slot(visitor_id=visitor_id, ip=ip)
    dialog, resent = store.backend.lock_open_dialog(visitor_id, client_id)
    if dialog is None:
        # Opening a dialog: the visitor's row lock serialises his sockets, so two of them
        # cannot both open one; then look again under it. of=self: not the site's row too.
        Visitor.objects.select_for_update(of=("self",)).values_list("pk").get(pk=visitor_id)
        dialog, resent = store.backend.lock_open_dialog(visitor_id, client_id)
    if dialog is None or resent:
        existing = _stored_message(dialog__visitor_id=visitor_id, client_id=client_id)
        if existing:
            return existing, False
    if dialog is None:
        dialog = _open_new_dialog(visitor_id, visit_id, ip)
    message = Message(
        dialog=dialog, author_kind=Message.Author.VISITOR, client_id=client_id, text=text
    )
    attachments.attach(message, attachment)
    operator_ids = store.backend.write_visitor_message(
        message, dialog, _note_message(dialog, message), visit_id=visit_id
    )
    if operator_ids is None:  # the same client_id was stored meanwhile: a resend
        attachments.discard_attached(message)
        return _resent_to(dialog, None, client_id), False
    attachments.save_attached(message)
    _announce_new_message(message, dialog, operator_ids)
    return message, True


def _stored_message(*, dialog=None, operator_ids=None, **lookup) -> Message | None:
    """The message a resend names, announced again: the first announcement is lost when
    the server died between commit and publish, or the commit's answer never came back
    from the database (the client got an error, not the ack). Every receiver
    de-duplicates by id (docs/protocol.md, Delivery). dialog, operator_ids: the locked
    dialog and who is connected to it, when the caller has them."""
    found = Message.objects.filter(**lookup)
    message = (
        found.first() if dialog else found.select_related("dialog__site", "dialog__visitor").first()
    )
    if message is not None:
        dialog = dialog or message.dialog
        if operator_ids is None:
            operator_ids = list(store.connected_operator_ids(dialog.id))
        events.message_posted_on_commit(message, dialog, operator_ids)
    return message


def _resent_to(dialog: Dialog, operator_ids, client_id: str) -> Message:
    return _stored_message(
        dialog=dialog, operator_ids=operator_ids, dialog_id=dialog.id, client_id=client_id
    )


def _announce_new_message(message: Message, dialog: Dialog, operator_ids) -> None:
    events.message_posted_on_commit(message, dialog, operator_ids)
    hooks.message_posted.send_on_commit(message=message, dialog=dialog)


def lock_dialog(dialog_id: int) -> Dialog:
    """The dialog, row-locked until the transaction ends (NotFound if there is none)."""
    dialog = store.backend.lock_dialog(dialog_id)
    if dialog is None:
        raise NotFound()
    return dialog


@transaction.atomic
def post_operator_message(
    *, operator: Operator, dialog_id: int, client_id, text, attachment=None, site_ids=None
):
    """An operator's answer; only an operator connected to the open dialog may write.
    attachment: as in post_visitor_message. site_ids: the operator's sites, when the caller
    already holds them (a console socket does), saving a query per message."""
    client_id = clean_client_id(client_id)
    text = clean_text(text, allow_empty=attachment is not None)
    dialog = lock_dialog(dialog_id)
    operator_ids, resent = store.backend.connected_and_resent(dialog.id, client_id)
    if site_ids is None:
        site_ids = selectors.site_ids_of(operator)
    if not access.can_view_dialog(operator, dialog, site_ids, operator_ids):
        raise AccessDenied()
    if resent:
        return _resent_to(dialog, operator_ids, client_id), False
    if not dialog.is_open:
        raise ChatError("dialog_closed", "The dialog has ended.")
    if operator.id not in operator_ids:
        raise ChatError("not_connected", "Connect to the dialog before writing.")
    message = Message(
        dialog=dialog,
        author_kind=Message.Author.OPERATOR,
        operator=operator,
        client_id=client_id,
        text=text,
    )
    attachments.attach(message, attachment)
    fields = _note_message(dialog, message)
    if not store.backend.write_operator_message(message, dialog, fields):  # stored meanwhile
        attachments.discard_attached(message)
        return _resent_to(dialog, operator_ids, client_id), False
    attachments.save_attached(message)
    _announce_new_message(message, dialog, operator_ids)
    return message, True


def in_widget_language(dialog: Dialog):
    """System lines go into the transcript the visitor reads: they are written in the
    widget's language when the site sets one, else in the one active now."""
    return translation.override(dialog.site.language or translation.get_language())


def _system_message(dialog: Dialog, text: str, operator_ids, *, by: Operator | None = None):
    """by: the operator the line is about; it then stays in the console (console_only)."""
    message = Message.objects.create(
        dialog=dialog, author_kind=Message.Author.SYSTEM, text=text, operator=by
    )
    events.message_posted_on_commit(message, dialog, operator_ids)
    return message


# --- dialog lifecycle -------------------------------------------------------------------


@transaction.atomic
def connect_operator(*, operator: Operator, dialog_id: int, invited: bool = False) -> Dialog:
    """Join a dialog: it becomes active and the visitor sees who answers him. An invited
    operator joins a colleague's dialog without the "join others" flag."""
    dialog = lock_dialog(dialog_id)
    operators = selectors.active_operators(dialog.id)
    operator_ids = [op.id for op in operators]
    if operator.id in operator_ids:
        return dialog
    site_ids = selectors.site_ids_of(operator)
    if invited:
        allowed = dialog.site_id in site_ids and dialog.is_open
    else:
        allowed = access.can_connect(operator, dialog, site_ids, operator_ids)
    if not allowed:
        if dialog.status == Dialog.Status.CLOSED and access.can_view_dialog(
            operator, dialog, site_ids, operator_ids
        ):
            raise ChatError("dialog_closed", "The dialog has ended.")
        raise AccessDenied()
    now = timezone.now()
    Participant.objects.create(dialog=dialog, operator=operator, joined_at=now)
    dialog.status = Dialog.Status.ACTIVE
    dialog.accepted_at = dialog.accepted_at or now
    dialog.save(update_fields=["status", "accepted_at"])
    operators.append(operator)
    operator_ids.append(operator.id)
    with in_widget_language(dialog):
        note = _("%(name)s joined the dialog") % {"name": operator.name}
    _system_message(dialog, note, operator_ids)
    events.dialog_changed_on_commit(dialog, operators)
    return dialog


@transaction.atomic
def end_dialog(*, operator: Operator, dialog_id: int) -> Dialog:
    """Close the dialog for everyone; it moves to history and the visitor is told."""
    dialog = lock_dialog(dialog_id)
    operators = selectors.active_operators(dialog.id)
    operator_ids = [op.id for op in operators]
    site_ids = selectors.site_ids_of(operator)
    allowed = operator.id in operator_ids or (
        access.can_view_dialog(operator, dialog, site_ids, operator_ids) and not operator_ids
    )
    if not allowed:
        raise AccessDenied()
    if not dialog.is_open:  # ending twice is a no-op, for those who may end it at all
        return dialog
    with in_widget_language(dialog):
        note = _("%(name)s ended the dialog") % {"name": operator.name}
    close_locked_dialog(dialog, note=note)
    return dialog


def close_locked_dialog(dialog: Dialog, *, note: str, note_by: Operator | None = None) -> None:
    """Close a dialog whose row the caller has locked and whose permission it checked:
    everyone leaves, the note goes to the transcript, every screen is told. A note_by
    note is for the console only (Message.console_only)."""
    now = timezone.now()
    Participant.objects.connected().filter(dialog=dialog).update(left_at=now)
    dialog.status = Dialog.Status.CLOSED
    dialog.closed_at = now
    dialog.save(update_fields=["status", "closed_at"])
    _system_message(dialog, note, [], by=note_by)
    events.dialog_changed_on_commit(dialog, [])
    hooks.dialog_ended.send_on_commit(dialog=dialog)


@transaction.atomic
def leave_dialog(*, operator: Operator, dialog_id: int) -> Dialog:
    """Step out of a dialog. When nobody is left it is new again, in everyone's Mine."""
    dialog = lock_dialog(dialog_id)
    operators = selectors.active_operators(dialog.id)
    if operator.id not in {op.id for op in operators}:
        if not access.can_view_dialog(
            operator, dialog, selectors.site_ids_of(operator), [op.id for op in operators]
        ):
            raise AccessDenied()
        raise ChatError("not_connected", "You are not in this dialog.")
    Participant.objects.connected().filter(dialog=dialog, operator=operator).update(
        left_at=timezone.now()
    )
    remaining = [op for op in operators if op.id != operator.id]
    if not remaining and dialog.is_open:
        dialog.status = Dialog.Status.NEW
        dialog.save(update_fields=["status"])
    with in_widget_language(dialog):
        note = _("%(name)s left the dialog") % {"name": operator.name}
    _system_message(dialog, note, [op.id for op in remaining])
    events.dialog_changed_on_commit(dialog, remaining)
    return dialog


def mark_missed(*, now=None) -> list[int]:
    """New dialogs whose visitor has been gone longer than the grace period become missed.
    Idempotent: a dialog is marked once, and only while it is still new."""
    now = now or timezone.now()
    gone_before = now - timedelta(seconds=settings.CHAT_MISSED_GRACE_SECONDS)
    marked = []
    with transaction.atomic():
        candidates = (
            Dialog.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("site", "visitor")
            .filter(
                status=Dialog.Status.NEW,
                visitor__open_sockets=0,
                visitor__last_seen_at__lt=gone_before,
            )
            .exclude(
                Exists(
                    Message.objects.filter(
                        dialog=OuterRef("pk"), author_kind=Message.Author.OPERATOR
                    )
                )
            )
        )
        for dialog in candidates:
            dialog.status = Dialog.Status.MISSED
            dialog.missed_at = now
            dialog.save(update_fields=["status", "missed_at"])
            events.dialog_changed_on_commit(dialog, [])
            marked.append(dialog.id)
    return marked
