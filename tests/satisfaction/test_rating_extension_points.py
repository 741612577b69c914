"""chat's extension points that satisfaction fills: a visitor frame type and a History
column, registered in SatisfactionConfig.ready without chat importing satisfaction."""

import pathlib

import pytest

from chat.console import history_columns
from chat.realtime import extensions
from satisfaction import services

CHAT = pathlib.Path(__file__).resolve().parents[2] / "chat"


def test_the_rate_frame_and_the_rating_column_are_registered():
    assert extensions.visitor_frame_service("rate") is services.rate_from_frame
    assert "rating" in [c.name for c in history_columns.columns()]  # (tags adds "tag")


def test_a_frame_type_cannot_be_taken_twice():
    extensions.register_visitor_frame("rate", services.rate_from_frame)  # the same: fine
    with pytest.raises(ValueError):
        extensions.register_visitor_frame("rate", lambda frame, **ids: None)


def test_chat_never_imports_satisfaction():
    offenders = [
        str(path.relative_to(CHAT))
        for path in CHAT.rglob("*.py")
        if "satisfaction" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
