"""Transfer dialog: a connected operator hands the dialog to an online colleague of the
site, with an optional note only the colleague reads. The visitor reads "Boris will
continue the conversation"; the sender leaves; the receiver is connected and hears a
toast. Refused, with the reason, when the colleague is offline or at his dialog limit
(chat.dialogs.capacity, filled by the routing app)."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper
from django.utils.translation import gettext as _

from chat.console import selectors as chat_selectors
from chat.console.presence import online_operators_q
from chat.dialogs import access, capacity, lifecycle
from chat.errors import AccessDenied, ChatError
from chat.messaging import posting, system_lines
from operators.models import Operator
from teamwork import events, notes
from teamwork.models import Transfer

AVAILABLE, OFFLINE, AT_CAPACITY, IN_DIALOG = "available", "offline", "at_capacity", "in_dialog"


@dataclass(frozen=True)
class Candidate:
    """A colleague in the Transfer menu, and whether he can take the dialog now."""

    operator: Operator
    state: str
    reason: str = ""

    @property
    def available(self) -> bool:
        return self.state in (AVAILABLE, IN_DIALOG)


def continues_line(params: dict) -> str:
    """The visitor's line of a transfer (system_lines kind "continues", registered in
    TeamworkConfig.ready), in the active language."""
    return _("%(name)s will continue the conversation") % {"name": params["name"]}


def candidates(*, operator: Operator, dialog, active_operator_ids) -> list[Candidate]:
    """Every colleague of the dialog's site but the operator, online ones first: one
    query plus the capacity check's."""
    colleagues = list(
        Operator.objects.filter(sites__id=dialog.site_id)
        .exclude(pk=operator.pk)
        .annotate(is_online=ExpressionWrapper(online_operators_q(), output_field=BooleanField()))
        .select_related("user")
        .order_by("display_name", "id")
    )
    online = {op.id for op in colleagues if op.is_online}
    busy = capacity.refusals(
        operators=[op for op in colleagues if op.id in online and op.id not in active_operator_ids],
        dialog=dialog,
    )
    listed = []
    for op in colleagues:
        if op.id in active_operator_ids:
            listed.append(Candidate(op, IN_DIALOG))
        elif op.id not in online:
            listed.append(Candidate(op, OFFLINE, _("%(name)s is offline.") % {"name": op.name}))
        elif op.id in busy:
            listed.append(Candidate(op, AT_CAPACITY, busy[op.id]))
        else:
            listed.append(Candidate(op, AVAILABLE))
    order = {IN_DIALOG: 0, AVAILABLE: 0, AT_CAPACITY: 1, OFFLINE: 2}
    return sorted(listed, key=lambda c: order[c.state])


def _refusal(candidate: Candidate | None) -> ChatError | None:
    if candidate is None:
        return ChatError("invalid", _("This colleague does not serve this site."))
    if candidate.state == OFFLINE:
        return ChatError(
            "offline",
            _("%(name)s is offline: the dialog stays with you.")
            % {"name": candidate.operator.name},
        )
    if candidate.state == AT_CAPACITY:
        return ChatError(
            "at_capacity",
            _("%(name)s cannot take another dialog now (%(reason)s): the dialog stays with you.")
            % {"name": candidate.operator.name, "reason": candidate.reason},
        )
    return None


@transaction.atomic
def transfer_dialog(*, operator: Operator, dialog_id: int, receiver_id, note: str = "") -> Transfer:
    dialog = lifecycle.lock_dialog(dialog_id)
    operators = chat_selectors.active_operators(dialog.id)
    active_ids = [op.id for op in operators]
    if operator.id not in active_ids:
        # Whoever may not read the dialog learns nothing more about it than a refusal.
        if not access.can_view_dialog(
            operator, dialog, chat_selectors.site_ids_of(operator), active_ids
        ):
            raise AccessDenied()
        raise ChatError("not_connected", _("Connect to the dialog before transferring it."))
    if not dialog.is_open:
        raise ChatError("dialog_closed", _("The dialog has ended."))
    note = note.strip() if isinstance(note, str) else ""
    if note:
        posting.clean_text(note)  # the length rule of every message
    candidate = next(
        (
            c
            for c in candidates(operator=operator, dialog=dialog, active_operator_ids=active_ids)
            if str(c.operator.id) == str(receiver_id)
        ),
        None,
    )
    refusal = _refusal(candidate)
    if refusal is not None:
        raise refusal
    receiver = candidate.operator
    private_note = None
    if note:
        private_note, _created = notes.add_note(
            operator=operator, dialog_id=dialog.id, text=note, recipient=receiver
        )
    transfer = Transfer.objects.create(
        dialog=dialog, sender=operator, receiver=receiver, note=private_note
    )
    line = system_lines.line("continues", name=receiver.name)
    lifecycle.hand_over_locked(
        dialog, sender=operator, receiver=receiver, operators=operators, line=line
    )
    events.transferred_on_commit(transfer, dialog)
    return transfer
