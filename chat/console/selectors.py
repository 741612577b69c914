"""Read queries shared by pages and consumers, each with a fixed number of queries."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, Subquery

from chat.console import row_parts, transcript_items
from chat.console.presence import online_operators_q
from chat.dialogs import access
from chat.errors import AccessDenied, NotFound
from chat.models import Attachment, Dialog, Message, Participant, Site, Visit, Visitor
from operators.models import Operator


def site_ids_of(operator: Operator) -> set[int]:
    return set(operator.sites.values_list("id", flat=True))


def active_operator_ids(dialog_id: int) -> list[int]:
    """Who is connected now, as ids: one cheap query where no names are needed."""
    stays = Participant.objects.connected().filter(dialog_id=dialog_id)
    return list(stays.values_list("operator_id", flat=True))


def active_operator_ids_by_dialog(dialog_ids) -> dict[int, list[int]]:
    """active_operator_ids of many dialogs in one query: dialog id -> operator ids."""
    by_dialog = {dialog_id: [] for dialog_id in dialog_ids}
    stays = Participant.objects.connected().filter(dialog_id__in=list(by_dialog))
    for dialog_id, operator_id in stays.values_list("dialog_id", "operator_id"):
        by_dialog[dialog_id].append(operator_id)
    return by_dialog


def active_operators(dialog_id: int) -> list[Operator]:
    stays = Participant.objects.connected().filter(dialog_id=dialog_id)
    return [p.operator for p in stays.select_related("operator__user")]


def _rows():
    return Dialog.objects.select_related("site", "visitor")


TABS = ("mine", "others", "missed")


def tab_of(operator: Operator, *, status: str, is_mine: bool) -> str | None:
    """Which console tab lists a dialog for this operator, from facts an event carries.

    Mine: new dialogs of my sites and open dialogs I am connected to; Others: colleagues'
    active dialogs (with the access flag); Missed: dialogs the visitor left unanswered.
    """
    if status == Dialog.Status.NEW or (status in Dialog.OPEN_STATUSES and is_mine):
        return "mine"
    if status == Dialog.Status.ACTIVE:
        return "others" if operator.can_see_others else None
    if status == Dialog.Status.MISSED:
        return "missed"
    return None


def _mine_subquery(operator: Operator):
    return Exists(Participant.objects.connected().filter(dialog=OuterRef("pk"), operator=operator))


def _tab_filter(operator: Operator, tab: str) -> Q:
    mine = _mine_subquery(operator)
    if tab == "mine":
        # "Open, and new or mine", not "new, or open and mine": the same rows, but this
        # way PostgreSQL reads the few open dialogs through the partial index of the
        # one-open-dialog constraint instead of every "new" entry of the site/status
        # index: 15 ms -> 2 ms with 100,000 dialogs (docs/performance.md).
        open_ = Q(status__in=Dialog.OPEN_STATUSES)
        return open_ & (Q(status=Dialog.Status.NEW) | mine)
    if tab == "others":
        return Q(status=Dialog.Status.ACTIVE) & ~mine
    if tab == "missed":
        return Q(status=Dialog.Status.MISSED) & ~mine
    raise ValueError(tab)


def tab_dialogs(
    operator: Operator, tab: str, *, limit: int | None = None, after: int | None = None
) -> list[Dialog]:
    """The rows of one console tab, latest activity first. Others needs can_see_others.
    after: a dialog id already shown; the rows that follow it (the "Show more" button)."""
    if tab == "others" and not operator.can_see_others:
        raise AccessDenied("You may not see colleagues' dialogs.")
    rows = (
        row_parts.prepare(_rows())
        .filter(site__operators=operator)
        .filter(_tab_filter(operator, tab))
        .order_by("-last_message_at", "-id")
    )
    if after is not None:
        # Only a row of my own sites can be the cursor: no other account's times leak.
        shown = Dialog.objects.filter(pk=after, site__operators=operator)
        shown = shown.values("last_message_at")[:1]
        rows = rows.filter(
            Q(last_message_at__lt=Subquery(shown))
            | Q(last_message_at=Subquery(shown), id__lt=after)
        )
    return list(rows[: limit or settings.CHAT_CONSOLE_PAGE_SIZE])


def tabs_of(operator: Operator) -> tuple[str, ...]:
    """The console tabs this operator has (Others only with can_see_others)."""
    return tuple(tab for tab in TABS if tab != "others" or operator.can_see_others)


@dataclass(frozen=True)
class Placed:
    """An open dialog of my sites, the tab that lists it for me, and its place there."""

    id: int
    tab: str
    last_message_at: datetime.datetime

    @property
    def sort_key(self):
        return (self.last_message_at, self.id)  # tab_dialogs' order, reversed


def open_dialogs_placed(operator: Operator) -> list[Placed]:
    """Every open dialog of my sites that one of my tabs lists, in one query (no sort):
    the tab counts (tab_members) and the console's catch-up (chat/console/catchup.py)."""
    tabs = tabs_of(operator)
    rows = (
        Dialog.objects.filter(site__operators=operator, status__in=Dialog.OPEN_STATUSES)
        .annotate(is_mine=_mine_subquery(operator))
        .order_by()
        .values_list("id", "status", "is_mine", "last_message_at")
    )
    placed = []
    for dialog_id, status, is_mine, last_message_at in rows:
        tab = tab_of(operator, status=status, is_mine=is_mine)
        if tab in tabs:
            placed.append(Placed(dialog_id, tab, last_message_at))
    return placed


