"""The rating's column and filter on chat's History page (chat/console/history_columns.py)."""

import django_filters
from django.core.exceptions import ObjectDoesNotExist
from django.template.loader import get_template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
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


def rating_cell(dialog) -> str:
    """The cell: the rating with_rating joined (its compact mark, the template the dialog
    page shows too), or a dash for the unrated, most rows, without a template."""
    try:
        rating = dialog.rating
    except ObjectDoesNotExist:  # not rated
        return mark_safe('<td class="h-rating"><span class="muted">—</span></td>')
    shown = get_template("satisfaction/_rating.html").render({"rating": rating, "compact": True})
    return format_html('<td class="h-rating">{}</td>', mark_safe(shown))


def rating_column() -> HistoryColumn:
    return HistoryColumn(
        name="rating",
        heading=_("Rating"),
        prepare_rows=with_rating,
        cell_html=rating_cell,
        filter=django_filters.ChoiceFilter(
            label=_("Rating"),
            choices=CHOICES,
            method=filter_by_rating,
            empty_label=_("Any rating"),
        ),
    )
