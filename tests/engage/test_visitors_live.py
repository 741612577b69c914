"""Live Visitors rows: a visitor's row arrives, follows his page and leaves without a
reload, coalesced to one update per visitor per second, heard only on his site's consoles
that asked for the topic."""

import asyncio
import time

import pytest
from channels.db import database_sync_to_async
from django.conf import settings

from engage.visitors_live import live

pytestmark = pytest.mark.django_db(transaction=True)


async def visitors_console(sockets, operator):
    """A console page's socket with the Visitors topic (every console page asks for it)."""
    cookie = await sockets.login(operator.user)
    headers = [
        (b"origin", b"http://localhost"),
        (b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()),
    ]
    communicator = sockets.communicator("/ws/console/?topics=visitors", headers=headers)
    connected, _code = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from())["type"] == "hello"
    return communicator


async def next_of(communicator, kind, timeout=3):
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        if frame["type"] == kind:
            return frame


async def test_a_row_arrives_follows_his_pages_and_leaves(sockets, site, alice, make_site):
    console = await visitors_console(sockets, alice)
    widget, hello = await sockets.visitor(site)
    row = await next_of(console, "visitor_row")
    count = await next_of(console, "visitors_count")
    assert (row["site"], count["site"], count["count"]) == (site.id, site.id, 1)

    await widget.send_json_to(
        {"type": "page", "url": "https://shop.example/shoes", "title": "Shoes <b>"}
    )
    row = await next_of(console, "visitor_row")
    assert 'href="https://shop.example/shoes"' in row["html"]
    assert "Shoes &lt;b&gt;" in row["html"] and "1 page" in row["html"]
    await widget.send_json_to({"type": "page", "url": "https://shop.example/hats", "title": "Hats"})
    row = await next_of(console, "visitor_row")
    assert "Hats" in row["html"] and "2 pages" in row["html"]

    await widget.disconnect()
    gone = await next_of(console, "visitor_gone")
    assert gone["visitor"] == row["visitor"]
    assert (await next_of(console, "visitors_count"))["count"] == 0


async def test_changes_are_coalesced_to_one_a_second_per_visitor(sockets, site, alice):
    console = await visitors_console(sockets, alice)
    widget, _hello = await sockets.visitor(site)
    await next_of(console, "visitor_row")
    await asyncio.sleep(1.1)  # the window of the first row has passed
    before = live.published
    started = time.monotonic()
    for n in range(10):
        await widget.send_json_to(
            {"type": "page", "url": f"https://shop.example/{n}", "title": f"Page {n}"}
        )
    rows = []
    while time.monotonic() - started < 2.5:
        if await console.receive_nothing(timeout=0.05, interval=0.01):
            continue  # (a receive that times out would end the socket)
        frame = await console.receive_json_from()
        if frame["type"] == "visitor_row":
            rows.append((time.monotonic(), frame))
    # Ten pages in a burst: at most one row per second of the burst, the last one the
    # newest page (nothing lost, only coalesced).
    assert 1 <= len(rows) <= 3
    assert all(b[0] - a[0] >= 0.9 for a, b in zip(rows, rows[1:], strict=False))
    assert "Page 9" in rows[-1][1]["html"] and "10 pages" in rows[-1][1]["html"]
    assert live.published - before == len(rows)


async def test_other_accounts_and_plain_sockets_hear_nothing(
    sockets, site, alice, make_operator, make_site
):
    stranger = await database_sync_to_async(make_operator)(
        sites=[await database_sync_to_async(make_site)()]
    )
    theirs = await visitors_console(sockets, stranger)
    plain, _hello = await sockets.operator(alice)  # a socket without the topic
    mine = await visitors_console(sockets, alice)
    widget, _hello = await sockets.visitor(site)
    await next_of(mine, "visitor_row")
    await next_of(mine, "visitors_count")
    await sockets.silent(theirs, plain)
