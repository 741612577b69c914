"""The tags' column and filter on chat's History page (chat/console/history_columns.py)."""

from django.utils.translation import gettext_lazy as _

from chat.console.history_columns import HistoryColumn
from tags import rows
from tags.filters import TagFilter


def tags_column() -> HistoryColumn:
    return HistoryColumn(
        name="tag",
        heading=_("Tags"),
        cell_template="tags/_history_cell.html",
        prepare_rows=rows.with_tags,  # one prefetch for the page's rows
        filter=TagFilter(),
    )
