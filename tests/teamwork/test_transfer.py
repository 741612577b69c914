"""Transfer dialog: to an online colleague of the site, with a private note; the visitor
reads who continues; refusals say why."""

import pytest
from channels.db import database_sync_to_async
from django.contrib.messages import get_messages
from django.test import Client
from teamwork_cast import start_dialog

from chat.console import selectors
from chat.dialogs import capacity, lifecycle
from chat.errors import AccessDenied, ChatError
from chat.models import Message
from operators.models import Operator
from teamwork import transfers
from teamwork.models import Note, Transfer


def transfer(operator, dialog_id, receiver, note=""):
    return transfers.transfer_dialog(
        operator=operator, dialog_id=dialog_id, receiver_id=receiver.id, note=note
    )


def online(*operators):
    Operator.objects.filter(pk__in=[op.pk for op in operators]).update(
        status=Operator.Status.ONLINE, open_sockets=1
    )


@pytest.mark.django_db
class TestRules:
    def test_the_dialog_moves_to_the_colleague(self, site, alice, bob, dialog_of_alice):
        online(bob)
        done = transfer(alice, dialog_of_alice, bob, note="VIP, promised a call back")
        assert [op.id for op in selectors.active_operators(dialog_of_alice)] == [bob.id]
        line = Message.objects.filter(dialog_id=dialog_of_alice).last()
        assert line.text == "Boris will continue the conversation" and not line.console_only
        assert done.note.recipient == bob and done.note.text == "VIP, promised a call back"
        assert done.sender == alice and done.receiver == bob
        assert done.dialog.status == "active"

    def test_the_visitors_line_is_in_the_widgets_language(self, make_site, make_operator):
        shop = make_site(language="ru")
        anna = make_operator(username="anna", display_name="Анна", sites=[shop])
        boris = make_operator(username="boris", display_name="Борис", sites=[shop])
        online(boris)
        dialog_id, _ = start_dialog(shop, anna)
        transfer(anna, dialog_id, boris)
        line = Message.objects.filter(dialog_id=dialog_id).last()
        assert line.text == "Борис продолжит разговор"
        assert not Note.objects.exists()  # no note given, none stored

    def test_refused_when_the_colleague_is_offline(self, alice, bob, dialog_of_alice):
        Operator.objects.filter(pk=bob.pk).update(status=Operator.Status.OFFLINE)
        with pytest.raises(ChatError) as refused:
            transfer(alice, dialog_of_alice, bob)
        assert refused.value.code == "offline"
        assert refused.value.detail == "Boris is offline: the dialog stays with you."
        assert [op.id for op in selectors.active_operators(dialog_of_alice)] == [alice.id]
        assert not Transfer.objects.exists() and not Note.objects.exists()

    def test_refused_when_online_but_no_console_is_open(self, alice, bob, dialog_of_alice):
        Operator.objects.filter(pk=bob.pk).update(status=Operator.Status.ONLINE, open_sockets=0)
        with pytest.raises(ChatError) as refused:
            transfer(alice, dialog_of_alice, bob)
        assert refused.value.code == "offline"

    def test_refused_at_capacity_with_the_reason(self, alice, bob, dialog_of_alice):
        online(bob)

        def check(*, operators, dialog):
            return {op.id: "3 dialogs of 3" for op in operators if op.id == bob.id}

        capacity.register_capacity_check(check)
        try:
            with pytest.raises(ChatError) as refused:
                transfer(alice, dialog_of_alice, bob)
        finally:
            capacity.unregister_capacity_check(check)
        assert refused.value.code == "at_capacity"
        assert "Boris cannot take another dialog now (3 dialogs of 3)" in refused.value.detail
        assert [op.id for op in selectors.active_operators(dialog_of_alice)] == [alice.id]

    def test_only_a_connected_operator_transfers(self, make_operator, site, bob, dialog_of_alice):
        online(bob)
        lead = make_operator(username="lead", sites=[site], can_see_others=True)
        with pytest.raises(ChatError) as refused:
            transfer(lead, dialog_of_alice, bob)
        assert refused.value.code == "not_connected"
        plain = make_operator(username="plain", sites=[site])  # may not even see it
        with pytest.raises(AccessDenied):
            transfer(plain, dialog_of_alice, bob)

    def test_tenancy_no_transfer_to_or_from_another_account(self, alice, stranger, dialog_of_alice):
        online(stranger)
        with pytest.raises(ChatError) as refused:
            transfer(alice, dialog_of_alice, stranger)
        assert refused.value.code == "invalid"
        with pytest.raises(AccessDenied):
            transfer(stranger, dialog_of_alice, stranger)

    def test_a_colleague_of_another_site_is_refused(
        self, make_site, make_operator, alice, dialog_of_alice
    ):
        elsewhere = make_site(account=alice.account)
        carl = make_operator(username="carl", sites=[elsewhere])
        online(carl)
        with pytest.raises(ChatError) as refused:
            transfer(alice, dialog_of_alice, carl)
        assert refused.value.detail == "This colleague does not serve this site."

    def test_an_ended_dialog_is_not_transferred(self, alice, bob, dialog_of_alice):
        online(bob)
        lifecycle.end_dialog(operator=alice, dialog_id=dialog_of_alice)
        with pytest.raises(ChatError):
            transfer(alice, dialog_of_alice, bob)

    def test_a_too_long_note_is_refused(self, settings, alice, bob, dialog_of_alice):
        online(bob)
        with pytest.raises(ChatError) as refused:
            transfer(alice, dialog_of_alice, bob, note="x" * (settings.CHAT_MESSAGE_MAX_LENGTH + 1))
        assert refused.value.code == "too_long"

    def test_candidates_say_who_can_take_it(
        self, site, make_operator, alice, bob, dialog_of_alice, django_assert_num_queries
    ):
        online(bob)
        make_operator(username="zoe", display_name="Zoe", sites=[site], status="offline")
        dialog = lifecycle.Dialog.objects.get(pk=dialog_of_alice)
        # The colleagues with their state (routing's capacity check reads the site's mode,
        # cached since the dialog's first message).
        with django_assert_num_queries(1):
            listed = transfers.candidates(
                operator=alice, dialog=dialog, active_operator_ids=[alice.id]
            )
        assert [(c.operator.name, c.state) for c in listed] == [
            ("Boris", "available"),
            ("Zoe", "offline"),
        ]


