"""chat/dialogs/outreach.py: an operator writes first; and the visitor_socket_* hooks that
let other apps know who is online."""

import pytest
from channels.db import database_sync_to_async

from chat import hooks
from chat.dialogs import outreach
from chat.errors import ChatError, NotFound
from chat.models import Dialog, Message, Visit, Visitor


@pytest.fixture
def visitor(site):
    visitor = Visitor.objects.create(site=site, animal="blue-fox")
    Visit.objects.create(visitor=visitor)
    return visitor


def test_the_operator_is_connected_and_his_message_is_first(alice, visitor):
    opened = []
    hooks.dialog_opened.connect(opened.append)
    try:
        dialog, message = outreach.start_dialog(
            operator=alice, visitor_id=visitor.id, text=" Hi ", client_id="c1"
        )
    finally:
        hooks.dialog_opened.disconnect(opened.append)
    assert dialog.status == Dialog.Status.ACTIVE and dialog.accepted_at is not None
    assert dialog.visit_id == visitor.visits.get().id
    assert list(Message.objects.filter(dialog=dialog).values_list("author_kind", "text")) == [
        (Message.Author.OPERATOR, "Hi")
    ]
    assert opened == []  # nobody is alerted of a dialog its operator started


def test_not_twice_nor_empty_nor_on_another_sites_visitor(alice, visitor, make_site):
    with pytest.raises(ChatError):
        outreach.start_dialog(operator=alice, visitor_id=visitor.id, text="  ", client_id="c")
    outreach.start_dialog(operator=alice, visitor_id=visitor.id, text="Hi", client_id="c")
    with pytest.raises(ChatError) as twice:
        outreach.start_dialog(operator=alice, visitor_id=visitor.id, text="Hi", client_id="d")
    assert twice.value.code == "in_dialog"
    elsewhere = Visitor.objects.create(site=make_site(), animal="red-cat")
    with pytest.raises(NotFound):
        outreach.start_dialog(operator=alice, visitor_id=elsewhere.id, text="Hi", client_id="e")


@pytest.mark.django_db(transaction=True)
async def test_a_widget_socket_tells_the_hooks_it_opened_changed_page_and_closed(sockets, site):
    heard = []

    def opened(*, site, session, socket_id, language):
        heard.append(("opened", site.id, session.visitor.id, socket_id, language))

    def page(*, site_id, visit, socket_id):
        heard.append(("page", site_id, visit.visitor_id, socket_id, visit.current_url))

    def closed(*, site_id, visitor_id, socket_id):
        heard.append(("closed", site_id, visitor_id, socket_id))

    hooks.visitor_socket_opened.connect(opened)
    hooks.visitor_page_changed.connect(page)
    hooks.visitor_socket_closed.connect(closed)
    try:
        communicator = sockets.communicator(
            f"/ws/visitor/{site.widget_key}/",
            headers=[(b"origin", b"http://localhost"), (b"accept-language", b"ru-RU,ru;q=0.9")],
        )
        await communicator.connect()
        hello = await communicator.receive_json_from(timeout=10)
        await communicator.send_json_to({"type": "page", "url": "https://shop.example/a"})
        await sockets.silent(communicator)
        await communicator.disconnect()
    finally:
        hooks.visitor_socket_opened.disconnect(opened)
        hooks.visitor_page_changed.disconnect(page)
        hooks.visitor_socket_closed.disconnect(closed)
    visitor = await database_sync_to_async(Visitor.objects.get)(token=hello["visitor"]["token"])
    socket = heard[0][3]
    assert socket  # the channel name
    assert heard == [
        ("opened", site.id, visitor.id, socket, "ru-RU"),
        ("page", site.id, visitor.id, socket, "https://shop.example/a"),
        ("closed", site.id, visitor.id, socket),
    ]
