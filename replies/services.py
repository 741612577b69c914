"""Changes to canned replies beyond the forms' create/edit/delete."""

from django.db.models import F

from operators.models import Operator
from replies.models import CannedReply


def record_use(*, operator: Operator, reply_id: int) -> bool:
    """Count one insertion of a reply of the operator's account (one UPDATE); False when
    the reply is not his account's."""
    updated = CannedReply.objects.filter(pk=reply_id, account_id=operator.account_id).update(
        usage_count=F("usage_count") + 1
    )
    return bool(updated)
