"""engage's fixtures: invitation rules of a site and Alice allowed to manage its settings;
a presence store of each test's own (the process's in-memory one, or keys under a prefix
of its own on the shared Redis) and online visitors."""

import time
import uuid

import pytest
from django.utils import timezone

from chat.models import Visit, Visitor
from engage import presence_store
from engage.rule_models import InvitationRule

UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0"


@pytest.fixture
def alice_manages_settings(alice):
    """Alice (tests/conftest.py) allowed to manage her sites' settings."""
    alice.can_manage_site_settings = True
    alice.save(update_fields=["can_manage_site_settings"])
    return alice


@pytest.fixture
def make_rule(db):
    """make_rule(site, **fields): a rule, shown on any page by default."""

    def make(site, **fields):
        fields.setdefault("name", "Hello")
        fields.setdefault("text", "Hello from {site_name}!")
        return InvitationRule.objects.create(site=site, **fields)

    return make


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
