"""The tags app's live events, sent through chat.realtime.events (static/tags/tags.js
hears the `tags` frame; console.js re-renders the row from chat's `row` frame)."""

from django.db.models import Q
from django.template.loader import render_to_string

from chat.console import selectors as chat_selectors
from chat.messaging import payloads
from chat.models import Dialog
from chat.realtime import events
from tags import row_cache, rows, selectors


def header_html(dialog, picker) -> str:
    """The dialog header's tag control, without a CSRF token (tags.js gives its forms the
    page's), in the active language."""
    return render_to_string("tags/_dialog_tags.html", selectors.header_context(dialog, picker))


def dialog_tags_changed_on_commit(dialog, *, account_id: int) -> None:
    """A tag was put on or taken off: the dialog's open pages swap in the header's control
    (a `tags` frame) and every console of the site gets the row anew."""
    setattr(dialog, selectors.LINKS, None)
    rows.load_tags([dialog])  # from the database (not the cache, forgotten for it)
    picker = selectors.picker_tags(dialog.id, account_id)
    operator_ids = chat_selectors.active_operator_ids(dialog.id)
    events.publish_on_commit(*dialog_events(dialog, picker, operator_ids))


def dialog_events(dialog, picker, operator_ids) -> list[tuple[str, dict]]:
    """The dialog's header control to its open pages, its row to the site's consoles."""
    event = events.fragment_event(
        "tags",
        payloads.per_language(header_html, dialog, picker),
        dialog=dialog.id,
        tags=selectors.tag_names(dialog),
    )
    return [(events.dialog_group(dialog.id), event), events.row_event(dialog, operator_ids)]


# A renamed tag's rows sent again at once: the open dialogs carrying it, the latest first;
# on a busier account the others show the new name at their next render (row_cache).
LIVE_ROWS = 200


def tag_changed_on_commit(tag, *, previous_name: str = "", previous_colour: str = "") -> None:
    """A tag was renamed or recoloured: every row shows it anew at its next render (the
    account's cached list is forgotten), and the open dialogs carrying it are sent again
    now, their rows to the consoles of their sites and their header control to their open
    pages (in a fixed number of queries)."""
    row_cache.forget_account_on_commit(tag.account_id)
    if (tag.name, tag.colour) == (previous_name, previous_colour):
        return
    dialogs = list(
        Dialog.objects.select_related("site", "visitor")
        .filter(~Q(status=Dialog.Status.CLOSED), dialog_tags__tag=tag)
        .order_by("-last_message_at", "-id")[:LIVE_ROWS]
    )
    rows.load_tags(dialogs)  # the new name and colour, from the database
    account_tags = list(selectors.account_tags(tag.account_id))
    operator_ids = chat_selectors.active_operator_ids_by_dialog(d.id for d in dialogs)
    sends = []
    for dialog in dialogs:
        picker = selectors.picker_of(account_tags, selectors.tags_of(dialog))
        sends += dialog_events(dialog, picker, operator_ids[dialog.id])
    events.publish_on_commit(*sends)
