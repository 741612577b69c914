"""Tabs Mine / Others / Missed: who sees what, counts, and fixed query counts."""

import itertools
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from chat.console import selectors
from chat.dialogs import lifecycle
from chat.messaging import posting
from chat.models import Dialog, Participant, Visitor
from chat.visitors import sessions

pytestmark = pytest.mark.django_db
_tokens = itertools.count()


@pytest.fixture
def reader(make_operator, site):
    """May see colleagues' dialogs."""
    return make_operator(username="reader", sites=[site], can_see_others=True)


def client_of(operator):
    client = Client()
    client.force_login(operator.user)
    return client


def make_dialogs(site, count, *, status, operator=None):
    visitors = Visitor.objects.bulk_create(
        Visitor(site=site, animal="blue-fox", token=f"t-{next(_tokens)}") for _ in range(count)
    )
    start = site.account.last_dialog_number
    dialogs = Dialog.objects.bulk_create(
        Dialog(
            account=site.account,
            site=site,
            visitor=visitor,
            number=start + i + 1,
            status=status,
            last_message_text=f"question {i}",
        )
        for i, visitor in enumerate(visitors)
    )
    site.account.last_dialog_number = start + count
    site.account.save()
    if operator:
        Participant.objects.bulk_create(Participant(dialog=d, operator=operator) for d in dialogs)
    return dialogs


def counts_in(html):
    return dict(re.findall(r'data-count="(\w+)">(\d+)<', html))


def test_others_tab_needs_the_flag(site, alice, reader):
    make_dialogs(site, 2, status="active", operator=alice)
    page = client_of(alice).get("/console/")
    assert 'href="/console/others/"' not in page.content.decode()
    assert client_of(alice).get("/console/others/").status_code == 403

    page = client_of(reader).get("/console/others/")
    assert page.status_code == 200
    assert len(page.context["rows"]) == 2
    assert counts_in(page.content.decode())["others"] == "2"


def test_each_tab_lists_its_dialogs_and_the_counts_add_up(site, alice, reader, make_site):
    make_dialogs(site, 3, status="new")
    make_dialogs(site, 2, status="active", operator=alice)
    make_dialogs(site, 4, status="missed")
    make_dialogs(site, 5, status="closed")
    make_dialogs(make_site(), 6, status="new")  # another account's site

    html = client_of(reader).get("/console/").content.decode()
    assert counts_in(html) == {"mine": "3", "others": "2", "missed": "4"}
    html = client_of(alice).get("/console/").content.decode()
    assert counts_in(html) == {"mine": "5", "missed": "4"}
    missed = client_of(alice).get("/console/missed/")
    assert {d.status for d in missed.context["rows"]} == {"missed"}
    assert len(missed.context["rows"]) == 4


@pytest.mark.parametrize("tab", ["mine", "others", "missed"])
def test_tab_pages_have_a_fixed_number_of_queries(
    site, alice, reader, tab, django_assert_num_queries
):
    url = {"mine": "/console/", "others": "/console/others/", "missed": "/console/missed/"}[tab]
    status = {"mine": "new", "others": "active", "missed": "missed"}[tab]
    client = client_of(reader)
    make_dialogs(site, 3, status=status, operator=alice if status == "active" else None)
    client.get(url)  # warm the session
    # session, user, operator, the rows, their tags (tags app: one prefetch), the tab counts
    with django_assert_num_queries(6):
        client.get(url)
    make_dialogs(site, 60, status=status, operator=alice if status == "active" else None)
    with django_assert_num_queries(6):
        response = client.get(url)
    assert len(response.context["rows"]) == min(63, settings.CHAT_CONSOLE_PAGE_SIZE)
    assert response.context["has_more"] == (settings.CHAT_CONSOLE_PAGE_SIZE < 63)


def test_tab_of_follows_status_and_participation(alice, reader):
    assert selectors.tab_of(alice, status="new", is_mine=False) == "mine"
    assert selectors.tab_of(alice, status="active", is_mine=True) == "mine"
    assert selectors.tab_of(alice, status="active", is_mine=False) is None
    assert selectors.tab_of(reader, status="active", is_mine=False) == "others"
    assert selectors.tab_of(alice, status="missed", is_mine=False) == "missed"
    assert selectors.tab_of(alice, status="closed", is_mine=True) is None


def test_leaving_alone_puts_the_dialog_back_to_new(site, alice, reader):
    (dialog,) = make_dialogs(site, 1, status="new")
    lifecycle.connect_operator(operator=alice, dialog_id=dialog.id)
    lifecycle.leave_dialog(operator=alice, dialog_id=dialog.id)
    dialog.refresh_from_db()
    assert dialog.status == "new"
    assert dialog.messages.last().text == "Alice left the dialog"
    assert selectors.tab_members(reader)["mine"] == [dialog.id]


def test_leaving_with_a_colleague_left_keeps_it_active(site, alice, make_operator):
    both = make_operator(sites=[site], can_see_others=True, can_join_others=True)
    (dialog,) = make_dialogs(site, 1, status="new")
    lifecycle.connect_operator(operator=alice, dialog_id=dialog.id)
    lifecycle.connect_operator(operator=both, dialog_id=dialog.id)
    lifecycle.leave_dialog(operator=alice, dialog_id=dialog.id)
    dialog.refresh_from_db()
    assert dialog.status == "active"
    assert [op.id for op in selectors.active_operators(dialog.id)] == [both.id]


def test_leave_button_from_the_console(site, alice):
    (dialog,) = make_dialogs(site, 1, status="new")
    client = client_of(alice)
    client.post(f"/console/dialogs/{dialog.id}/connect/")
    assert "leave-dialog" in client.get(f"/console/dialogs/{dialog.id}/").content.decode()
    response = client.post(f"/console/dialogs/{dialog.id}/leave/")
    assert response.status_code == 302
    page = client.get(f"/console/dialogs/{dialog.id}/").content.decode()
    assert 'id="connect-dialog"' in page


def test_leaving_a_dialog_i_am_not_in_is_refused(site, alice, make_operator):
    stranger = make_operator()
    (dialog,) = make_dialogs(site, 1, status="new")
    assert client_of(stranger).post(f"/console/dialogs/{dialog.id}/leave/").status_code == 403


def test_missed_dialog_can_still_be_answered(site, alice):
    (dialog,) = make_dialogs(site, 1, status="missed")
    lifecycle.connect_operator(operator=alice, dialog_id=dialog.id)
    posting.post_operator_message(operator=alice, dialog_id=dialog.id, client_id="a", text="Hi")
    dialog.refresh_from_db()
    assert dialog.status == "active"
    assert dialog.messages.last().text == "Hi"


def test_waiting_time_is_shown_on_rows_of_unanswered_dialogs(site, alice):
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
    posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="v1", text="Hello?"
    )
    dialog = Dialog.objects.get()
    dialog.waiting_since = timezone.now() - timedelta(minutes=4)
    dialog.save()
    html = client_of(alice).get("/console/").content.decode()
    assert f'data-waiting="{int(dialog.waiting_since.timestamp())}"' in html
    lifecycle.connect_operator(operator=alice, dialog_id=dialog.id)
    posting.post_operator_message(operator=alice, dialog_id=dialog.id, client_id="a", text="Hi")
    dialog.refresh_from_db()
    assert dialog.waiting_since is None
    assert not re.search(r'data-waiting="\d+"', client_of(alice).get("/console/").content.decode())
