"""The rating's column and filter on chat's History page (chat/console/history_columns.py)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from chat.console.history_columns import HistoryColumn

GOOD, BAD, ANY, NONE = "good", "bad", "any", "none"
CHOICES = [
    (GOOD, _("Rated good")),
    (BAD, _("Rated bad")),
    (ANY, _("Rated")),
    (NONE, _("Not rated")),
]


def filter_by_rating(dialogs, name, value):
    """good: 4-5 stars or a thumbs-up; bad: 1-3 stars or a thumbs-down (models.GOOD_FROM)."""
    if value == GOOD:
        return dialogs.filter(rating__good=True)
    if value == BAD:
        return dialogs.filter(rating__good=False)
    if value == ANY:
        return dialogs.filter(rating__isnull=False)
    if value == NONE:
        return dialogs.filter(rating__isnull=True)
    return dialogs


def with_rating(rows):
    """The page's rows with their rating, in the same query (a reverse one-to-one join)."""
    return rows.select_related("rating")


def rating_column() -> HistoryColumn:
    return HistoryColumn(
        name="rating",
        heading=_("Rating"),
        cell_template="satisfaction/_history_cell.html",
        prepare_rows=with_rating,
        filter=django_filters.ChoiceFilter(
            label=_("Rating"),
            choices=CHOICES,
            method=filter_by_rating,
            empty_label=_("Any rating"),
        ),
    )
