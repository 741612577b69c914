"""Live fragments in each operator's own language, and the visitor's side in the widget's.

The publisher renders a console fragment once per configured language; each console socket
picks its own (operator.language, else the handshake's Accept-Language, else the default)
and sends the browser a plain string, as before.
"""

import threading

import pytest
from channels.db import database_sync_to_async
from django.conf import settings as django_settings
from django.db.backends import utils as db_utils
from django.test import Client
from django.utils import translation

from chat.dialogs import invitations, lifecycle
from chat.messaging import payloads, posting
from chat.models import Attachment, Message, Visitor
from chat.visitors import animals, sessions
from operators import services as presence
from tests.conftest import allowed_origin

pytestmark = pytest.mark.django_db(transaction=True)


class Statements:
    """Counts SQL statements run on any thread (consumers query on a thread pool)."""

    def __init__(self, monkeypatch):
        self.count = 0
        lock = threading.Lock()
        execute = db_utils.CursorWrapper.execute

        def counted(cursor, *args, **kwargs):
            with lock:
                self.count += 1
            return execute(cursor, *args, **kwargs)

        monkeypatch.setattr(db_utils.CursorWrapper, "execute", counted)


def nickname_in(language: str, visitor: Visitor) -> str:
    with translation.override(language):
        return animals.nickname(visitor.animal)


async def frames_by_type(communicator, count: int) -> dict:
    """The next `count` frames by type, colleagues' "viewer" frames left aside."""
    got = {}
    while len(got) < count:
        frame = await communicator.receive_json_from(timeout=3)
        if frame["type"] != "viewer":
            got[frame["type"]] = frame
    return got


async def console_with_accept_language(sockets, operator, accept: str):
    cookie = await sockets.login(operator.user)
    communicator = sockets.communicator(
        "/ws/console/",
        headers=[
            (b"origin", allowed_origin()),
            (b"cookie", f"{django_settings.SESSION_COOKIE_NAME}={cookie}".encode()),
            (b"accept-language", accept.encode()),
        ],
    )
    connected, code = await communicator.connect()
    assert connected, code
    assert (await communicator.receive_json_from())["type"] == "hello"
    return communicator


@pytest.fixture
def ivan(make_operator, site):
    return make_operator(username="ivan", display_name="Иван", sites=[site], language="ru")


@pytest.fixture
def emma(make_operator, site):
    return make_operator(username="emma", display_name="Emma", sites=[site], language="en")


@pytest.fixture
def olga(make_operator, site):
    """No language in her profile: her browser's."""
    return make_operator(username="olga", display_name="Ольга", sites=[site], language="")


async def test_each_console_gets_the_row_in_its_operators_language(
    sockets, site, ivan, emma, olga, monkeypatch
):
    ivan_console, _ = await sockets.operator(ivan)
    emma_console, _ = await sockets.operator(emma)
    olga_console = await console_with_accept_language(sockets, olga, "ru-RU,ru;q=0.9,en;q=0.5")
    widget, _ = await sockets.visitor(site)
    await widget.send_json_to({"type": "message", "client_id": "v1", "text": "Здравствуйте"})
    await sockets.expect(widget, "ack", "message")
    visitor = await database_sync_to_async(Visitor.objects.get)(site=site)
    russian, english = nickname_in("ru", visitor), nickname_in("en", visitor)
    assert russian != english

    statements = Statements(monkeypatch)
    rows = {
        "ivan": await ivan_console.receive_json_from(),
        "emma": await emma_console.receive_json_from(),
        "olga": await olga_console.receive_json_from(),
    }
    assert statements.count == 0  # picking the language costs no query

    assert {row["type"] for row in rows.values()} == {"row"}
    assert all(isinstance(row["html"], str) for row in rows.values())  # protocol unchanged
    for name in ("ivan", "olga"):
        assert russian in rows[name]["html"]
        assert ">новый<" in rows[name]["html"]
        assert english not in rows[name]["html"]
    assert english in rows["emma"]["html"]
    assert ">new<" in rows["emma"]["html"]
    assert russian not in rows["emma"]["html"]


