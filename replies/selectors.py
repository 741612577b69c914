"""Reads of canned replies, each one query."""

from django.db.models import Q

from chat.models import Dialog
from operators.models import Operator
from replies.models import CannedReply


def for_dialog(dialog: Dialog) -> list[dict]:
    """What the composer offers in this dialog: the account's replies for every site and
    those of the dialog's site, most used first within a position."""
    rows = (
        CannedReply.objects.filter(account_id=dialog.account_id)
        .filter(Q(site__isnull=True) | Q(site_id=dialog.site_id))
        .order_by("position", "-usage_count", "shortcut")
        .values("id", "shortcut", "title", "text")
    )
    return list(rows)


def for_account(operator: Operator) -> list[CannedReply]:
    """The Replies page: every reply of the operator's account, with its site."""
    return list(
        CannedReply.objects.filter(account_id=operator.account_id)
        .select_related("site")
        .order_by("position", "shortcut")
    )


def of_account(operator: Operator, reply_id: int) -> CannedReply | None:
    return CannedReply.objects.filter(account_id=operator.account_id, pk=reply_id).first()
