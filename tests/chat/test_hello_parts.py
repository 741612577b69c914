"""Other apps' parts of hello (chat/realtime/extensions.py, register_hello_part): computed
when the widget's socket opens, for its site, session and language, and sent in hello."""

import pytest

from chat.realtime import extensions
from tests.conftest import allowed_origin

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def greeting_part():
    def part(*, site, session, language):
        return {"site": site.name, "visits": session.visitor.visits_count, "language": language}

    extensions.register_hello_part("test_greeting", part)
    yield part
    extensions._hello_parts.pop("test_greeting")


async def test_a_registered_part_reaches_the_widget_in_hello(sockets, site, greeting_part):
    widget = sockets.communicator(
        f"/ws/visitor/{site.widget_key}/",
        headers=[(b"origin", allowed_origin()), (b"accept-language", b"ru-RU,ru;q=0.9")],
    )
    assert (await widget.connect(timeout=5))[0]
    hello = await widget.receive_json_from(timeout=10)
    assert hello["type"] == "hello"
    expected_language = site.language or "ru"
    assert hello["test_greeting"] == {"site": site.name, "visits": 1, "language": expected_language}
    await widget.disconnect()


def test_a_key_cannot_be_taken_twice(greeting_part):
    extensions.register_hello_part("test_greeting", greeting_part)  # the same: fine
    with pytest.raises(ValueError):
        extensions.register_hello_part("test_greeting", lambda **kwargs: None)
