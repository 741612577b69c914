"""Fixtures of the leads tests: a cache of their own and a visitor on a site."""

import copy
import uuid

import pytest

from chat.models import Visitor


@pytest.fixture(autouse=True)
def own_cache(settings):
    """Rate-limit counters apart from other tests and other runs sharing the Redis server
    (a key prefix of this test's own; clearing a shared Redis is not ours to do)."""
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"test{uuid.uuid4().hex[:12]}"
    settings.CACHES = caches  # the setting_changed signal drops the cached connections


@pytest.fixture
def visitor(site):
    return Visitor.objects.create(site=site, animal="blue-fox")


def _post_form(client, site, visitor, kind="lead", token=None, ip="127.0.0.1", **data):
    return client.post(
        f"/widget/{site.widget_key}/{kind}/",
        data=data,
        content_type="application/json",
        headers={"X-Visitor-Token": visitor.token if token is None else token},
        REMOTE_ADDR=ip,
    )


@pytest.fixture
def post_form():
    """post_form(client, site, visitor, kind="lead"|"introduce", token=None, ip=..., **fields):
    a widget form POSTed as widget-leads.js does (JSON, the token in a header)."""
    return _post_form
