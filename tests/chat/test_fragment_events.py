"""A higher app's live fragment (chat.realtime.events.fragment_event): each console socket sends it
as a frame of the app's own type, its fields as they are, the HTML in its own language
(OperatorConsumer.chat_fragment)."""

import pytest
from channels.db import database_sync_to_async

from chat.realtime import events

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ivan(make_operator, site):
    return make_operator(username="ivan", sites=[site], language="ru")


@pytest.fixture
def emma(make_operator, site):
    return make_operator(username="emma", sites=[site], language="en")


async def test_a_fragment_reaches_each_console_as_its_frame_in_its_language(
    sockets, site, ivan, emma
):
    ivan_console, _ = await sockets.operator(ivan)
    emma_console, _ = await sockets.operator(emma)
    html = {"en": "<li>New</li>", "ru": "<li>Новая</li>"}
    event = events.fragment_event("note", html, note=7, site=site.id, tags=["a", "b"])

    await database_sync_to_async(events.publish_on_commit)((events.site_group(site.id), event))

    expected = {"type": "note", "note": 7, "site": site.id, "tags": ["a", "b"]}
    assert await ivan_console.receive_json_from() == {**expected, "html": "<li>Новая</li>"}
    assert await emma_console.receive_json_from() == {**expected, "html": "<li>New</li>"}


def test_a_fragment_event_is_a_chat_event_carrying_its_frame_type():
    event = events.fragment_event("export", {"en": "x"}, dialog=3)
    assert event == {"type": "chat.fragment", "frame": "export", "html": {"en": "x"}, "dialog": 3}