def members_of(operator: Operator, placed: list[Placed]) -> dict[str, list[int]]:
    members = {tab: [] for tab in tabs_of(operator)}
    for row in placed:
        members[row.tab].append(row.id)
    return members


def tab_members(operator: Operator) -> dict[str, list[int]]:
    """Ids of the open dialogs in each of my tabs, in one query: the console counts them
    and keeps the counts live from row events alone."""
    return members_of(operator, open_dialogs_placed(operator))


def dialog_rows(dialog_ids) -> dict[int, Dialog]:
    """The dialogs with what their tab row shows, by id, in one query (none for no ids)."""
    ids = list(dialog_ids)
    if not ids:
        return {}
    rows = row_parts.prepare(_rows()).filter(pk__in=ids)
    return {dialog.id: dialog for dialog in rows}


@dataclass
class DialogView:
    dialog: Dialog
    operators: list[Operator]
    messages: list[Message]
    is_participant: bool
    can_connect: bool
    # The messages with other apps' console-only items (transcript_items), in time order.
    transcript: list = None


def dialog_for_operator(operator: Operator, dialog_id: int) -> Dialog:
    """The dialog if this operator may see it; refusals are NotFound / AccessDenied."""
    dialog = _rows().filter(pk=dialog_id).first()
    if dialog is None:
        raise NotFound()
    operator_ids = {op.id for op in active_operators(dialog.id)}
    if not access.can_view_dialog(operator, dialog, site_ids_of(operator), operator_ids):
        raise AccessDenied()
    return dialog


def dialog_view(operator: Operator, dialog_id: int) -> DialogView:
    dialog = _rows().select_related("visit").filter(pk=dialog_id).first()
    if dialog is None:
        raise NotFound()
    operators = active_operators(dialog.id)
    operator_ids = {op.id for op in operators}
    site_ids = site_ids_of(operator)
    if not access.can_view_dialog(operator, dialog, site_ids, operator_ids):
        raise AccessDenied()
    messages = transcript(dialog.id)
    return DialogView(
        dialog=dialog,
        operators=operators,
        messages=messages,
        is_participant=operator.id in operator_ids,
        can_connect=access.can_connect(operator, dialog, site_ids, operator_ids),
        transcript=transcript_items.merged(messages, operator=operator, dialog=dialog),
    )


def transcript(dialog_id: int, *, after: int = 0, limit: int | None = None) -> list[Message]:
    """The dialog's messages after an id, oldest first; limit: at most that many (the API's
    pages)."""
    rows = (
        Message.objects.filter(dialog_id=dialog_id, id__gt=after)
        .select_related("operator__user", "attachment")
        .order_by("id")
    )
    return list(rows[:limit] if limit else rows)


def visitor_messages_after(visitor_id: int, after: int) -> list[Message]:
    """Every message of the visitor's dialogs after an id: what a reconnecting widget missed
    (not the console-only lines)."""
    return list(
        Message.objects.for_visitor()
        .filter(dialog__visitor_id=visitor_id, id__gt=after)
        .select_related("operator__user", "attachment")
        .order_by("id")
    )


def open_dialog_of(visitor_id: int) -> Dialog | None:
    return Dialog.objects.filter(visitor_id=visitor_id, status__in=Dialog.OPEN_STATUSES).first()


def site_by_key(widget_key: str) -> Site | None:
    """The widget socket's site (chat/realtime/visitor_socket.py). Nothing on a connect's
    path reads the account (the blacklist needs its id only): no join to compile."""
    return Site.objects.filter(widget_key=widget_key).first()


def operators_online(site_id: int) -> bool:
    """Whether the widget should promise a live answer (chat.console.presence says who counts)."""
    return Operator.objects.filter(online_operators_q(), sites__id=site_id).exists()


def operator_for_user(user) -> Operator | None:
    """The user's operator profile; None for a deactivated user (chat/console/withdrawal.py),
    whatever the authentication backend lets through."""
    if not user.is_authenticated or not user.is_active:
        return None
    return Operator.objects.select_related("user", "account").filter(user=user).first()


# --- attachments (chat/messaging/attachments.py, chat/views/attachments.py) -------


def visitor_by_token(widget_key: str, token) -> Visitor | None:
    """The visitor of this site holding the token, with his latest visit id, in one query."""
    if not isinstance(token, str) or not token:
        return None
    latest_visit = Visit.objects.filter(visitor=OuterRef("pk")).order_by("-last_activity_at", "-id")
    return (
        Visitor.objects.select_related("site")
        .annotate(latest_visit_id=Subquery(latest_visit.values("id")[:1]))
        .filter(site__widget_key=widget_key, token=token)
        .first()
    )


def attachment_in_dialog(attachment_id: int, dialog_id: int) -> Attachment | None:
    """The attachment of a visitor's signed URL, if it still belongs to that dialog."""
    return (
        Attachment.objects.select_related("message")
        .filter(pk=attachment_id, message__dialog_id=dialog_id)
        .first()
    )


def attachment_for_operator(operator: Operator, attachment_id: int) -> Attachment:
    """The attachment if the operator may see its dialog (NotFound / AccessDenied)."""
    attachment = Attachment.objects.select_related("message").filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound("No such file.")
    dialog_for_operator(operator, attachment.message.dialog_id)
    return attachment
