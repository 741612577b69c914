"""Addresses a visitor's browser reports (page, landing page, referrer) become links in the
console only when they are http(s): a javascript: or data: URL never reaches an href."""

import pytest
from django.test import Client

from chat.errors import ChatError
from chat.messaging import posting
from chat.models import Visit
from chat.visitors import sessions

pytestmark = pytest.mark.django_db

HOSTILE = ["javascript:window.__xss=1", " JavaScript:window.__xss=1", "data:text/html,<b>x</b>"]


@pytest.fixture
def alice(make_operator, make_site):
    return make_operator(username="alice", sites=[make_site()])


@pytest.fixture
def session(alice):
    site = alice.sites.get()
    session = sessions.start_visitor_session(site=site, token=None, ip="10.0.0.7", user_agent="")
    posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="c-1", text="Hi"
    )
    return session


@pytest.mark.parametrize("url", HOSTILE)
def test_a_script_url_is_refused_as_the_current_page(session, url):
    with pytest.raises(ChatError) as refused:
        sessions.record_page(visit_id=session.visit.id, url=url, title="Home")
    assert refused.value.code == "invalid"
    assert Visit.objects.get(pk=session.visit.id).current_url == ""


@pytest.mark.parametrize("url", HOSTILE)
def test_a_script_url_as_referrer_is_dropped_and_no_href_has_it(session, alice, url):
    sessions.record_page(
        visit_id=session.visit.id, url="https://shop.example/", title="Home", referrer=url
    )
    assert Visit.objects.get(pk=session.visit.id).referrer == ""
    client = Client()
    client.force_login(alice.user)
    dialog = session.visitor.dialogs.get()
    html = client.get(f"/console/dialogs/{dialog.id}/").content.decode().lower()
    assert 'href="javascript:' not in html
    assert 'href=" javascript:' not in html
    assert 'href="data:' not in html
