"""The console's catch-up: on every (re)connect, what changed in its lists since its page
(or its previous socket) showed them.

A console socket hears row events only once it has joined its groups. Whatever changed
between the moment the page read its lists and that moment (a visitor's first message
while the operator switches tabs), or while the socket was down or Redis lost events
(chat/realtime/live.py closes it with 4012), would otherwise never reach the page. So the page
keeps a cursor of what it shows: the version of each row it lists (`data-v`,
payloads.row_version) and the ids it counts in Mine. After `hello` it sends them in a
`sync` frame; the consumer, already subscribed, reads the lists and answers `synced`:
every tab's ids (the counts, and the rows that left the list), the rows of the shown tab
that are new or changed, and the rows that entered Mine unseen (they alert on any page),
before any later live event. Nothing falls in between: a change committed after this
read is published after its commit, to groups the socket already belongs to.

No clock, sequence or migration is involved; two queries whatever the rows.
docs/protocol.md, "Console socket: catching up".
"""

from dataclasses import dataclass

from django.conf import settings

from chat.console import selectors
from chat.errors import AccessDenied, ChatError
from chat.messaging import payloads
from operators.models import Operator

# What a client may send (its frame stays well under CHAT_FRAME_MAX_BYTES); console.js
# sends the first SHOWN_MAX rows and the newest MINE_MAX ids of Mine.
SHOWN_MAX = 500
MINE_MAX = 1000
VERSION_MAX_LENGTH = 32


@dataclass(frozen=True)
class Cursor:
    """What a console page shows."""

    tab: str | None  # the listed tab (None: a page without a tab list, e.g. History)
    shown: dict[int, str]  # dialog id -> version of its row in the list, top first
    more: bool  # the list stops before the tab does ("Show more")
    mine: frozenset[int]  # the ids counted in Mine ...
    mine_from: int  # ... all of them from this id up (older ones were not sent)


def _ids(value, name: str) -> list[int]:
    if not isinstance(value, list) or len(value) > MINE_MAX:
        raise ChatError("invalid", f"{name} must be a list of at most {MINE_MAX} dialog ids.")
    if not all(isinstance(item, int) and not isinstance(item, bool) for item in value):
        raise ChatError("invalid", f"{name} must be a list of dialog ids.")
    return value


def parse_cursor(frame: dict, operator: Operator) -> Cursor:
    """The `sync` frame's cursor; bad input is an `invalid` error (Others without the
    right to see colleagues' dialogs: `forbidden`)."""
    tab = frame.get("tab")
    if tab is not None and tab not in selectors.TABS:
        raise ChatError("invalid", "tab must be one of mine, others, missed, or null.")
    if tab is not None and tab not in selectors.tabs_of(operator):
        raise AccessDenied("You may not see colleagues' dialogs.")
    shown = frame.get("shown", {})
    if not isinstance(shown, dict) or len(shown) > SHOWN_MAX:
        raise ChatError("invalid", f"shown must map at most {SHOWN_MAX} dialog ids to versions.")
    versions = {}
    for key, version in shown.items():
        if not key.isascii() or not key.isdigit() or len(key) > 18:
            raise ChatError("invalid", "shown must map dialog ids to versions.")
        if not isinstance(version, str) or len(version) > VERSION_MAX_LENGTH:
            raise ChatError("invalid", "shown must map dialog ids to versions.")
        versions[int(key)] = version
    more = frame.get("more", False)
    if not isinstance(more, bool):
        raise ChatError("invalid", "more must be true or false.")
    mine = _ids(frame.get("mine", []), "mine")
    mine_from = frame.get("mine_from", 0)
    if not isinstance(mine_from, int) or isinstance(mine_from, bool) or mine_from < 0:
        raise ChatError("invalid", "mine_from must be a dialog id.")
    return Cursor(tab, versions, more, frozenset(mine), mine_from)


@dataclass
class Plan:
    """Which rows a page lacks, from the tabs' ids alone (no row read yet)."""

    members: dict[str, list[int]]
    rows: list[tuple[int, str]]  # (dialog id, its tab): the rows to compare and maybe send
    more: bool  # the shown tab has rows past those the page will list


def plan(cursor: Cursor, placed: list[selectors.Placed], members: dict) -> Plan:
    page_size = settings.CHAT_CONSOLE_PAGE_SIZE
    rows: dict[int, str] = {}
    more = False
    if cursor.tab is not None:
        listed = sorted(
            (row for row in placed if row.tab == cursor.tab),
            key=lambda row: row.sort_key,
            reverse=True,
        )
        # The page's rows, the new ones above them and at most a page more; when the
        # page stops before the tab does, rows below its last one stay for "Show more".
        cut = len(cursor.shown) + page_size
        if cursor.more:
            last = max((i for i, row in enumerate(listed) if row.id in cursor.shown), default=-1)
            cut = min(cut, max(last + 1, page_size))
        rows = {row.id: row.tab for row in listed[:cut]}
        more = len(listed) > cut
    # Dialogs that entered Mine unseen alert on any page (not only on Mine), once.
    unseen = [
        dialog_id
        for dialog_id in members.get("mine", [])
        if dialog_id not in cursor.mine and dialog_id >= cursor.mine_from
    ]
    for dialog_id in sorted(unseen, reverse=True)[:page_size]:
        rows.setdefault(dialog_id, "mine")
    return Plan(members=members, rows=list(rows.items()), more=more)


def catch_up(operator: Operator, cursor: Cursor, language: str) -> dict:
    """The `synced` frame for a page's cursor, its rows in the socket's language. Two
    queries and one per prefetch of other apps' row parts (chat/console/row_parts.py; one
    query when no row needs comparing), whatever the number of rows."""
    placed = selectors.open_dialogs_placed(operator)
    the_plan = plan(cursor, placed, selectors.members_of(operator, placed))
    dialogs = selectors.dialog_rows(dialog_id for dialog_id, _tab in the_plan.rows)
    changed = []
    for dialog_id, tab in the_plan.rows:
        dialog = dialogs.get(dialog_id)
        if dialog is None or cursor.shown.get(dialog_id) == payloads.row_version(dialog):
            continue
        changed.append((tab, dialog))
    html = payloads.in_language(language, lambda: [payloads.dialog_row_html(d) for _, d in changed])
    return {
        "type": "synced",
        "tab": cursor.tab,
        "members": the_plan.members,
        "rows": [
            {"dialog": dialog.id, "tab": tab, "html": row_html}
            for (tab, dialog), row_html in zip(changed, html, strict=True)
        ],
        "more": the_plan.more,
    }
