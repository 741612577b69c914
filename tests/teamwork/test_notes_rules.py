"""Internal notes: who may write them, who reads them, what a mention alerts."""

import pytest
from django.conf import settings

from chat.errors import AccessDenied, ChatError, NotFound
from chat.visitors import erasure
from teamwork import mentions, notes, selectors
from teamwork.models import Note

pytestmark = pytest.mark.django_db


def test_a_connected_operator_writes_a_note(alice, dialog_of_alice):
    note, created = notes.add_note(operator=alice, dialog_id=dialog_of_alice, text="  VIP  ")
    assert created and note.text == "VIP" and note.author == alice and not note.is_private


def test_a_resend_with_the_same_client_id_stores_nothing_new(alice, dialog_of_alice):
    first, _ = notes.add_note(operator=alice, dialog_id=dialog_of_alice, text="a", client_id="c1")
    again, created = notes.add_note(
        operator=alice, dialog_id=dialog_of_alice, text="a", client_id="c1"
    )
    assert not created and again.id == first.id and Note.objects.count() == 1


@pytest.mark.parametrize("text", ["", "   ", None, 5, "x" * (settings.CHAT_MESSAGE_MAX_LENGTH + 1)])
def test_bad_text_is_refused(alice, dialog_of_alice, text):
    with pytest.raises(ChatError):
        notes.add_note(operator=alice, dialog_id=dialog_of_alice, text=text)
    assert not Note.objects.exists()


def test_another_account_cannot_write_or_read_notes(stranger, dialog_of_alice):
    with pytest.raises(AccessDenied):
        notes.add_note(operator=stranger, dialog_id=dialog_of_alice, text="hi")
    with pytest.raises(NotFound):
        notes.add_note(operator=stranger, dialog_id=999999, text="hi")
    assert not Note.objects.exists()


def test_without_can_see_others_no_note_in_a_colleagues_active_dialog(bob, dialog_of_alice):
    with pytest.raises(AccessDenied):
        notes.add_note(operator=bob, dialog_id=dialog_of_alice, text="psst")


def test_a_supervisor_who_sees_others_may_write_to_the_operator(
    make_operator, site, alice, dialog_of_alice
):
    lead = make_operator(username="lead", sites=[site], can_see_others=True)
    note, _ = notes.add_note(operator=lead, dialog_id=dialog_of_alice, text="Offer 10%")
    assert [n.id for n in selectors.notes_for(alice, dialog_of_alice)] == [note.id]


def test_a_private_note_is_read_by_its_recipient_and_author_only(
    make_operator, site, alice, bob, dialog_of_alice
):
    lead = make_operator(username="lead", sites=[site], can_see_others=True)
    private, _ = notes.add_note(
        operator=alice, dialog_id=dialog_of_alice, text="for Bob", recipient=bob
    )
    shared, _ = notes.add_note(operator=alice, dialog_id=dialog_of_alice, text="for all")
    assert [n.id for n in selectors.notes_for(bob, dialog_of_alice)] == [private.id, shared.id]
    assert [n.id for n in selectors.notes_for(alice, dialog_of_alice)] == [private.id, shared.id]
    assert [n.id for n in selectors.notes_for(lead, dialog_of_alice)] == [shared.id]


def test_notes_for_costs_two_queries_whatever_the_count(
    alice, bob, dialog_of_alice, django_assert_num_queries
):
    for i in range(5):
        notes.add_note(operator=alice, dialog_id=dialog_of_alice, text=f"@bob note {i}")
    with django_assert_num_queries(2):
        found = selectors.notes_for(alice, dialog_of_alice)
        assert all([op.name for op in n.mentions.all()] == ["Boris"] for n in found)


def test_erasure_blanks_the_notes_of_the_visitors_dialogs(alice, dialog_of_alice):
    notes.add_note(operator=alice, dialog_id=dialog_of_alice, text="phone +1 555 0100")
    visitor_id = Note.objects.get().dialog.visitor_id
    erasure.erase_visitors([visitor_id])
    assert Note.objects.get().text == erasure.erased_text()


class Op:
    def __init__(self, id, username, display_name):
        self.id, self.display_name = id, display_name
        self.user = type("U", (), {"get_username": lambda s: username})()


def test_mentions_by_login_display_name_or_its_first_word():
    boris = Op(1, "bob", "Boris Petrov")
    anna = Op(2, "anna", "Анна")
    boris2 = Op(3, "b2", "Boris Ivanov")
    team = [boris, anna, boris2]
    assert mentions.mentioned("@bob look", team) == [boris]
    assert mentions.mentioned("ask @BorisPetrov.", team) == [boris]
    assert mentions.mentioned("@анна глянь", team) == [anna]
    # "Boris" is the first word of two names: nobody is guessed.
    assert mentions.mentioned("@boris", team) == []
    assert mentions.mentioned("mail anna@example.com", team) == []
    assert mentions.mentioned("no mention here", team) == []
