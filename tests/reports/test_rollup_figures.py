"""The hand-computed figures of test_figures.py again, with the per-dialog facts
(reports.facts) fresh, and stale: the page and its CSV must not change, whatever the
facts hold (with none at all: test_figures.py itself)."""

import datetime

import pytest
from test_figures import (  # noqa: F401  (collected again here, with this module's month)
    test_every_operator_figure_on_the_page_and_in_the_csv,
    test_every_summary_figure_on_the_page_and_in_the_csv,
    test_one_site_narrows_every_figure,
    test_the_daily_chart_and_its_numbers,
    test_the_heatmap_counts_in_the_operators_zone,
    test_the_same_data_in_utc_moves_the_midnight_dialogs,
)

from chat.models import Dialog
from reports import facts
from reports.models import DialogFacts

pytestmark = pytest.mark.django_db

# What no dialog of the dataset says: a page that read these would show it.
NONSENSE = {"first_response": 99_999.0, "first_responder": None, "replies": [], "sent": []}


@pytest.fixture(params=["fresh", "stale", "half"])
def month(month, request):
    """fresh: every closed dialog's facts computed from its messages. stale: the facts say
    nonsense and no longer match their dialog (closed again later, or written to after
    they were computed). half: every other dialog's facts missing, so each figure merges
    what the settled dialogs' facts say (on PostgreSQL, summed by the database) with the
    walk of the others' messages."""
    written = facts.rebuild()
    assert written == Dialog.objects.filter(status=Dialog.Status.CLOSED).count() > 0
    if request.param == "stale":
        for n, row in enumerate(DialogFacts.objects.order_by("dialog_id")):
            key = "closed_at" if n % 2 else "last_message_at"
            moved = getattr(row, key) - datetime.timedelta(minutes=1)
            DialogFacts.objects.filter(pk=row.pk).update(**NONSENSE, **{key: moved})
    if request.param == "half":
        rows = DialogFacts.objects.order_by("dialog_id").values_list("dialog_id", flat=True)
        DialogFacts.objects.filter(dialog_id__in=list(rows)[::2]).delete()
    return month
