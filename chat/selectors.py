"""Read queries shared by pages and consumers, each with a fixed number of queries."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from chat import access
from chat.errors import AccessDenied, NotFound
from chat.models import Dialog, Message, Participant, Site, Visitor
from operators.models import Operator


def site_ids_of(operator: Operator) -> set[int]:
    return set(operator.sites.values_list("id", flat=True))


def active_operators(dialog_id: int) -> list[Operator]:
    stays = Participant.objects.filter(dialog_id=dialog_id, left_at__isnull=True)
    return [p.operator for p in stays.select_related("operator__user")]


def _rows():
    return Dialog.objects.select_related("site", "visitor")


def mine_dialogs(operator: Operator, *, limit: int | None = None):
    """Tab Mine: new dialogs of my sites and the open dialogs I am connected to."""
    mine = Participant.objects.filter(
        dialog=OuterRef("pk"), operator=operator, left_at__isnull=True
    )
    rows = (
        _rows()
        .filter(site__operators=operator)
        .filter(Q(status=Dialog.Status.NEW) | (Q(status__in=Dialog.OPEN_STATUSES) & Exists(mine)))
        .order_by("-last_message_at")
    )
    return list(rows[: limit or settings.CHAT_CONSOLE_PAGE_SIZE])


def tab_for(operator: Operator, *, status: str, active_operator_ids) -> str | None:
    """Which console tab shows a dialog to this operator, from an event's facts alone."""
    if status == Dialog.Status.NEW:
        return "mine"
    if status in Dialog.OPEN_STATUSES and operator.id in active_operator_ids:
        return "mine"
    return None


@dataclass
class DialogView:
    dialog: Dialog
    operators: list[Operator]
    messages: list[Message]
    is_participant: bool
    can_connect: bool


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
    return DialogView(
        dialog=dialog,
        operators=operators,
        messages=transcript(dialog.id),
        is_participant=operator.id in operator_ids,
        can_connect=access.can_connect(operator, dialog, site_ids, operator_ids),
    )


def transcript(dialog_id: int, *, after: int = 0) -> list[Message]:
    return list(
        Message.objects.filter(dialog_id=dialog_id, id__gt=after)
        .select_related("operator__user")
        .order_by("id")
    )


def visitor_messages_after(visitor_id: int, after: int) -> list[Message]:
    """Every message of the visitor's dialogs after an id: what a reconnecting widget missed."""
    return list(
        Message.objects.filter(dialog__visitor_id=visitor_id, id__gt=after)
        .select_related("operator__user")
        .order_by("id")
    )


def open_dialog_of(visitor_id: int) -> Dialog | None:
    return Dialog.objects.filter(visitor_id=visitor_id, status__in=Dialog.OPEN_STATUSES).first()


def site_by_key(widget_key: str) -> Site | None:
    return Site.objects.select_related("account").filter(widget_key=widget_key).first()


def operators_online(site_id: int) -> bool:
    """Whether the widget should promise a live answer: an online operator with a console
    open now, or closed less than the presence grace period ago."""
    grace = timezone.now() - timedelta(seconds=settings.CHAT_OPERATOR_PRESENCE_GRACE_SECONDS)
    return Operator.objects.filter(
        Q(open_sockets__gt=0) | Q(last_seen_at__gte=grace),
        sites__id=site_id,
        status=Operator.Status.ONLINE,
    ).exists()


def visitor_by_id(visitor_id: int) -> Visitor:
    return Visitor.objects.select_related("site").get(pk=visitor_id)


def operator_for_user(user) -> Operator | None:
    if not user.is_authenticated:
        return None
    return Operator.objects.select_related("user", "account").filter(user=user).first()
