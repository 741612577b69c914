"""History marks dialogs with notes and filters by them, at a fixed query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from teamwork_cast import start_dialog

from teamwork import notes

pytestmark = pytest.mark.django_db


def test_the_notes_column_and_filter(alice_client, alice, site, bob):
    noted, _ = start_dialog(site, alice)
    plain, _ = start_dialog(site, alice)
    notes.add_note(operator=alice, dialog_id=noted, text="one")
    notes.add_note(operator=alice, dialog_id=noted, text="two")
    notes.add_note(operator=alice, dialog_id=plain, text="for Bob", recipient=bob)
    page = alice_client.get("/console/history/").content.decode()
    assert '<th scope="col">Notes</th>' in page
    assert page.count('class="h-notes-mark"') == 1  # private notes are not counted
    with_notes = alice_client.get("/console/history/?notes=with").content.decode()
    assert f'data-dialog="{noted}"' in with_notes and f'data-dialog="{plain}"' not in with_notes
    without = alice_client.get("/console/history/?notes=without").content.decode()
    assert f'data-dialog="{plain}"' in without and f'data-dialog="{noted}"' not in without


def test_the_history_page_costs_the_same_queries_with_more_notes(alice_client, alice, site):
    dialog_id, _ = start_dialog(site, alice)
    notes.add_note(operator=alice, dialog_id=dialog_id, text="one")
    with CaptureQueriesContext(connection) as few:
        alice_client.get("/console/history/")
    for i in range(5):
        other, _ = start_dialog(site, alice)
        notes.add_note(operator=alice, dialog_id=other, text=f"n{i}")
    with CaptureQueriesContext(connection) as many:
        alice_client.get("/console/history/")
    assert len(many) == len(few)


def test_the_dialog_page_costs_the_same_queries_with_more_notes(alice_client, alice, site):
    dialog_id, _ = start_dialog(site, alice)
    notes.add_note(operator=alice, dialog_id=dialog_id, text="one @alice")
    with CaptureQueriesContext(connection) as few:
        page = alice_client.get(f"/console/dialogs/{dialog_id}/")
    assert 'class="msg msg-note"' in page.content.decode()
    for i in range(5):
        notes.add_note(operator=alice, dialog_id=dialog_id, text=f"n{i} @alice")
    with CaptureQueriesContext(connection) as many:
        alice_client.get(f"/console/dialogs/{dialog_id}/")
    assert len(many) == len(few)
