"""4. A conversation through the containers in the project's socket protocol."""

import asyncio
import json
import time
import urllib.error
import urllib.request
import uuid

from websockets.asyncio.client import connect

from image_checks.common import (
    Failure,
    figures,
)

# --- 4. the conversation -----------------------------------------------------------------


async def next_frame(ws, kind: str, match=lambda frame: True, timeout: float = 30) -> dict:
    async def read():
        async for raw in ws:
            frame = json.loads(raw)
            if frame.get("type") == kind and match(frame):
                return frame
        raise Failure(f"socket closed ({ws.close_code}) before a {kind} frame")

    try:
        return await asyncio.wait_for(read(), timeout)
    except TimeoutError:
        raise Failure(f"no {kind} frame within {timeout} s") from None


def api_post(port: int, path: str, token: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        method="POST",
        data=b"",
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


async def conversation(visitor_port: int, operator_port: int, data: dict) -> None:
    """A visitor on one web container, the operator on the other: they share only
    PostgreSQL and Redis."""
    visitor_url = f"ws://127.0.0.1:{visitor_port}/ws/visitor/{data['widget_key']}/"
    origin = f"http://127.0.0.1:{visitor_port}"
    console_url = f"ws://127.0.0.1:{operator_port}/ws/console/"
    auth = {"Authorization": f"Bearer {data['token']}"}
    async with (
        connect(console_url, additional_headers=auth, open_timeout=10) as console,
        connect(visitor_url, origin=origin, open_timeout=10) as visitor,
    ):
        await next_frame(console, "hello")
        await next_frame(visitor, "hello")

        first = uuid.uuid4().hex
        await visitor.send(json.dumps({"type": "message", "client_id": first, "text": "Hi?"}))
        ack = await next_frame(visitor, "ack", lambda f: f.get("client_id") == first)
        row = await next_frame(console, "row")  # the new dialog reaches the console live
        dialog = row["dialog"]
        api_post(operator_port, f"/api/v1/dialogs/{dialog}/connect/", data["token"])
        await console.send(json.dumps({"type": "watch", "dialog": dialog}))
        await next_frame(console, "watching")
        await console.send(json.dumps({"type": "resume", "dialog": dialog, "after": 0}))
        seen = await next_frame(console, "message", lambda f: f["message"]["id"] == ack["id"])
        if seen["message"]["text"] != "Hi?":
            raise Failure(f"the operator got {seen['message']['text']!r}")

        # Timed: the visitor writes, the operator receives it live and answers, the
        # visitor receives the answer.
        question = "Do you ship to Lisbon?"
        second = uuid.uuid4().hex
        sent_at = time.perf_counter()
        await visitor.send(json.dumps({"type": "message", "client_id": second, "text": question}))
        got = await next_frame(console, "message", lambda f: f["message"]["text"] == question)
        received_at = time.perf_counter()
        answer = {"type": "message", "dialog": dialog, "client_id": uuid.uuid4().hex}
        answer["text"] = "Yes, in two days."
        await console.send(json.dumps(answer))
        await next_frame(
            visitor,
            "message",
            lambda f: (
                f["message"]["text"] == answer["text"] and f["message"].get("client_id") != second
            ),
        )
        answered_at = time.perf_counter()
        if got["message"]["dialog"] != dialog:
            raise Failure("the visitor's message reached the operator in another dialog")
    figures["visitor -> operator"] = f"{(received_at - sent_at) * 1000:.0f} ms"
    figures["round trip (visitor -> operator -> visitor)"] = (
        f"{(answered_at - sent_at) * 1000:.0f} ms"
    )
