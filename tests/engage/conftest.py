"""Fixtures of the Visitors tests: a presence store of each test's own (the process's
in-memory one, or keys under a prefix of its own on the shared Redis), online visitors."""

import time
import uuid

import pytest
from django.utils import timezone

from chat.models import Visit, Visitor
from engage import presence_store


@pytest.fixture(autouse=True)
def own_presence_store(settings):
    settings.ENGAGE_PRESENCE_PREFIX = f"test{uuid.uuid4().hex[:12]}"
    presence_store.reset_store()
    yield presence_store.store()
    presence_store.reset_store()


@pytest.fixture
def put_online(own_presence_store):
    """put_online(site, url=..., title=..., **visit fields) -> visitor: a visitor with a
    visit, his widget socket open on the page (as the hooks would record it)."""

    def put(site, *, url="https://shop.example/", title="Home", name="", visits=1, **fields):
        visitor = Visitor.objects.create(
            site=site, animal="blue-fox", name=name, visits_count=visits
        )
        visit = Visit.objects.create(
            visitor=visitor,
            current_url=url,
            current_title=title,
            started_at=timezone.now(),
            **fields,
        )
        socket = f"socket-{visitor.id}"
        own_presence_store.socket_opened(
            site.id, visitor.id, socket, visit_id=visit.id, since=time.time(), language="ru-RU"
        )
        own_presence_store.page_changed(
            site.id, visitor.id, socket, visit_id=visit.id, url=url, title=title
        )
        return visitor

    return put