@pytest.mark.django_db
class TestConsole:
    def test_the_menu_lists_colleagues_and_the_form_transfers(
        self, alice_client, alice, bob, dialog_of_alice
    ):
        online(bob)
        page = alice_client.get(f"/console/dialogs/{dialog_of_alice}/").content.decode()
        assert "Transfer dialog" in page and f'value="{bob.id}"' in page
        answer = alice_client.post(
            f"/console/teamwork/dialogs/{dialog_of_alice}/transfer/",
            {"receiver": bob.id, "note": "he wants a discount"},
        )
        assert answer.status_code == 302 and answer["Location"] == "/console/"
        shown = [str(m) for m in get_messages(answer.wsgi_request)]
        assert shown == ["Dialog #1 was transferred to Boris."]

    def test_a_refusal_comes_back_as_a_message_on_the_dialog(
        self, alice_client, bob, dialog_of_alice
    ):
        answer = alice_client.post(
            f"/console/teamwork/dialogs/{dialog_of_alice}/transfer/", {"receiver": bob.id}
        )
        assert answer["Location"] == f"/console/dialogs/{dialog_of_alice}/"
        shown = [str(m) for m in get_messages(answer.wsgi_request)]
        assert shown == ["Boris is offline: the dialog stays with you."]

    def test_another_accounts_operator_gets_403(self, stranger, bob, dialog_of_alice):
        client = Client()
        client.force_login(stranger.user)
        answer = client.post(
            f"/console/teamwork/dialogs/{dialog_of_alice}/transfer/", {"receiver": bob.id}
        )
        assert answer.status_code == 403

    def test_the_receiver_sees_the_note_pinned_and_in_the_transcript(
        self, client, alice, bob, dialog_of_alice
    ):
        online(bob)
        transfer(alice, dialog_of_alice, bob, note="call him at 5")
        client.force_login(bob.user)
        page = client.get(f"/console/dialogs/{dialog_of_alice}/").content.decode()
        assert 'id="pinned-note"' in page and "Alice transferred this dialog to you" in page
        assert page.count("call him at 5") == 2  # pinned, and in the transcript
        assert "Transfer note for Boris" in page


@pytest.mark.django_db(transaction=True)
async def test_the_receiver_hears_a_toast_and_the_visitor_the_line(sockets, site, alice, bob):
    dialog_id, session = await database_sync_to_async(start_dialog)(site, alice)
    bob_console, _ = await sockets.operator(bob)
    widget, _ = await sockets.visitor(site, token=session.visitor.token)
    await database_sync_to_async(transfer)(alice, dialog_id, bob, "secret: gold client")
    frames = await sockets.frames(bob_console, 4)
    by_type = {f["type"]: f for f in frames}
    # The private note (live, in case his tab has the dialog open), the toast, the row
    # (after the line, and after the dialog's change).
    assert set(by_type) == {"note", "transfer", "row"}
    html = by_type["transfer"]["html"]
    assert "Alice transferred dialog #1" in html and "secret: gold client" in html
    assert by_type["row"]["tab"] == "mine"
    assert "secret: gold client" in by_type["note"]["html"]
    heard = await sockets.frames(widget, 2)
    assert {f["type"] for f in heard} == {"message", "dialog"}
    line = next(f for f in heard if f["type"] == "message")["message"]
    assert line["text"] == "Boris will continue the conversation"
    assert "secret" not in repr(heard)
    state = next(f for f in heard if f["type"] == "dialog")["dialog"]
    assert [op["name"] for op in state["operators"]] == ["Boris"]
    await sockets.silent(widget)


@pytest.mark.django_db
def test_an_ended_dialog_and_a_read_one_offer_a_notes_only_composer(
    client, make_operator, site, alice, dialog_of_alice
):
    lead = make_operator(username="lead", sites=[site], can_see_others=True)
    client.force_login(lead.user)
    page = client.get(f"/console/dialogs/{dialog_of_alice}/").content.decode()
    assert 'id="note-composer"' in page and 'id="composer"' not in page
    client.force_login(alice.user)
    page = client.get(f"/console/dialogs/{dialog_of_alice}/").content.decode()
    assert 'id="note-composer"' not in page and 'id="composer-note"' in page
    lifecycle.end_dialog(operator=alice, dialog_id=dialog_of_alice)
    page = client.get(f"/console/dialogs/{dialog_of_alice}/").content.decode()
    assert 'id="note-composer"' in page
