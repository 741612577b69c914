"""The frame limit counts bytes on the wire, not characters: raw UTF-8 text of fewer
characters than the limit but more bytes is refused as too large, before it is parsed."""

import json

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db(transaction=True)

EMOJI = "\U0001f600"  # one character, four bytes in UTF-8


async def test_raw_utf8_over_the_byte_limit_is_too_large(sockets, site):
    widget, hello = await sockets.visitor(site)
    limit = hello["limits"]["frame_max_bytes"]
    count = limit // 4 + 100
    frame = json.dumps(
        {"type": "message", "client_id": "c-1", "text": EMOJI * count}, ensure_ascii=False
    )
    assert len(frame) < limit < len(frame.encode())

    await widget.send_to(text_data=frame)

    error = await widget.receive_json_from(timeout=5)
    assert (error["type"], error["code"]) == ("error", "too_large")
    assert str(settings.CHAT_FRAME_MAX_BYTES) in error["detail"]
