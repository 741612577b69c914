""" "Write to visitor": the dialog lands in the operator's Mine with his message first, the
widget opens itself; refused for a blocked IP, a visitor who just closed an invitation,
past the operator's pace, each with its own message."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone, translation

from chat.console import selectors
from chat.errors import ChatError, NotFound
from chat.models import BlockedIP, Dialog, Message, Participant, Visit, Visitor
from engage import outreach
from engage.rule_models import InvitationEvent
from engage.visitor_models import Outreach


@pytest.fixture
def visitor(site):
    visitor = Visitor.objects.create(site=site, animal="blue-fox")
    Visit.objects.create(visitor=visitor, ip="203.0.113.7", current_url="https://shop.example/")
    return visitor


def write(operator, visitor, text="Hello! Can I help?", client_id="c1"):
    return outreach.write_to_visitor(
        operator=operator, visitor_id=visitor.id, text=text, client_id=client_id
    )


def test_the_dialog_is_mine_active_with_my_message_first(alice, visitor):
    dialog, message = write(alice, visitor)
    dialog.refresh_from_db()
    assert dialog.status == Dialog.Status.ACTIVE and dialog.visitor_id == visitor.id
    assert list(
        Participant.objects.connected().filter(dialog=dialog).values_list("operator", flat=True)
    ) == [alice.id]
    assert [(m.author_kind, m.text) for m in Message.objects.filter(dialog=dialog)] == [
        (Message.Author.OPERATOR, "Hello! Can I help?")
    ]
    assert dialog.id in selectors.tab_members(alice)["mine"]
    assert Outreach.objects.filter(operator=alice, visitor=visitor, dialog=dialog).exists()


def test_refused_for_a_blocked_ip(alice, visitor, site):
    BlockedIP.objects.create(account=site.account, network="203.0.113.0/24")
    with pytest.raises(ChatError) as refused:
        write(alice, visitor)
    assert refused.value.code == outreach.BLOCKED
    assert "blocked" in refused.value.detail
    assert not Dialog.objects.exists()


def test_refused_for_a_visitor_who_just_closed_an_invitation(
    alice, visitor, settings, make_rule, site
):
    settings.ENGAGE_INVITATION_SNOOZE_MINUTES = 30
    closed = InvitationEvent.objects.create(
        rule=make_rule(site), visitor=visitor, kind=InvitationEvent.Kind.CLOSED
    )
    with translation.override("ru"), pytest.raises(ChatError) as refused:
        write(alice, visitor)
    assert refused.value.code == outreach.SNOOZED
    assert "30" in refused.value.detail and "приглашение" in refused.value.detail
    closed.at = timezone.now() - timedelta(minutes=31)
    closed.save()
    write(alice, visitor)  # long enough ago


def test_refused_past_the_operators_pace(alice, site, settings):
    settings.ENGAGE_OUTREACH_LIMIT = 2
    settings.ENGAGE_OUTREACH_WINDOW_MINUTES = 10
    visitors = [Visitor.objects.create(site=site, animal="blue-fox") for _ in range(3)]
    write(alice, visitors[0])
    write(alice, visitors[1])
    with pytest.raises(ChatError) as refused:
        write(alice, visitors[2])
    assert refused.value.code == outreach.RATE_LIMITED
    assert "2 chats in the last 10 minutes" in refused.value.detail
    Outreach.objects.update(created_at=timezone.now() - timedelta(minutes=11))
    write(alice, visitors[2])


def test_not_to_a_visitor_already_in_a_dialog(alice, visitor):
    write(alice, visitor)
    with pytest.raises(ChatError) as refused:
        write(alice, visitor, client_id="c2")
    assert refused.value.code == "in_dialog"


def test_not_to_another_accounts_visitor(make_operator, make_site, visitor):
    stranger = make_operator(sites=[make_site()])
    with pytest.raises(NotFound):
        write(stranger, visitor)
    assert not Dialog.objects.exists()


def test_the_view_answers_json_with_the_dialog_or_the_refusal(alice_client, alice, visitor, site):
    url = f"/console/visitors/{visitor.id}/write/"
    headers = {"Accept": "application/json"}
    answer = alice_client.post(url, {"text": "Hi", "client_id": "x"}, headers=headers)
    dialog = Dialog.objects.get()
    assert answer.json() == {"dialog": dialog.id, "url": f"/console/dialogs/{dialog.id}/"}
    other = Visitor.objects.create(site=site, animal="red-cat")
    Visit.objects.create(visitor=other, ip="203.0.113.9")
    BlockedIP.objects.create(account=site.account, network="203.0.113.9")
    refused = alice_client.post(
        f"/console/visitors/{other.id}/write/", {"text": "Hi", "client_id": "y"}, headers=headers
    )
    assert refused.status_code == 409 and refused.json()["code"] == outreach.BLOCKED
    empty = alice_client.post(
        f"/console/visitors/{other.id}/write/", {"text": " ", "client_id": "z"}, headers=headers
    )
    assert empty.status_code == 409
    # without script: back to the page, or on to the dialog
    assert alice_client.post(f"/console/visitors/{other.id}/write/", {"text": "Hi"}).url == (
        "/console/visitors/"
    )


live_database = pytest.mark.django_db(transaction=True)


@live_database
async def test_the_widget_opens_with_the_message(sockets, site, alice):
    widget, hello = await sockets.visitor(site)
    visitor = await database_sync_to_async(Visitor.objects.get)(token=hello["visitor"]["token"])
    await database_sync_to_async(write)(alice, visitor)
    frames = await sockets.expect(widget, "message", "dialog")
    message, dialog = frames["message"][0]["message"], frames["dialog"][0]
    assert message["text"] == "Hello! Can I help?"
    assert message["author"]["kind"] == "operator" and message["author"]["name"] == "Alice"
    assert dialog["open"] is True and dialog["dialog"]["operators"] == [
        {"id": alice.id, "name": "Alice"}
    ]


def test_the_card_of_an_ended_dialog_offers_to_write_while_he_is_online(
    alice_client, alice, visitor, site
):
    from chat.dialogs import lifecycle

    ended = Dialog.objects.create(account=site.account, site=site, visitor=visitor, number=7)
    lifecycle.connect_operator(operator=alice, dialog_id=ended.id)
    page = f"/console/dialogs/{ended.id}/"
    assert 'id="v-card-write"' not in alice_client.get(page).content.decode()  # still open
    lifecycle.end_dialog(operator=alice, dialog_id=ended.id)
    assert 'id="v-card-write"' not in alice_client.get(page).content.decode()  # offline
    Visitor.objects.filter(pk=visitor.pk).update(open_sockets=1)
    html = alice_client.get(page).content.decode()
    assert 'id="v-card-write"' in html and f"/console/visitors/{visitor.id}/write/" in html
    answer = alice_client.post(
        f"/console/visitors/{visitor.id}/write/", {"text": "Anything else?", "client_id": "k"}
    )
    new = Dialog.objects.exclude(pk=ended.pk).get()
    assert answer.url == f"/console/dialogs/{new.id}/"
