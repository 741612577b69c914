"""Changes to canned replies: add, edit, delete (fields checked by replies.forms), use."""

from django.db.models import F

from operators.models import Account, Operator
from replies.models import CannedReply

# The fields an operator edits (CannedReplyForm's): shortcut, title, text, site, position.


def create_reply(*, account: Account, **fields) -> CannedReply:
    """A new reply of the account (one INSERT)."""
    return CannedReply.objects.create(account=account, **fields)


def update_reply(*, reply: CannedReply, **fields) -> CannedReply:
    """The reply with the fields changed (one UPDATE; updated_at moves). Only those fields
    are written: a use counted since the reply was read is not lost."""
    for name, value in fields.items():
        setattr(reply, name, value)
    reply.save(update_fields=[*fields, "updated_at"])
    return reply


def delete_reply(*, reply: CannedReply) -> None:
    reply.delete()


def record_use(*, operator: Operator, reply_id: int) -> bool:
    """Count one insertion of a reply of the operator's account (one UPDATE); False when
    the reply is not his account's."""
    updated = CannedReply.objects.filter(pk=reply_id, account_id=operator.account_id).update(
        usage_count=F("usage_count") + 1
    )
    return bool(updated)
