"""Parts other apps add to the console's dialog rows (Mine, Others, Missed), without chat
importing them.

An app registers a RowPart in its AppConfig.ready():

    row_parts.register(RowPart(name="tags", html=..., facts=..., prepare_rows=...))

and then
- the tab lists and the console's catch-up pass their rows through `prepare_rows(queryset)`:
  it may add ONE prefetch (the list's query count grows by one, whatever its rows) or an
  annotation (no query more: mailchannel's "email", whether an e-mail opened the dialog);
- every row, on the page and in live `row` events, ends its meta line with `html(dialog)`
  (safe HTML, escaped by the part). A row of a live event comes from elsewhere: html then
  loads what it needs itself (one query) and keeps it on the dialog for the next language;
- `load(dialogs)` gives dialogs read elsewhere in a batch (a task closing or offering many)
  what `html` reads, in one query for all, before their rows are rendered;
- `opened(dialog)` hears of a dialog just created (chat.dialogs.lifecycle.open_dialog): a
  part may note that it holds nothing of that dialog yet, so that the rows of the dialog's
  messages need no query of it (the message path's query count stays chat's own);
- `facts(dialog)` (JSON values) join the row's version (payloads.row_version), so a console
  that reconnects gets again the rows whose part changed.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RowPart:
    name: str
    html: Callable
    facts: Callable
    prepare_rows: Callable = lambda rows: rows
    load: Callable = lambda dialogs: None
    opened: Callable = lambda dialog: None


_parts: dict[str, RowPart] = {}


def register(part: RowPart) -> None:
    _parts[part.name] = part


def parts() -> list[RowPart]:
    """The registered parts, in the order of registration (INSTALLED_APPS)."""
    return list(_parts.values())


def prepare(rows):
    for part in _parts.values():
        rows = part.prepare_rows(rows)
    return rows


def opened(dialog) -> None:
    for part in _parts.values():
        part.opened(dialog)


def load(dialogs) -> None:
    """What the parts read, for dialogs a batch read itself: one query per part for all of
    them (none for no dialogs), instead of one per row event."""
    dialogs = list(dialogs)
    if dialogs:
        for part in _parts.values():
            part.load(dialogs)
