"""The satisfaction app's live events, sent through chat.realtime.events
(static/satisfaction/console-rating.js hears them)."""

from django.template.loader import render_to_string

from chat.messaging import payloads
from chat.realtime import events


def rating_html(rating) -> str:
    """The rating's parts of the dialog page (header and visitor card), in the active
    language."""
    return render_to_string("satisfaction/_rating_live.html", {"rating": rating})


def rating_changed_on_commit(rating) -> None:
    """A dialog was rated or its rating changed: its open pages swap in the new rating
    (a "rating" frame)."""
    event = events.fragment_event(
        "rating",
        payloads.per_language(rating_html, rating),
        dialog=rating.dialog_id,
        score=rating.score,
        scale=rating.scale,
    )
    events.publish_on_commit((events.dialog_group(rating.dialog_id), event))
