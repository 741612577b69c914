"""The benchmark's page seeding writes rows the current schema accepts, so `make bench`
keeps working after a migration adds a column (it broke once: Dialog.read_up_to)."""

import pytest

from bench import fixtures
from chat.models import Dialog, Message
from reports.models import DialogFacts


@pytest.mark.django_db(transaction=True)
def test_seeded_pages_answer_with_their_rows():
    seeded = fixtures.seed_pages(dialogs=60, messages=240)
    assert seeded["seeded"] is True
    assert Dialog.objects.count() == 60
    assert Message.objects.count() == 240
    # The Reports page's facts of every closed dialog, as if each had ended live.
    closed = Dialog.objects.filter(status=Dialog.Status.CLOSED).count()
    assert seeded["report_facts"] == closed == DialogFacts.objects.count() > 0
    pages = fixtures.pages_fixtures(dialogs=60)["pages"]
    assert {name: page["status"] for name, page in pages.items()} == dict.fromkeys(pages, 200)
    # Reused, not seeded twice, by the next run.
    again = fixtures.seed_pages(dialogs=60, messages=240)
    assert (again["seeded"], again["report_facts"]) == (False, 0)


@pytest.mark.django_db(transaction=True)
def test_a_seed_that_stopped_half_way_is_done_again():
    fixtures.seed_pages(dialogs=40, messages=40)
    Dialog.objects.filter(number__gt=10).delete()
    again = fixtures.seed_pages(dialogs=40, messages=40)
    assert again["seeded"] is True
    assert Dialog.objects.count() == 40
