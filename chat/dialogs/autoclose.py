"""Dialogs whose visitor left end by themselves, so that Mine does not fill up with them.

A new or active dialog ends when its site's `auto_close_minutes` (0: never) have passed
both since the visitor's last widget socket closed (he has none open now) and since the
last message in it, a system line such as "Anna joined the dialog" included. It ends as
an operator's End dialog ends it (`lifecycle.close_locked_dialog`: every participant
leaves, the line goes to the transcript, every console and the visitor's widgets are
told, `hooks.dialog_ended` starts the CRM export), with no operator named and the line
"The dialog was closed automatically after N minutes without messages".

Missed dialogs stay: the Missed tab is the list of visitors nobody answered yet, kept
until an operator deals with them (docs/operations.md, "Closing dialogs automatically").
So do new dialogs opened outside business hours (`Dialog.outside_hours`): nobody was
there to answer, and they wait in Mine for the operators of the next opening.
Run by the beat task `chat.tasks.close_abandoned_dialogs`.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import DurationField, Exists, ExpressionWrapper, F, IntegerField, OuterRef
from django.db.models.functions import Cast
from django.utils import timezone, translation

from chat.console import row_parts
from chat.dialogs import lifecycle
from chat.messaging import system_lines
from chat.models import Dialog, Message

# Dialogs closed per run at most (the transaction holds their row locks until it commits);
# the next run, a minute later, takes the rest.
BATCH = 200
CLOSABLE_STATUSES = (Dialog.Status.NEW, Dialog.Status.ACTIVE)


def due_dialogs(now):
    """The dialogs to close at `now`: one query. Each site has its own delay."""
    minutes = Cast("site__auto_close_minutes", IntegerField())
    delay = ExpressionWrapper(minutes * timedelta(minutes=1), output_field=DurationField())
    quiet_since = ExpressionWrapper(now - F("delay"), output_field=Dialog.last_message_at.field)
    return (
        Dialog.objects.filter(
            status__in=CLOSABLE_STATUSES,
            site__auto_close_minutes__gt=0,
            visitor__open_sockets=0,
        )
        .exclude(status=Dialog.Status.NEW, outside_hours=True)
        .alias(delay=delay, quiet_since=quiet_since)
        .filter(
            visitor__last_seen_at__lte=F("quiet_since"),
            last_message_at__lte=F("quiet_since"),  # the visitor's and operators' messages
        )
        .exclude(  # system lines too: an operator who just joined has not given up on it
            Exists(
                Message.objects.filter(
                    dialog=OuterRef("pk"), created_at__gt=OuterRef("quiet_since")
                )
            )
        )
    )


def closing_note(dialog: Dialog) -> dict:
    """The transcript's line (chat/messaging/system_lines.py): each reader gets it in his
    language; its stored text is in the site's, or the default language (no request is
    behind it)."""
    return system_lines.line("closed_automatically", minutes=dialog.site.auto_close_minutes)


@transaction.atomic
def close_abandoned_dialogs(now=None) -> list[int]:
    """Close every due dialog; returns their ids. Idempotent, and safe beside another run
    and beside the visitor coming back: 2 queries, plus 3 per dialog closed.

    The dialogs and their visitors are row-locked (PostgreSQL; rows another transaction
    holds are skipped, so two runs never close one dialog twice), then the rule is read
    again: that second statement sees everything committed before the locks were granted
    (a reconnect, a message, an operator joining), and nothing that could change it gets
    through while they are held: every message is written under its dialog's lock, and a
    widget socket opens under its visitor's lock."""
    now = now or timezone.now()
    locked = list(
        due_dialogs(now)
        .select_related("site", "visitor")
        .select_for_update(of=("self", "visitor"), skip_locked=True)
        .order_by("id")[:BATCH]
    )
    if not locked:
        return []
    still_due = set(
        due_dialogs(now)
        .filter(pk__in=[dialog.pk for dialog in locked])
        .values_list("pk", flat=True)
    )
    closed = []
    row_parts.load(d for d in locked if d.pk in still_due)  # other apps' parts of the rows
    for dialog in locked:
        if dialog.pk in still_due:
            with translation.override(settings.LANGUAGE_CODE):  # the stored text's, at least
                lifecycle.close_locked_dialog(dialog, note=closing_note(dialog), automatic=True)
            closed.append(dialog.pk)
    return closed
