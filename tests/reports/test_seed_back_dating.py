"""seed_demo_reports back-dates its demo ratings in one UPDATE, not one per rating."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from satisfaction.models import Rating

pytestmark = pytest.mark.django_db


def test_the_demo_ratings_are_back_dated_in_one_statement():
    call_command("seed_demo", stdout=io.StringIO())
    with CaptureQueriesContext(connection) as queries:
        call_command("seed_demo_reports", stdout=io.StringIO())
    table = Rating._meta.db_table
    updates = [
        q["sql"] for q in queries if q["sql"].startswith("UPDATE") and f'"{table}"' in q["sql"]
    ]
    ratings = Rating.objects.exclude(created_at=None)
    assert ratings.count() > 20
    assert len(updates) == 1
    # Back-dated: each within minutes after its dialog's end, none at the seeding time.
    for rating in ratings.select_related("dialog").filter(dialog__closed_at__isnull=False)[:50]:
        delay = rating.created_at - rating.dialog.closed_at
        assert 0 < delay.total_seconds() <= 10 * 60
        assert rating.updated_at == rating.created_at
