"""The console's catch-up (chat/console/catchup.py, docs/protocol.md "Console socket: catching
up"): a page sends the cursor of what it shows after every hello, and gets every change of
its lists since, before any later live event. Without it a dialog that starts between the
page's render and its socket's subscription never shows up until a reload."""

import asyncio
import json
import re
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.test import Client
from django.utils import timezone

from chat.console import catchup
from chat.dialogs import lifecycle
from chat.messaging import posting
from chat.models import Dialog, Visitor
from chat.visitors import sessions

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def bob(make_operator, site):
    return make_operator(username="bob", display_name="Bob", sites=[site], can_see_others=True)


def page_of(operator, path="/console/") -> str:
    client = Client()
    client.force_login(operator.user)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def cursor_of(html: str) -> dict:
    """What console.js sends after hello, read from the page as the browser has it."""
    tab = re.search(r'id="tab-list" data-tab="(\w+)"', html)
    shown = dict(
        re.findall(r'<li class="row[^"]*" data-dialog="(\d+)" data-sort="\d+" data-v="(\w+)"', html)
    )
    members = re.search(r'<script id="tab-members" type="application/json">(.*?)</script>', html)
    more = re.search(r'<button[^>]*id="tab-more"[^>]*>', html)
    return {
        "type": "sync",
        "tab": tab.group(1) if tab else None,
        "shown": shown,
        "more": bool(more) and " hidden" not in more.group(0),
        "mine": json.loads(members.group(1))["mine"],
    }


async def page(operator, path="/console/") -> dict:
    return cursor_of(await database_sync_to_async(page_of)(operator, path))


def start_dialog(site, text: str) -> Dialog:
    """A visitor's first message (his widget's socket is not needed for it)."""
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
    message, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id=text, text=text
    )
    return message.dialog


async def synced(sockets, operator, cursor):
    console, _ = await sockets.operator(operator)
    await console.send_json_to(cursor)
    frame = await console.receive_json_from(timeout=10)
    assert frame["type"] == "synced", frame
    return console, frame


def version_in(row_html: str) -> str:
    return re.search(r'data-v="(\w+)"', row_html)[1]


def rows_of(frame) -> dict[int, dict]:
    return {row["dialog"]: row for row in frame["rows"]}


async def test_a_dialog_started_while_the_page_loads_reaches_it(sockets, site, alice):
    before = await database_sync_to_async(start_dialog)(site, "Already here")
    cursor = await page(alice)
    assert list(cursor["shown"]) == [str(before.id)]

    # The visitor writes after the page read its list, before its socket subscribed.
    started = await database_sync_to_async(start_dialog)(site, "Hello, anyone <there>?")

    console, frame = await synced(sockets, alice, cursor)
    assert frame["tab"] == "mine"
    assert sorted(frame["members"]["mine"]) == sorted([before.id, started.id])
    assert list(rows_of(frame)) == [started.id]  # the row the page shows is unchanged
    row = rows_of(frame)[started.id]
    assert row["tab"] == "mine"
    assert "Hello, anyone &lt;there&gt;?" in row["html"]
    # The row as a reload shows it (the page then sends its version: nothing more).
    reloaded = await database_sync_to_async(page_of)(alice)
    assert row["html"].strip() in reloaded
    await sockets.silent(console)

    # Live events follow the catch-up as usual.
    later = await database_sync_to_async(start_dialog)(site, "Me too")
    live = await console.receive_json_from()
    assert (live["type"], live["dialog"], live["tab"]) == ("row", later.id, "mine")

    # A live row carries the version a reload gives: after a reconnect, nothing is resent.
    cursor["shown"] = {str(r["dialog"]): version_in(r["html"]) for r in (row, live)}
    cursor["shown"][str(before.id)] = cursor_of(reloaded)["shown"][str(before.id)]
    cursor["mine"] = [before.id, started.id, later.id]
    await console.disconnect()
    _, frame = await synced(sockets, alice, cursor)
    assert frame["rows"] == []


