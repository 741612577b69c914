"""Rating over the widget socket (docs/protocol.md, Rating): a `rate` frame answered with
`rated`, every refusal an `error` frame naming the frame with nothing changed, and the
rating live in the header of the consoles that have the dialog open."""

import datetime

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone

from satisfaction.models import Rating, RatingSettings

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def ratings():
    return list(Rating.objects.order_by("id").values())


async def visitor_of(sockets, dialog):
    socket, _hello = await sockets.visitor(dialog.site.widget_key, token=dialog.visitor.token)
    return socket


@pytest.fixture
def ended(make_dialog, site):
    return make_dialog(site)


async def test_the_visitor_rates_then_changes_and_the_watching_console_sees_it_live(
    sockets, ended, alice
):
    console, _ = await sockets.operator(alice)
    await console.send_json_to({"type": "watch", "dialog": ended.id})
    assert (await console.receive_json_from())["type"] == "watching"
    widget = await visitor_of(sockets, ended)

    await widget.send_json_to(
        {"type": "rate", "dialog": ended.id, "score": 4, "comment": "<b>ok</b>"}
    )
    rated = await widget.receive_json_from()
    assert {k: rated[k] for k in ("type", "dialog", "scale", "score", "comment")} == {
        "type": "rated",
        "dialog": ended.id,
        "scale": "stars",
        "score": 4,
        "comment": "<b>ok</b>",
    }
    until = datetime.datetime.fromisoformat(rated["changeable_until"])
    assert until - timezone.now() > datetime.timedelta(minutes=9)

    frame = await console.receive_json_from(timeout=2)
    assert (frame["type"], frame["dialog"], frame["score"]) == ("rating", ended.id, 4)
    assert 'id="dialog-rating"' in frame["html"] and 'id="card-rating"' in frame["html"]
    assert "Rated 4 of 5" in frame["html"]
    assert "&lt;b&gt;ok&lt;/b&gt;" in frame["html"] and "<b>ok" not in frame["html"]

    await widget.send_json_to({"type": "rate", "dialog": ended.id, "score": 2, "comment": ""})
    assert (await widget.receive_json_from())["score"] == 2
    frame = await console.receive_json_from(timeout=2)
    assert "Rated 2 of 5" in frame["html"] and "rating-bad" in frame["html"]
    assert [(r["score"], r["comment"]) for r in await ratings()] == [(2, "")]


async def test_the_live_rating_is_in_each_consoles_language(sockets, ended, make_operator, site):
    ivan = await database_sync_to_async(make_operator)(username="ivan", sites=[site], language="ru")
    console, _ = await sockets.operator(ivan)
    await console.send_json_to({"type": "watch", "dialog": ended.id})
    assert (await console.receive_json_from())["type"] == "watching"
    widget = await visitor_of(sockets, ended)
    await widget.send_json_to({"type": "rate", "dialog": ended.id, "score": 5})
    await widget.receive_json_from()
    assert "Оценка 5 из 5" in (await console.receive_json_from(timeout=2))["html"]


async def test_consoles_not_watching_the_dialog_hear_nothing(
    sockets, ended, alice, make_dialog, site
):
    other = await database_sync_to_async(make_dialog)(site)
    console, _ = await sockets.operator(alice)
    await console.send_json_to({"type": "watch", "dialog": other.id})
    assert (await console.receive_json_from())["type"] == "watching"
    widget = await visitor_of(sockets, ended)
    await widget.send_json_to({"type": "rate", "dialog": ended.id, "score": 5})
    assert (await widget.receive_json_from())["type"] == "rated"
    await sockets.silent(console)


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"score": 0}, "bad_score"),
        ({"score": 6}, "bad_score"),
        ({"score": "5"}, "invalid"),
        ({"score": [5]}, "invalid"),
        ({"dialog": "x"}, "invalid"),
        ({"dialog": None}, "invalid"),
        ({"comment": {"a": 1}}, "invalid"),
        ({"comment": "x" * 1001}, "too_long"),
        ({"dialog": 10**9}, "not_found"),
    ],
)
async def test_bad_rate_frames_get_an_error_frame_and_change_nothing(sockets, ended, fields, code):
    widget = await visitor_of(sockets, ended)
    frame = {"type": "rate", "dialog": ended.id, "score": 5, **fields}
    await widget.send_json_to(frame)
    error = await widget.receive_json_from()
    assert (error["type"], error["code"], error["frame"]) == ("error", code, "rate")
    assert await ratings() == []
    # The socket stays usable.
    await widget.send_json_to({"type": "rate", "dialog": ended.id, "score": 5})
    assert (await widget.receive_json_from())["type"] == "rated"


async def test_another_visitors_dialog_is_refused(sockets, ended, make_dialog, site, alice):
    stranger = await database_sync_to_async(make_dialog)(site)
    console, _ = await sockets.operator(alice)
    await console.send_json_to({"type": "watch", "dialog": ended.id})
    assert (await console.receive_json_from())["type"] == "watching"
    widget = await visitor_of(sockets, stranger)
    await widget.send_json_to({"type": "rate", "dialog": ended.id, "score": 1, "comment": "bad"})
    error = await widget.receive_json_from()
    assert (error["code"], error["frame"]) == ("not_found", "rate")
    assert await ratings() == []
    await sockets.silent(console)


async def test_a_dialog_not_ended_is_refused(sockets, make_dialog, site):
    open_dialog = await database_sync_to_async(make_dialog)(site, ended=False)
    widget = await visitor_of(sockets, open_dialog)
    await widget.send_json_to({"type": "rate", "dialog": open_dialog.id, "score": 5})
    assert (await widget.receive_json_from())["code"] == "not_ended"
    assert await ratings() == []


async def test_a_change_after_the_window_is_refused(sockets, ended):
    widget = await visitor_of(sockets, ended)
    await widget.send_json_to({"type": "rate", "dialog": ended.id, "score": 5, "comment": "great"})
    assert (await widget.receive_json_from())["type"] == "rated"
    await database_sync_to_async(Rating.objects.update)(
        changeable_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    before = await ratings()
    await widget.send_json_to({"type": "rate", "dialog": ended.id, "score": 1})
    error = await widget.receive_json_from()
    assert (error["code"], error["frame"]) == ("rating_final", "rate")
    assert await ratings() == before


async def test_thumbs_and_off(sockets, ended, site):
    await database_sync_to_async(RatingSettings.objects.create)(site=site, scale="thumbs")
    widget = await visitor_of(sockets, ended)
    await widget.send_json_to({"type": "rate", "dialog": ended.id, "score": 3})
    assert (await widget.receive_json_from())["code"] == "bad_score"
    await widget.send_json_to({"type": "rate", "dialog": ended.id, "score": 1})
    rated = await widget.receive_json_from()
    assert (rated["scale"], rated["score"]) == ("thumbs", 1)
    await database_sync_to_async(RatingSettings.objects.filter(site=site).update)(scale="off")
    await widget.send_json_to({"type": "rate", "dialog": ended.id, "score": 5})
    assert (await widget.receive_json_from())["code"] == "rating_off"


async def test_an_unknown_frame_type_is_still_unknown(sockets, ended):
    widget = await visitor_of(sockets, ended)
    await widget.send_json_to({"type": "rate-it", "dialog": ended.id, "score": 5})
    error = await widget.receive_json_from()
    assert error["code"] == "unknown_type" and "frame" not in error
