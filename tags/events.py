"""The tags app's live events, sent through chat.realtime.events (static/tags/tags.js
hears the `tags` frame; console.js re-renders the row from chat's `row` frame)."""

from django.template.loader import render_to_string

from chat.console import selectors as chat_selectors
from chat.messaging import payloads
from chat.realtime import events
from tags import selectors


def header_html(dialog, picker) -> str:
    """The dialog header's tag control, without a CSRF token (tags.js gives its forms the
    page's), in the active language."""
    return render_to_string("tags/_dialog_tags.html", selectors.header_context(dialog, picker))


def dialog_tags_changed_on_commit(dialog, *, account_id: int) -> None:
    """A tag was put on or taken off: the dialog's open pages swap in the header's control
    (a `tags` frame) and every console of the site gets the row anew."""
    setattr(dialog, selectors.LINKS, None)
    selectors.tags_of(dialog)  # reloaded once for the row, in every language
    picker = selectors.picker_tags(dialog.id, account_id)
    event = events.fragment_event(
        "tags",
        payloads.per_language(header_html, dialog, picker),
        dialog=dialog.id,
        tags=selectors.tag_names(dialog),
    )
    operator_ids = chat_selectors.active_operator_ids(dialog.id)
    events.publish_on_commit(
        (events.dialog_group(dialog.id), event),
        events.row_event(dialog, operator_ids),
    )