async def test_rows_that_changed_or_left_meanwhile(sockets, site, alice, bob):
    changed, taken, ended, quiet = [
        await database_sync_to_async(start_dialog)(site, f"question {n}") for n in range(4)
    ]
    await database_sync_to_async(lifecycle.connect_operator)(operator=alice, dialog_id=ended.id)
    cursor = await page(alice)
    assert set(cursor["shown"]) == {str(d.id) for d in (changed, taken, ended, quiet)}

    def meanwhile():
        session = sessions.start_visitor_session(
            site=site, token=changed.visitor.token, ip=None, user_agent=""
        )
        posting.post_visitor_message(
            visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="again", text="?"
        )
        lifecycle.connect_operator(operator=bob, dialog_id=taken.id)  # Bob's now: Others
        lifecycle.end_dialog(operator=alice, dialog_id=ended.id)

    await database_sync_to_async(meanwhile)()
    console, frame = await synced(sockets, alice, cursor)
    # Alice's page drops the rows that left Mine (not in its ids) and redraws the changed one.
    assert sorted(frame["members"]["mine"]) == sorted([changed.id, quiet.id])
    assert frame["members"]["missed"] == []
    assert list(rows_of(frame)) == [changed.id]
    assert '<span class="badge"' in rows_of(frame)[changed.id]["html"]  # 2 unanswered
    await sockets.silent(console)

    # Bob, on Others, gets the dialog he took from another tab: none on his Others page yet.
    bob_cursor = await page(bob, "/console/others/")
    bob_cursor["shown"] = {}
    _, frame = await synced(sockets, bob, bob_cursor)
    assert frame["tab"] == "others" and frame["members"]["others"] == []
    assert frame["rows"] == []


async def test_missed_and_others_lists_catch_up_too(sockets, site, alice, bob):
    waiting = await database_sync_to_async(start_dialog)(site, "Hello?")
    missed_page = await page(bob, "/console/missed/")
    others_page = await page(bob, "/console/others/")
    assert missed_page["shown"] == others_page["shown"] == {}

    def meanwhile():
        Visitor.objects.filter(pk=waiting.visitor_id).update(open_sockets=0)
        later = timezone.now() + timedelta(seconds=settings.CHAT_MISSED_GRACE_SECONDS + 60)
        assert lifecycle.mark_missed(now=later) == [waiting.id]
        answered = start_dialog(site, "Are you there?")
        lifecycle.connect_operator(operator=alice, dialog_id=answered.id)
        return answered

    answered = await database_sync_to_async(meanwhile)()
    _, frame = await synced(sockets, bob, missed_page)
    assert frame["members"]["missed"] == [waiting.id]
    assert [(row["dialog"], row["tab"]) for row in frame["rows"]] == [(waiting.id, "missed")]
    assert "status-missed" in frame["rows"][0]["html"]
    _, frame = await synced(sockets, bob, others_page)
    assert [(row["dialog"], row["tab"]) for row in frame["rows"]] == [(answered.id, "others")]


async def test_a_page_without_a_list_gets_the_counts_and_new_mine_rows(sockets, site, alice):
    known = await database_sync_to_async(start_dialog)(site, "Known")
    cursor = await page(alice, "/console/history/")
    assert cursor["tab"] is None and cursor["mine"] == [known.id]
    started = await database_sync_to_async(start_dialog)(site, "New one")
    console, frame = await synced(sockets, alice, cursor)
    assert frame["tab"] is None
    assert sorted(frame["members"]["mine"]) == sorted([known.id, started.id])
    # Only the unseen one, so that the History page alerts about it (it lists no rows).
    assert [(row["dialog"], row["tab"]) for row in frame["rows"]] == [(started.id, "mine")]
    await sockets.silent(console)


async def test_rows_below_show_more_wait_for_it(sockets, site, alice, settings):
    settings.CHAT_CONSOLE_PAGE_SIZE = 3
    for n in range(5):
        await database_sync_to_async(start_dialog)(site, f"old {n}")
    cursor = await page(alice)
    assert len(cursor["shown"]) == 3 and cursor["more"] is True
    started = await database_sync_to_async(start_dialog)(site, "new")
    _, frame = await synced(sockets, alice, cursor)
    assert list(rows_of(frame)) == [started.id]  # not the two rows below the shown ones
    assert frame["more"] is True
    assert len(frame["members"]["mine"]) == 6

    # A complete list (no "Show more") gets every row of its tab, and learns of more.
    cursor["more"] = False
    cursor["shown"] = {}
    _, frame = await synced(sockets, alice, cursor)
    assert len(frame["rows"]) == 3 and frame["more"] is True


