"""System lines ("Anna joined the dialog", "Anna ended the dialog", ...) in each reader's
language: the visitor's widget reads them in the widget's language, each console in its
operator's, live and when replayed after a reconnect, whatever language the operator who
caused them uses."""

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.utils import translation

from chat.dialogs import autoclose, lifecycle
from chat.messaging import payloads, posting
from chat.models import Message
from chat.visitors import sessions
from tests.conftest import allowed_origin

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ivan(make_operator, site):
    return make_operator(username="ivan", display_name="Ivan", sites=[site], language="ru")


@pytest.fixture
def emma(make_operator, site):
    return make_operator(
        username="emma",
        display_name="Emma",
        sites=[site],
        language="en",
        can_see_others=True,
        can_join_others=True,
    )


LINES = {
    "en": {
        "Ivan": ["Ivan joined the dialog", "Ivan ended the dialog"],
        "Emma": ["Emma joined the dialog", "Emma ended the dialog"],
    },
    "ru": {
        "Ivan": ["Оператор Ivan подключился к диалогу", "Оператор Ivan завершил диалог"],
        "Emma": ["Оператор Emma подключился к диалогу", "Оператор Emma завершил диалог"],
    },
}


async def widget_in(sockets, site, accept_language: str, token: str | None = None):
    """A widget socket whose browser speaks accept_language (the site sets no language:
    the widget follows the browser)."""
    path = f"/ws/visitor/{site.widget_key}/" + (f"?token={token}" if token else "")
    communicator = sockets.communicator(
        path, headers=[(b"origin", allowed_origin()), (b"accept-language", accept_language)]
    )
    connected, code = await communicator.connect()
    assert connected, code
    hello = await communicator.receive_json_from(timeout=10)
    assert hello["type"] == "hello"
    return communicator, hello


def act(operator, dialog_id: int, action: str):
    """The operator presses Connect or End in his console (its page speaks his language)."""
    client = Client()
    client.force_login(operator.user)
    with translation.override("en"):  # the view activates his language: keep the thread's
        response = client.post(f"/console/dialogs/{dialog_id}/{action}/")
    assert response.status_code in (200, 302), response.status_code


async def system_texts(sockets, communicator, count: int) -> list[str]:
    """The texts of the next `count` system messages the socket hears (other frames aside),
    and, on a console, checks that its fragment says the same."""
    texts = []
    while len(texts) < count:
        frame = await communicator.receive_json_from(timeout=3)
        if frame["type"] != "message" or frame["message"]["author"]["kind"] != "system":
            continue
        text = frame["message"]["text"]
        assert isinstance(text, str)
        if "html" in frame:
            assert text in frame["html"], frame["html"]
        texts.append(text)
    return texts


async def replayed_system_texts(communicator, frame: dict) -> list[str]:
    await communicator.send_json_to(frame)
    texts = []
    while True:
        got = await communicator.receive_json_from(timeout=3)
        if got["type"] == "resumed":
            return texts
        if got["type"] == "message" and got["message"]["author"]["kind"] == "system":
            if "html" in got:
                assert got["message"]["text"] in got["html"], got["html"]
            texts.append(got["message"]["text"])


@pytest.mark.parametrize(
    ("widget_language", "accept", "operator_name"),
    [("en", b"en-US,en;q=0.9", "ivan"), ("ru", b"ru-RU,ru;q=0.9", "emma")],
    ids=["english-widget-russian-console", "russian-widget-english-console"],
)
async def test_visitor_and_operator_read_system_lines_each_in_his_language(
    sockets, site, ivan, emma, widget_language, accept, operator_name
):
    operator = {"ivan": ivan, "emma": emma}[operator_name]
    console_language = operator.language
    name = operator.display_name
    assert site.language == ""  # the widget follows the visitor's browser

    widget, hello = await widget_in(sockets, site, accept)
    await widget.send_json_to({"type": "message", "client_id": "v1", "text": "Hello"})
    dialog_id = (await sockets.expect(widget, "ack", "message", timeout=10))["ack"][0]["dialog"]
    console, _ = await sockets.operator(operator)
    await console.send_json_to({"type": "watch", "dialog": dialog_id})

    await database_sync_to_async(act)(operator, dialog_id, "connect")
    await database_sync_to_async(act)(operator, dialog_id, "end")

    # Live.
    assert await system_texts(sockets, widget, 2) == LINES[widget_language][name]
    assert await system_texts(sockets, console, 2) == LINES[console_language][name]

    # Replayed: the widget comes back (reload, restart) and resumes from the start; the
    # console's tab resumes its dialog.
    await widget.disconnect()
    widget, _ = await widget_in(sockets, site, accept, token=hello["visitor"]["token"])
    replayed = await replayed_system_texts(widget, {"type": "resume", "after": 0})
    assert replayed == LINES[widget_language][name]
    replayed = await replayed_system_texts(
        console, {"type": "resume", "dialog": dialog_id, "after": 0}
    )
    assert replayed == LINES[console_language][name]


async def test_a_site_language_rules_the_widget_and_not_the_console(sockets, make_site, emma):
    """A Russian site's widget reads Russian; its English operator's console English."""
    russian_site = await database_sync_to_async(make_site)(
        name="ru.example", language="ru", operators=[emma]
    )
    widget, _ = await widget_in(sockets, russian_site, b"en-US,en")
    await widget.send_json_to({"type": "message", "client_id": "v1", "text": "Привет"})
    dialog_id = (await sockets.expect(widget, "ack", "message", timeout=10))["ack"][0]["dialog"]
    console, _ = await sockets.operator(emma)
    await console.send_json_to({"type": "watch", "dialog": dialog_id})
    await database_sync_to_async(act)(emma, dialog_id, "connect")
    assert await system_texts(sockets, widget, 1) == ["Оператор Emma подключился к диалогу"]
    assert await system_texts(sockets, console, 1) == ["Emma joined the dialog"]


def test_the_console_page_shows_system_lines_in_the_operators_language(site, ivan, emma):
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
    message, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="v1", text="Hi"
    )
    act(ivan, message.dialog_id, "connect")
    act(emma, message.dialog_id, "connect")
    lines = {
        emma: ["Ivan joined the dialog", "Emma joined the dialog"],
        ivan: ["Оператор Ivan подключился к диалогу", "Оператор Emma подключился к диалогу"],
    }
    for operator, expected in lines.items():
        client = Client()
        client.force_login(operator.user)
        with translation.override("en"):
            page = client.get(f"/console/dialogs/{message.dialog_id}/").content.decode()
        for line in expected:
            assert line in page


def test_an_automatic_end_reads_in_each_language(site, ivan):
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
    message, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="v1", text="Hi"
    )
    dialog = lifecycle.lock_dialog(message.dialog_id)
    lifecycle.close_locked_dialog(dialog, note=autoclose.closing_note(dialog), automatic=True)
    line = Message.objects.get(dialog=dialog, author_kind="system")
    minutes = site.auto_close_minutes
    with translation.override("ru"):
        assert payloads.message_data(line)["text"] == (
            f"Диалог завершён автоматически после {minutes} минут без сообщений"
        )
    with translation.override("en"):
        assert payloads.message_data(line)["text"] == (
            f"The dialog was closed automatically after {minutes} minutes without messages"
        )
