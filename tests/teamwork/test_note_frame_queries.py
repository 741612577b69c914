"""The console's note frames cost a fixed number of queries, whatever the dialog holds."""

import pytest

from teamwork import notes

pytestmark = pytest.mark.django_db


@pytest.fixture
def frame_args(alice):
    return {"operator": alice, "site_ids": set()}


@pytest.mark.parametrize("existing", [0, 6])
def test_note_frame(alice, bob, dialog_of_alice, frame_args, existing, django_assert_num_queries):
    for i in range(existing):
        notes.add_note(operator=alice, dialog_id=dialog_of_alice, text=f"old @bob {i}")
    frame = {"type": "note", "dialog": dialog_of_alice, "client_id": "q1", "text": "hi @bob"}
    # The dialog, its operators, my sites (access); the resend check; the insert; the
    # colleagues of the site; the mentions' set (read, insert); the connected ids; the
    # mentions with their users, once for the fragment in every language; the savepoint
    # and its release (a concurrent resend's IntegrityError rolls back to it).
    with django_assert_num_queries(12):
        answer = notes.note_from_frame(frame, **frame_args)
    assert answer["type"] == "noted"


def test_a_note_without_mention_reads_no_colleague(
    alice, dialog_of_alice, frame_args, django_assert_num_queries
):
    frame = {"type": "note", "dialog": dialog_of_alice, "client_id": "q2", "text": "a@b.c"}
    with django_assert_num_queries(8):
        notes.note_from_frame(frame, **frame_args)


@pytest.mark.parametrize("existing", [1, 6])
def test_notes_frame(alice, bob, dialog_of_alice, frame_args, existing, django_assert_num_queries):
    for i in range(existing):
        notes.add_note(operator=alice, dialog_id=dialog_of_alice, text=f"old @bob {i}")
    frame = {"type": "notes", "dialog": dialog_of_alice, "after": 0}
    # The dialog, its operators, my sites (access); the notes; their mentions.
    with django_assert_num_queries(5):
        answer = notes.notes_from_frame(frame, **frame_args)
    assert len(answer["notes"]) == existing
