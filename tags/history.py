"""The tags' column and filter on chat's History page (chat/console/history_columns.py)."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from chat.console.history_columns import HistoryColumn
from tags import rows, selectors
from tags.filters import TagFilter


def tags_cell(dialog) -> str:
    """The cell: the chips of the tags with_tags prefetched, or a dash."""
    tags = selectors.tags_of(dialog)
    if not tags:
        return mark_safe('<td class="h-tags"><span class="muted">—</span></td>')
    chips = format_html_join(
        "",
        '<span class="tag-chip tag-chip-small tag-c-{}">{}</span>',
        ((tag.colour, tag.name) for tag in tags),
    )
    return format_html('<td class="h-tags">{}</td>', chips)


def tags_column() -> HistoryColumn:
    return HistoryColumn(
        name="tag",
        heading=_("Tags"),
        prepare_rows=rows.with_tags,  # one prefetch for the page's rows
        cell_html=tags_cell,
        filter=TagFilter(),
    )
