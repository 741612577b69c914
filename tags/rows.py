"""The tags' chips on the console's dialog rows (chat/console/row_parts.py)."""

from django.db.models import prefetch_related_objects
from django.utils.html import format_html, format_html_join

from chat.console.row_parts import RowPart
from tags import selectors


def with_tags(rows):
    return rows.prefetch_related(selectors.links_prefetch())


def load_tags(dialogs) -> None:
    prefetch_related_objects(dialogs, selectors.links_prefetch())


def chips_html(dialog) -> str:
    tags = selectors.tags_of(dialog)
    if not tags:
        return ""
    chips = format_html_join(
        "",
        '<span class="tag-chip tag-chip-small tag-c-{}">{}</span>',
        ((tag.colour, tag.name) for tag in tags),
    )
    return format_html('<span class="row-tags">{}</span>', chips)


def facts(dialog) -> list:
    return [[tag.name, tag.colour] for tag in selectors.tags_of(dialog)]


def tags_row_part() -> RowPart:
    return RowPart(
        name="tags", html=chips_html, facts=facts, prepare_rows=with_tags, load=load_tags
    )