async def test_invitation_and_its_answer_come_in_each_operators_language(sockets, site, ivan, emma):
    ivan_console, _ = await sockets.operator(ivan)
    emma_console, _ = await sockets.operator(emma)

    def dialog_with_ivan():
        session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
        message, _ = posting.post_visitor_message(
            visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="v1", text="Hi"
        )
        lifecycle.connect_operator(operator=ivan, dialog_id=message.dialog_id)
        return message.dialog_id

    dialog_id = await database_sync_to_async(dialog_with_ivan)()
    await sockets.frames(ivan_console, 3)  # rows of the new dialog, its system message
    await sockets.frames(emma_console, 3)

    # Ivan invites over his socket: his notice is Russian, Emma's invitation English.
    await ivan_console.send_json_to({"type": "invite", "dialog": dialog_id, "invitee": emma.id})
    notice = await ivan_console.receive_json_from()
    assert notice["type"] == "notice"
    assert notice["text"].startswith("Приглашение отправлено")
    invitation = await emma_console.receive_json_from()
    assert invitation["type"] == "invitation"
    assert "Иван invites you to dialog" in invitation["html"]

    # Emma declines (her page, English): Ivan hears it in Russian.
    await emma_console.send_json_to(
        {"type": "answer_invitation", "invitation": invitation["invitation"], "accept": False}
    )
    answer = await ivan_console.receive_json_from(timeout=3)
    assert answer["type"] == "notice"
    text = answer["text"]
    assert "отклонил" in text and "Emma" in text


def test_fragments_with_an_attachment_are_rendered_per_language(site):
    """An attachment's link title is translated: that fragment is built per language;
    without one there is nothing to translate and one string serves every console."""

    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
    message, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="v1", text="x"
    )
    assert isinstance(payloads.message_html_variants(message), str)
    message = Message.objects.get(pk=message.pk)
    Message.attachment.related.set_cached_value(
        message,
        Attachment(id=1, message=message, name="cat.png", size=10, content_type="image/png"),
    )
    variants = payloads.message_html_variants(message)
    assert "· 10 B<" in variants["en"]
    assert "· 10 Б<" in variants["ru"]


def test_the_socket_language_prefers_the_profile_then_the_browser():
    def scope(accept):
        return {"headers": [(b"accept-language", accept.encode())]} if accept else {}

    assert payloads.socket_language("ru", scope("en-US,en")) == "ru"
    assert payloads.socket_language("", scope("ru-RU,ru;q=0.9")) == "ru"
    assert payloads.socket_language("", scope("de-DE,de;q=0.9,ru;q=0.5")) == "ru"
    assert payloads.socket_language("", scope("de-DE")) == django_settings.LANGUAGE_CODE
    assert payloads.socket_language("", scope("")) == django_settings.LANGUAGE_CODE
    assert payloads.pick({"en": "new", "ru": "новый"}, "ru") == "новый"
    assert payloads.pick("same", "ru") == "same"


# --- the visitor's side follows the widget's language -------------------------------------


async def test_the_widget_hello_names_the_visitor_in_the_widgets_language(sockets, make_site):
    russian_site = await database_sync_to_async(make_site)(name="ru.example", language="ru")
    widget, hello = await sockets.visitor(russian_site)
    visitor = await database_sync_to_async(Visitor.objects.get)(site=russian_site)
    assert hello["visitor"]["nickname"] == nickname_in("ru", visitor)

    browser_site = await database_sync_to_async(make_site)(name="any.example", language="")
    communicator = sockets.communicator(
        f"/ws/visitor/{browser_site.widget_key}/",
        headers=[(b"origin", allowed_origin()), (b"accept-language", b"ru,en;q=0.5")],
    )
    connected, _code = await communicator.connect()
    assert connected
    hello = await communicator.receive_json_from(timeout=5)
    visitor = await database_sync_to_async(Visitor.objects.get)(site=browser_site)
    assert hello["visitor"]["nickname"] == nickname_in("ru", visitor)


def test_system_lines_are_written_in_the_widgets_language(make_site, make_operator):
    """A Russian operator joins a dialog on an English widget: the visitor reads English."""
    english_site = make_site(name="en.example", language="en")
    ivan = make_operator(display_name="Ivan", sites=[english_site], language="ru")
    session = sessions.start_visitor_session(site=english_site, token=None, ip=None, user_agent="")
    message, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="v1", text="Hi"
    )
    client = Client()
    client.force_login(ivan.user)
    with translation.override("en"):  # the view activates Russian in this thread: undo it
        page = client.post(f"/console/dialogs/{message.dialog_id}/connect/", follow=True)
    assert "Переписка" in page.content.decode()  # his console speaks Russian

    system = Message.objects.filter(dialog_id=message.dialog_id, author_kind="system").get()
    assert system.text == "Ivan joined the dialog"


