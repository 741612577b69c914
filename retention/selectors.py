"""What an account's retention policy finds expired at a moment: the dry run counts these
querysets, the erasure deletes them batch by batch (retention/services.py)."""

from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils.translation import gettext as _

from chat.models import Attachment, Dialog, Message
from leads.models import Lead
from retention.models import RetentionPolicy

# Open dialogs (new, active) are never erased, however old: someone may still answer.
ERASABLE_STATUSES = (Dialog.Status.CLOSED, Dialog.Status.MISSED)


@dataclass
class Tally:
    """Rows erased (or that a dry run would erase), by kind."""

    dialogs: int = 0
    messages: int = 0
    attachments: int = 0
    leads: int = 0

    def __bool__(self):
        return any(getattr(self, field.name) for field in fields(self))

    def describe(self) -> str:
        return _(
            "dialogs: %(dialogs)s, messages: %(messages)s, attachments: %(attachments)s, "
            "leads: %(leads)s"
        ) % {
            "dialogs": self.dialogs,
            "messages": self.messages,
            "attachments": self.attachments,
            "leads": self.leads,
        }


def _cutoff(days: int | None, now: datetime) -> datetime | None:
    return now - timedelta(days=days) if days else None


def expired_dialogs(policy: RetentionPolicy, now: datetime):
    cutoff = _cutoff(policy.dialogs_days, now)
    if cutoff is None:
        return Dialog.objects.none()
    return Dialog.objects.filter(
        account_id=policy.account_id, status__in=ERASABLE_STATUSES, last_message_at__lt=cutoff
    )


def expired_messages(policy: RetentionPolicy, now: datetime):
    if not policy.dialogs_days:
        return Message.objects.none()
    return Message.objects.filter(dialog__in=expired_dialogs(policy, now))


def expired_attachments(policy: RetentionPolicy, now: datetime):
    """Files of messages older than attachments_days, and every file of an expired dialog."""
    condition = Q()
    cutoff = _cutoff(policy.attachments_days, now)
    if cutoff is not None:
        condition |= Q(message__created_at__lt=cutoff)
    if policy.dialogs_days:
        condition |= Q(message__dialog__in=expired_dialogs(policy, now))
    if not condition:
        return Attachment.objects.none()
    return Attachment.objects.filter(message__dialog__account_id=policy.account_id).filter(
        condition
    )


def expired_leads(policy: RetentionPolicy, now: datetime):
    cutoff = _cutoff(policy.leads_days, now)
    if cutoff is None:
        return Lead.objects.none()
    return Lead.objects.filter(account_id=policy.account_id, created_at__lt=cutoff)


def dry_run(policy: RetentionPolicy, now: datetime) -> Tally:
    """What applying the policy at `now` would erase: four counts, whatever the volume."""
    return Tally(
        dialogs=expired_dialogs(policy, now).count(),
        messages=expired_messages(policy, now).count(),
        attachments=expired_attachments(policy, now).count(),
        leads=expired_leads(policy, now).count(),
    )
