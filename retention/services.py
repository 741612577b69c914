"""Applying a retention policy: expired rows are erased in batches of RETENTION_BATCH_SIZE,
one short transaction each, so no table is locked for long and a stopped run resumes where
it was. Files go from storage (local disk or the bucket) once their rows' transaction has
committed, as in chat.visitors.erasure.

Order: attachments (their files), then the messages of expired dialogs, then the dialogs
(their participants, tags, notes, ratings and report facts go with them; a lead keeps its
row with no dialog), then leads. Reports count only what is still kept (docs/operations.md,
"Retention").
"""

from datetime import datetime

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.models import Attachment
from retention import selectors
from retention.models import RetentionPolicy
from retention.selectors import Tally


def _delete_files(names: list[str]) -> None:
    storage = Attachment._meta.get_field("file").storage
    for name in names:
        storage.delete(name)


def _erase_attachments(attachments) -> int:
    """Delete these attachment rows, and their files once the transaction commits."""
    pairs = list(attachments.values_list("file", "thumbnail"))
    names = [name for pair in pairs for name in pair if name]
    attachments.delete()
    transaction.on_commit(lambda: _delete_files(names))
    return len(pairs)


def _in_batches(expired, erase, batch_size: int) -> int:
    """Erase what `expired` finds, batch_size rows per transaction; the count erased."""
    done = 0
    while True:
        with transaction.atomic():
            ids = list(expired.values_list("pk", flat=True)[:batch_size])
            if not ids:
                return done
            done += erase(expired.model.objects.filter(pk__in=ids))


def _erase_messages(messages) -> int:
    _erase_attachments(Attachment.objects.filter(message__in=messages))
    _total, per_model = messages.delete()
    return per_model.get(messages.model._meta.label, 0)


def _erase_rows(rows) -> int:
    _total, per_model = rows.delete()
    return per_model.get(rows.model._meta.label, 0)


def apply_policy(
    policy: RetentionPolicy, *, now: datetime | None = None, batch_size: int | None = None
) -> Tally:
    """Erase what the policy finds expired at `now`; the admin's history of the policy
    records the counts, in the name of the admin who set it."""
    now = now or timezone.now()
    batch_size = batch_size or settings.RETENTION_BATCH_SIZE
    tally = Tally(
        attachments=_in_batches(
            selectors.expired_attachments(policy, now), _erase_attachments, batch_size
        ),
        messages=_in_batches(selectors.expired_messages(policy, now), _erase_messages, batch_size),
        dialogs=_in_batches(selectors.expired_dialogs(policy, now), _erase_rows, batch_size),
        leads=_in_batches(selectors.expired_leads(policy, now), _erase_rows, batch_size),
    )
    RetentionPolicy.objects.filter(pk=policy.pk).update(last_applied_at=now)
    if tally and policy.set_by_id:
        LogEntry.objects.log_actions(
            user_id=policy.set_by_id,
            queryset=[policy],
            action_flag=CHANGE,
            change_message=_("Retention applied; erased %(what)s.") % {"what": tally.describe()},
            single_object=True,
        )
    return tally


def apply_all(*, now: datetime | None = None) -> int:
    """Every account's policy that erases something; the number of policies applied."""
    policies = RetentionPolicy.objects.exclude(
        dialogs_days=None, attachments_days=None, leads_days=None
    )
    applied = 0
    for policy in policies.iterator():
        apply_policy(policy, now=now)
        applied += 1
    return applied
