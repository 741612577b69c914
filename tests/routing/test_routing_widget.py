"""What the visitor and the operators hear (docs/protocol.md, "queue"): the assignee's
console lists the dialog in Mine, a colleague's does not; a queued visitor hears his place
in his widget's language, in hello and live as dialogs leave the queue."""

import pytest
from channels.db import database_sync_to_async

from chat.dialogs import lifecycle
from chat.models import Dialog
from tests.routing.routing_factory import auto_assign, own_capacity

pytestmark = pytest.mark.django_db(transaction=True)


async def until(communicator, kind, timeout=5):
    """Frames up to the first of this type (the others are dropped)."""
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        if frame["type"] == kind:
            return frame


async def frames_until(communicator, kind, timeout=5):
    """Frames by type, up to and with the first of this type."""
    heard = {}
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        heard.setdefault(frame["type"], []).append(frame)
        if frame["type"] == kind:
            return heard


async def write(widget, text="Hello"):
    await widget.send_json_to({"type": "message", "client_id": "c1", "text": text})
    return await until(widget, "ack")


@pytest.fixture
def shop(make_site, make_operator):
    site = make_site(language="ru")
    anna = make_operator(sites=[site], username="anna")
    boris = make_operator(sites=[site], username="boris")
    auto_assign(site, capacity=1)
    own_capacity(boris, 1)
    return site, anna, boris


async def test_the_queue_moves_and_every_visitor_hears_his_place(sockets, shop):
    site, anna, boris = shop
    anna_console, _ = await sockets.operator(anna)
    boris_console, _ = await sockets.operator(boris)

    first, _ = await sockets.visitor(site)
    await write(first)
    row = await until(anna_console, "row")
    other_row = await until(boris_console, "row")
    first_dialog = row["dialog"]
    tabs = {row["tab"], other_row["tab"]}
    assert tabs == {"mine", None}  # in exactly one Mine (boris cannot see others)
    holder = anna if row["tab"] == "mine" else boris

    second, _ = await sockets.visitor(site)
    await write(second)
    third, _ = await sockets.visitor(site)
    await write(third)
    # The second dialog went to the free operator; the third waits, first in line.
    place = await until(third, "queue")
    assert place["position"] == 1
    assert place["text"] == "Вы 1-й в очереди."
    assert place["hint"] == "Все операторы заняты. Первый освободившийся ответит вам."

    fourth, _ = await sockets.visitor(site)
    await write(fourth)
    assert (await until(fourth, "queue"))["position"] == 2
    # Reconnecting, he finds his place in hello.
    token = await database_sync_to_async(_token_of_last_dialog)(site)
    again, hello = await sockets.visitor(site, token=token)
    assert hello["queue"]["position"] == 2
    assert hello["queue"]["text"] == "Вы 2-й в очереди."

    # The holder ends the first dialog: the oldest queued one is his, the line moves.
    await database_sync_to_async(lifecycle.end_dialog)(operator=holder, dialog_id=first_dialog)
    heard = await frames_until(third, "queue")
    assert heard["queue"][-1]["position"] is None
    assert [op["id"] for op in heard["dialog"][-1]["dialog"]["operators"]] == [holder.id]
    moved = await until(fourth, "queue")
    assert (moved["position"], moved["text"]) == (1, "Вы 1-й в очереди.")


def _token_of_last_dialog(site):
    last = Dialog.objects.filter(site=site).order_by("-id").select_related("visitor")[0]
    return last.visitor.token


@pytest.fixture
def plain_site(make_site, make_operator):
    site = make_site()
    return site, make_operator(sites=[site])


async def test_a_visitor_of_an_everyone_site_hears_no_queue(sockets, plain_site):
    site, anna = plain_site
    await sockets.operator(anna)
    widget, hello = await sockets.visitor(site)
    assert hello["queue"] is None
    await write(widget)
    heard = await frames_until(widget, "message")
    assert "queue" not in heard
    await sockets.silent(widget)