def test_invitation_texts_are_built_per_language(site, make_operator):
    ivan = make_operator(display_name="Ivan", sites=[site], language="ru")
    emma = make_operator(display_name="Emma", sites=[site], language="en")
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
    message, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="v1", text="Hi"
    )
    lifecycle.connect_operator(operator=ivan, dialog_id=message.dialog_id)
    presence.console_socket_opened(operator_id=emma.id)
    invitation = invitations.invite_operator(
        operator=ivan, dialog_id=message.dialog_id, invitee_id=emma.id
    )
    html = payloads.per_language(payloads.invitation_html, invitation)
    assert set(html) == {code for code, _name in django_settings.LANGUAGES}
    assert "invites you" in html["en"] and "invites you" not in html["ru"]


async def test_a_lead_and_the_visitors_contacts_come_in_each_operators_language(
    sockets, site, ivan, emma
):
    """A visitor leaves only his e-mail: the lead row says "(no name)" and the open
    dialog's header keeps his nickname, each in the console's language."""
    widget, hello = await sockets.visitor(site)
    await widget.send_json_to({"type": "message", "client_id": "v-1", "text": "Hi"})
    dialog_id = (await sockets.expect(widget, "ack", "message"))["ack"][0]["dialog"]
    ivan_console, _ = await sockets.operator(ivan)
    emma_console, _ = await sockets.operator(emma)
    for console in (ivan_console, emma_console):
        await console.send_json_to({"type": "watch", "dialog": dialog_id})
        assert (await console.receive_json_from())["type"] == "watching"
    visitor = await database_sync_to_async(Visitor.objects.get)(site=site)

    def introduce():
        return Client().post(
            f"/widget/{site.widget_key}/introduce/",
            data={"email": "ivan@example.com"},
            content_type="application/json",
            headers={"X-Visitor-Token": hello["visitor"]["token"]},
        )

    assert (await database_sync_to_async(introduce)()).status_code == 200
    ivan_frames = await frames_by_type(ivan_console, 4)
    emma_frames = await frames_by_type(emma_console, 4)
    assert set(ivan_frames) == set(emma_frames) == {"message", "row", "visitor", "lead"}
    assert ivan_frames["visitor"]["name"] == nickname_in("ru", visitor)
    assert emma_frames["visitor"]["name"] == nickname_in("en", visitor)
    assert "(без имени)" in ivan_frames["lead"]["html"]
    assert "(no name)" in emma_frames["lead"]["html"]


async def test_a_refusal_built_by_a_frame_handler_comes_in_each_operators_language(
    sockets, site, ivan, emma
):
    """A frame is handled in its socket's language (FrameConsumer.receive): the refusal
    a service raises while handling it reaches Ivan in Russian and Emma in English."""

    def waiting_dialog():
        session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
        message, _ = posting.post_visitor_message(
            visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="v1", text="Hi"
        )
        return message.dialog_id

    dialog_id = await database_sync_to_async(waiting_dialog)()
    ivan_console, _ = await sockets.operator(ivan)
    emma_console, _ = await sockets.operator(emma)

    # Neither has connected to the dialog: each is told to, in his own language.
    refusals = {}
    for name, console, invitee in (("ivan", ivan_console, emma), ("emma", emma_console, ivan)):
        await console.send_json_to(
            {"type": "invite", "dialog": dialog_id, "invitee": invitee.id, "client_id": "i1"}
        )
        refusals[name] = await sockets.expect(console, "error", timeout=5)
    assert refusals["ivan"]["error"] == [
        {
            "type": "error",
            "code": "not_connected",
            "detail": "Подключитесь к диалогу, прежде чем приглашать.",
            "client_id": "i1",
        }
    ]
    assert refusals["emma"]["error"] == [
        {
            "type": "error",
            "code": "not_connected",
            "detail": "Connect to the dialog before inviting.",
            "client_id": "i1",
        }
    ]
