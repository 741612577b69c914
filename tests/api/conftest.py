import pytest
from rest_framework.test import APIClient

from api import tokens
from chat.messaging import posting
from chat.visitors import sessions


def client_for(operator, *, name="test app"):
    """An API client sending a fresh token of the operator (and the raw token)."""
    _token, raw = tokens.create_token(operator=operator, name=name)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    api.raw_token = raw
    return api


@pytest.fixture
def make_api_client(db):
    return client_for


@pytest.fixture
def api(alice):
    return client_for(alice)


@pytest.fixture
def visitor_writes(db):
    """visitor_writes(site, text) -> the visitor's message (a new visitor, a new dialog)."""

    def write(site, text="Hello, is anyone there?", *, ip="203.0.113.9"):
        session = sessions.start_visitor_session(site=site, token=None, ip=ip, user_agent="Firefox")
        message, _created = posting.post_visitor_message(
            visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="v1", text=text
        )
        return message

    return write


@pytest.fixture(autouse=True)
def presence_forgotten():
    """Who is online (engage's presence store) does not leak from one test to the next."""
    from engage import presence_store

    yield
    presence_store.reset_store()
