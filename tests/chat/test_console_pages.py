"""Console pages: what the Mine tab lists, the dialog page, access, and query counts."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from chat.dialogs import lifecycle
from chat.messaging import posting
from chat.models import Dialog, Message, Participant, Visitor
from chat.visitors import sessions

pytestmark = pytest.mark.django_db

# Queries per page, whatever the number of rows and messages.
# Mine: session, user, operator, rows (with site and visitor), their tags (tags app: one
# prefetch), ids in each tab (counts).
MINE_QUERIES = 6
# Dialog: session, user, operator, the dialog, its operators, my site ids, the transcript
# (with authors), the rows of the list beside it, the visitor's rating (satisfaction_tags,
# shared by the header and the visitor card), the rows' tags (one prefetch) and the header's
# tag control (the account's tags, each marked on the dialog or not).
DIALOG_QUERIES = 11
# The visitor card (chat/visitors/card.py): the visitor's latest visit, every operator's stay.
DIALOG_QUERIES += 2
# Block visitor (chat/visitors/blocking.py): the account's blocked IPs with the visitor's
# current IP.
DIALOG_QUERIES += 1
# The ids in each tab (live counts) and the online colleagues one may invite.
DIALOG_QUERIES += 2
# The CRM export panel (crm_tags.dialog_exports): the dialog's exports with integrations.
DIALOG_QUERIES += 1
# Canned replies for the composer (replies_tags.composer_replies): the account's replies.
DIALOG_QUERIES += 1
# Teamwork: the notes I may read (chat/console/transcript_items.py; their mentions come
# with one more query when there are notes), the colleagues of Transfer dialog.
DIALOG_QUERIES += 2
# (Routing's capacity check for those colleagues asks whether the site auto-assigns:
# cached per site since the dialog's first message, so no query.)
# Messengers: the visitor's messenger contact (none for a widget visitor), read once for
# the transcript's delivery states, the header's and the card's channel lines.
DIALOG_QUERIES += 1


def make_dialogs(site, count, *, status=Dialog.Status.NEW, start=1):
    """`count` dialogs of the site, each with its own visitor, in a few queries."""
    now = timezone.now()
    visitors = Visitor.objects.bulk_create(
        Visitor(site=site, animal="blue-fox", name=f"Visitor {start + i}") for i in range(count)
    )
    return Dialog.objects.bulk_create(
        Dialog(
            account=site.account,
            site=site,
            visitor=visitor,
            number=start + i,
            status=status,
            last_message_at=now - timezone.timedelta(seconds=i),
            last_message_text=f"Question {start + i}",
            last_message_author="visitor",
            unread_count=1,
        )
        for i, visitor in enumerate(visitors)
    )


def join(operator, dialogs):
    Participant.objects.bulk_create(Participant(dialog=d, operator=operator) for d in dialogs)
    Dialog.objects.filter(pk__in=[d.pk for d in dialogs]).update(status=Dialog.Status.ACTIVE)


def shown_ids(response):
    return [row.id for row in response.context["rows"]]


# --- Mine ------------------------------------------------------------------------------------


def test_mine_lists_new_dialogs_of_my_sites_and_dialogs_i_am_in(
    alice_client, alice, site, make_site, make_operator
):
    bob = make_operator(username="bob", sites=[site])
    other_site = make_site(account=site.account)
    (fresh,) = make_dialogs(site, 1, start=1)
    (mine,) = make_dialogs(site, 1, start=2)
    join(alice, [mine])
    (bobs,) = make_dialogs(site, 1, start=3)
    join(bob, [bobs])
    (missed,) = make_dialogs(site, 1, status=Dialog.Status.MISSED, start=4)
    (closed,) = make_dialogs(site, 1, status=Dialog.Status.CLOSED, start=5)
    (elsewhere,) = make_dialogs(other_site, 1, start=6)

    response = alice_client.get(reverse("console:mine"))
    assert response.status_code == 200
    assert sorted(shown_ids(response)) == sorted([fresh.id, mine.id])
    html = response.content.decode()
    for dialog in (fresh, mine):
        assert f'data-dialog="{dialog.id}"' in html
        assert f"Question {dialog.number}" in html
    for dialog in (bobs, missed, closed, elsewhere):
        assert f'data-dialog="{dialog.id}"' not in html


def test_mine_drops_a_dialog_once_it_is_closed(alice_client, alice, site):
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
    message, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="c", text="Hi"
    )
    assert shown_ids(alice_client.get(reverse("console:mine"))) == [message.dialog_id]
    lifecycle.connect_operator(operator=alice, dialog_id=message.dialog_id)
    assert shown_ids(alice_client.get(reverse("console:mine"))) == [message.dialog_id]
    lifecycle.end_dialog(operator=alice, dialog_id=message.dialog_id)
    assert shown_ids(alice_client.get(reverse("console:mine"))) == []


def test_mine_lists_newest_first(alice_client, site):
    dialogs = make_dialogs(site, 3)  # make_dialogs makes each older than the one before
    assert shown_ids(alice_client.get(reverse("console:mine"))) == [d.id for d in dialogs]


@pytest.mark.parametrize("size", [5, 200])
def test_mine_query_count_does_not_grow_with_rows(
    alice_client, alice, site, size, django_assert_num_queries
):
    new = make_dialogs(site, size // 2, start=1)
    active = make_dialogs(site, size - size // 2, start=1000)
    join(alice, active)
    with django_assert_num_queries(MINE_QUERIES):
        response = alice_client.get(reverse("console:mine"))
    assert response.status_code == 200
    page_size = settings.CHAT_CONSOLE_PAGE_SIZE
    assert len(response.context["rows"]) == min(len(new) + len(active), page_size)
    assert response.context["has_more"] == (size > page_size)


# --- the dialog page ------------------------------------------------------------------------


@pytest.mark.parametrize("size", [5, 200])
def test_dialog_page_query_count_does_not_grow_with_messages_or_rows(
    alice_client, alice, site, size, django_assert_num_queries
):
    dialogs = make_dialogs(site, size)
    join(alice, dialogs[:1])
    dialog = dialogs[0]
    now = timezone.now()
    Message.objects.bulk_create(
        Message(
            dialog=dialog,
            author_kind="operator" if i % 2 else "visitor",
            operator=alice if i % 2 else None,
            text=f"Line {i}",
            created_at=now,
        )
        for i in range(size)
    )
    with django_assert_num_queries(DIALOG_QUERIES):
        response = alice_client.get(reverse("console:dialog", args=[dialog.id]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="msg msg-') == size
    assert f"Line {size - 1}" in html
    assert len(response.context["rows"]) == min(size, settings.CHAT_CONSOLE_PAGE_SIZE)


def test_dialog_page_offers_connect_then_the_composer(alice_client, alice, site):
    (dialog,) = make_dialogs(site, 1)
    url = reverse("console:dialog", args=[dialog.id])
    page = alice_client.get(url).content.decode()
    assert 'id="connect-dialog"' in page
    assert 'id="composer"' not in page

    response = alice_client.post(reverse("console:connect", args=[dialog.id]))
    assert response.status_code == 302
    assert response.url == url
    page = alice_client.get(url).content.decode()
    assert 'id="composer"' in page
    assert "Alice joined the dialog" in page
    dialog.refresh_from_db()
    assert dialog.status == Dialog.Status.ACTIVE

    response = alice_client.post(reverse("console:end", args=[dialog.id]))
    assert response.status_code == 302
    dialog.refresh_from_db()
    assert dialog.status == Dialog.Status.CLOSED
    page = alice_client.get(url).content.decode()
    assert 'id="composer"' not in page


def test_connecting_to_a_closed_dialog_shows_an_error(alice_client, site):
    (dialog,) = make_dialogs(site, 1, status=Dialog.Status.CLOSED)
    response = alice_client.post(reverse("console:connect", args=[dialog.id]), follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["The dialog has ended."]
    assert not Participant.objects.exists()


# --- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["console:mine", "console:dialog"])
def test_console_needs_a_login(client, site, name):
    (dialog,) = make_dialogs(site, 1)
    url = reverse(name, args=[dialog.id] if name == "console:dialog" else [])
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


def test_console_refuses_a_user_who_is_not_an_operator(client, make_user):
    client.force_login(make_user())
    assert client.get(reverse("console:mine")).status_code == 403


def test_dialog_of_another_site_is_forbidden(client, site, make_site, make_operator):
    (dialog,) = make_dialogs(site, 1)
    outsiders = [
        make_operator(account=site.account, sites=[make_site(account=site.account)]),
        make_operator(sites=[make_site()]),  # another account
    ]
    for outsider in outsiders:
        client.force_login(outsider.user)
        assert client.get(reverse("console:dialog", args=[dialog.id])).status_code == 403
        assert client.post(reverse("console:connect", args=[dialog.id])).status_code == 403
        assert client.post(reverse("console:end", args=[dialog.id])).status_code == 403
    dialog.refresh_from_db()
    assert dialog.status == Dialog.Status.NEW
    assert not Participant.objects.exists()
    assert not Message.objects.exists()


def test_closed_dialog_of_another_site_is_forbidden_too(client, site, make_site, make_operator):
    (dialog,) = make_dialogs(site, 1, status=Dialog.Status.CLOSED)
    client.force_login(make_operator(sites=[make_site()]).user)
    assert client.get(reverse("console:dialog", args=[dialog.id])).status_code == 403
    assert client.post(reverse("console:connect", args=[dialog.id])).status_code == 403
    assert client.post(reverse("console:end", args=[dialog.id])).status_code == 403


def test_missing_dialog_is_not_found(alice_client):
    assert alice_client.get(reverse("console:dialog", args=[999999])).status_code == 404
    assert alice_client.post(reverse("console:connect", args=[999999])).status_code == 404
    assert alice_client.post(reverse("console:end", args=[999999])).status_code == 404


def test_colleagues_dialog_needs_can_see_others(client, alice, site, make_operator):
    (dialog,) = make_dialogs(site, 1)
    join(alice, [dialog])
    plain = make_operator(sites=[site])
    reader = make_operator(sites=[site], can_see_others=True)
    client.force_login(plain.user)
    assert client.get(reverse("console:dialog", args=[dialog.id])).status_code == 403
    assert client.post(reverse("console:connect", args=[dialog.id])).status_code == 403
    client.force_login(reader.user)
    page = client.get(reverse("console:dialog", args=[dialog.id]))
    assert page.status_code == 200
    assert 'id="connect-dialog"' not in page.content.decode()  # reading is not joining
    assert client.post(reverse("console:connect", args=[dialog.id])).status_code == 403
    assert list(Participant.objects.values_list("operator", flat=True)) == [alice.id]


def test_connect_and_end_need_post(alice_client, site):
    (dialog,) = make_dialogs(site, 1)
    assert alice_client.get(reverse("console:connect", args=[dialog.id])).status_code == 405
    assert alice_client.get(reverse("console:end", args=[dialog.id])).status_code == 405