async def test_every_reconnect_catches_up_from_what_the_page_shows(sockets, site, alice):
    cursor = await page(alice)
    console, frame = await synced(sockets, alice, cursor)
    assert frame["rows"] == []
    await console.disconnect()  # the network drops; the server restarts; Redis comes back
    started = await database_sync_to_async(start_dialog)(site, "While you were away")
    console, frame = await synced(sockets, alice, cursor)
    assert list(rows_of(frame)) == [started.id]
    # The page now shows it (its version and its id in Mine): the next reconnect is quiet.
    cursor["shown"] = {str(started.id): version_in(frame["rows"][0]["html"])}
    cursor["mine"] = frame["members"]["mine"]
    await console.disconnect()
    console, frame = await synced(sockets, alice, cursor)
    assert frame["rows"] == []


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"tab": "leads"}, "invalid"),
        ({"tab": "others"}, "forbidden"),  # Alice may not see colleagues' dialogs
        ({"tab": "mine", "shown": []}, "invalid"),
        ({"tab": "mine", "shown": {"x1": "v"}}, "invalid"),
        ({"tab": "mine", "shown": {"1": 5}}, "invalid"),
        ({"tab": "mine", "shown": {"1": "v" * 33}}, "invalid"),
        ({"tab": "mine", "more": "yes"}, "invalid"),
        ({"tab": "mine", "mine": "1,2"}, "invalid"),
        ({"tab": "mine", "mine": [1, "2"]}, "invalid"),
        ({"tab": "mine", "mine": list(range(catchup.MINE_MAX + 1))}, "invalid"),
        ({"tab": "mine", "mine_from": -1}, "invalid"),
    ],
)
async def test_a_bad_cursor_gets_an_error_and_the_socket_stays_open(
    sockets, site, alice, frame, code
):
    console, _ = await sockets.operator(alice)
    await console.send_json_to({"type": "sync", **frame})
    error = await console.receive_json_from()
    assert (error["type"], error["code"]) == ("error", code)
    await console.send_json_to({"type": "sync", "tab": "mine"})
    assert (await console.receive_json_from())["type"] == "synced"


def test_the_catch_up_reads_a_fixed_number_of_queries(
    site, alice, django_assert_num_queries, settings
):
    def cursor(shown=()):
        return catchup.Cursor("mine", dict(shown), False, frozenset(), 0)

    start_dialog(site, "one")
    # the open dialogs placed in tabs, the changed rows, their tags (tags app: one prefetch)
    with django_assert_num_queries(3):
        frame = catchup.catch_up(alice, cursor(), "en")
    assert len(frame["rows"]) == 1
    for n in range(30):
        start_dialog(site, f"more {n}")
    with django_assert_num_queries(3):
        frame = catchup.catch_up(alice, cursor(), "ru")
    assert len(frame["rows"]) == 31
    assert "новый" in frame["rows"][0]["html"]  # the socket's language
    shown = {row["dialog"]: version_in(row["html"]) for row in frame["rows"]}
    with django_assert_num_queries(3):  # nothing changed: nothing rendered
        assert catchup.catch_up(alice, cursor(shown.items()), "en")["rows"] == []


# Both sides race on a 2-core machine shared with other runs: generous timeouts.
RACE_TIMEOUT = 15


async def first_message(sockets, site, client_id: str) -> int:
    widget = sockets.communicator(f"/ws/visitor/{site.widget_key}/")
    assert (await widget.connect(timeout=RACE_TIMEOUT))[0]
    await widget.send_json_to({"type": "message", "client_id": client_id, "text": "hi"})
    while (frame := await widget.receive_json_from(timeout=RACE_TIMEOUT))["type"] != "ack":
        pass
    return frame["dialog"]


async def console_syncs(sockets, operator, cursor, delay: float):
    await asyncio.sleep(delay)
    console = sockets.console(cookie=await sockets.login(operator.user))
    assert (await console.connect(timeout=RACE_TIMEOUT))[0]
    assert (await console.receive_json_from(timeout=RACE_TIMEOUT))["type"] == "hello"
    await console.send_json_to(cursor)
    return console


async def test_no_dialog_is_lost_when_visitors_write_as_consoles_connect(sockets, site, alice):
    """Real concurrency: each round a page is rendered, then a visitor's first message and
    the console's connect race. Every dialog reaches the console: by the catch-up when it
    was committed before the catch-up's read, by a live row otherwise."""
    for round_number in range(8):
        cursor = await page(alice)
        dialog_id, console = await asyncio.gather(
            first_message(sockets, site, f"c{round_number}"),
            console_syncs(sockets, alice, cursor, delay=0.002 * round_number),
        )
        seen = set()
        while dialog_id not in seen:
            frame = await console.receive_json_from(timeout=RACE_TIMEOUT)
            if frame["type"] == "synced":
                seen |= {row["dialog"] for row in frame["rows"]}
            elif frame["type"] == "row" and frame["tab"] == "mine":
                seen.add(frame["dialog"])
        await console.disconnect()
