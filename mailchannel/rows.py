"""E-mail on the console's dialog rows (Mine, Others, Missed; chat/console/row_parts.py):
a dialog opened by an e-mail shows "✉ E-mail" at the end of its meta line, as a
messenger's dialog shows its messenger (messengers/rows.py), on the page and in every
live `row` event.

Whether an e-mail opened the dialog never changes once the dialog exists, so:
- a tab list's rows are annotated (channel.prepare_rows: an EXISTS in the list's own
  query, no query more);
- a dialog with a visit (the widget's) or a loaded visitor without an e-mail address
  needs nothing;
- any other row reads the cache (Redis in production, shared by every process),
  "mailchannel:row:<dialog id>": true or false. A dialog just opened is written there at
  once (true when inbound.post_new opens it, inside `opening_by_mail`), so a new e-mail
  dialog's rows read no query; a miss reads the database once and fills the key. The
  answer is kept on the dialog for the next language of the same row.
- `load(dialogs)`: a batch's dialogs (a task closing or offering many) in one cache read
  and at most one query for all.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.core.cache import cache

from chat.console import channels
from mailchannel import channel
from mailchannel.models import InboundMail

TIMEOUT = 24 * 3600
ANNOTATION = channel.ANNOTATION

_opening = ContextVar("mailchannel_opening_by_mail", default=False)


@contextmanager
def opening_by_mail():
    """The dialog lifecycle.open_dialog creates within is an e-mail's (inbound.post_new)."""
    token = _opening.set(True)
    try:
        yield
    finally:
        _opening.reset(token)


def key(dialog_id: int) -> str:
    return f"mailchannel:row:{dialog_id}"


def _known(dialog) -> bool | None:
    """What the dialog itself tells, without the cache: None when it cannot tell."""
    if ANNOTATION in dialog.__dict__:
        return dialog.__dict__[ANNOTATION]
    if dialog.visit_id is not None:
        return False
    visitor = dialog._state.fields_cache.get("visitor")
    if visitor is not None and not visitor.email:
        return False
    return None


def _keep(dialog, found: bool) -> bool:
    dialog.__dict__[ANNOTATION] = found
    return found


def _read(dialog_ids) -> set[int]:
    rows = InboundMail.objects.filter(dialog_id__in=dialog_ids, started_dialog=True)
    return set(rows.values_list("dialog_id", flat=True))


def by_email(dialog) -> bool:
    """Whether an e-mail opened the dialog: no query for a listed or a widget dialog, the
    cache for the rest (one query on a miss), kept on the dialog."""
    known = _known(dialog)
    if known is not None:
        return known
    found = cache.get(key(dialog.pk))
    if found is None:
        found = bool(_read([dialog.pk]))
        cache.set(key(dialog.pk), found, TIMEOUT)
    return _keep(dialog, found)


def load(dialogs) -> None:
    """One cache read and at most one query for all the dialogs a batch read itself."""
    unknown = [dialog for dialog in dialogs if _known(dialog) is None]
    if not unknown:
        return
    found = cache.get_many([key(dialog.pk) for dialog in unknown])
    missing = [dialog.pk for dialog in unknown if key(dialog.pk) not in found]
    if missing:
        opened = _read(missing)
        read = {key(pk): pk in opened for pk in missing}
        cache.set_many(read, TIMEOUT)
        found.update(read)
    for dialog in unknown:
        _keep(dialog, bool(found[key(dialog.pk)]))


def opened(dialog) -> None:
    """lifecycle.open_dialog: a new dialog is an e-mail's only inside opening_by_mail. A
    widget dialog (with its visit) needs no key; a rolled-back dialog's id is never given
    again, so a key written before the commit can do no harm."""
    found = _opening.get()
    _keep(dialog, found)
    if dialog.visit_id is None:
        cache.set(key(dialog.pk), found, TIMEOUT)


def forget(dialog_ids) -> None:
    """Their e-mails were erased (outbound.visitor_erased): the rows read again."""
    cache.delete_many([key(dialog_id) for dialog_id in dialog_ids])


def badge_html(dialog) -> str:
    if not by_email(dialog):
        return ""
    return channels.channel_badge(channels.get("email"))


def facts(dialog) -> list:
    return ["email"] if by_email(dialog) else []


def email_row_part():
    from chat.console.row_parts import RowPart

    return RowPart(
        name="email",
        html=badge_html,
        facts=facts,
        prepare_rows=channel.prepare_rows,
        load=load,
        opened=opened,
    )
