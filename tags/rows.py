"""The tags' chips on the console's dialog rows (chat/console/row_parts.py)."""

from django.db.models import prefetch_related_objects
from django.utils.html import format_html, format_html_join

from chat.console.row_parts import RowPart
from tags import row_cache, selectors


def with_tags(rows):
    return rows.prefetch_related(selectors.links_prefetch())


def load_tags(dialogs) -> None:
    prefetch_related_objects(dialogs, selectors.links_prefetch())


def opened(dialog) -> None:
    setattr(dialog, selectors.LINKS, [])
    row_cache.opened(dialog)


def row_tags(dialog) -> list:
    """The tags a row shows: those its list prefetched, else the cached ones
    (tags/row_cache.py: no query once warm), kept on the dialog for the next call (a row
    rendered in each language)."""
    links = getattr(dialog, selectors.LINKS, None)
    if links is None:
        links = row_cache.links_of(dialog)
        setattr(dialog, selectors.LINKS, links)
    return [link.tag for link in links]


def chips_html(dialog) -> str:
    tags = row_tags(dialog)
    if not tags:
        return ""
    chips = format_html_join(
        "",
        '<span class="tag-chip tag-chip-small tag-c-{}">{}</span>',
        ((tag.colour, tag.name) for tag in tags),
    )
    return format_html('<span class="row-tags">{}</span>', chips)


def facts(dialog) -> list:
    return [[tag.name, tag.colour] for tag in row_tags(dialog)]


def tags_row_part() -> RowPart:
    return RowPart(
        name="tags",
        html=chips_html,
        facts=facts,
        prepare_rows=with_tags,
        load=load_tags,
        opened=opened,
    )
