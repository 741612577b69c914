"""The rules of rating a dialog (docs/protocol.md, "Rating").

Only the dialog's own visitor rates it, only once it is closed (ended by an operator or
automatically), within FIRST_RATING_HOURS of its end; one rating per dialog, which he may
change until its `changeable_until` (the site's `change_minutes` after the first rating),
then it is final. Every refusal is a ChatError and changes nothing.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from chat.errors import ChatError
from chat.models import Dialog
from satisfaction import events, hooks
from satisfaction.models import (
    COMMENT_MAX_LENGTH,
    GOOD_FROM,
    SCORE_MAX,
    SCORE_MIN,
    THUMBS_DOWN,
    THUMBS_UP,
    Rating,
    Scale,
)
from satisfaction.selectors import settings_of_site

# How long after its end a dialog may still get its first rating.
FIRST_RATING_HOURS = 24


def _whole_number(value, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ChatError("invalid", f"{name} must be a whole number.")
    return value


def clean_comment(comment) -> str:
    if comment is None:
        return ""
    if not isinstance(comment, str):
        raise ChatError("invalid", "comment must be text.")
    comment = comment.strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        error = ChatError("too_long", f"A comment is limited to {COMMENT_MAX_LENGTH} characters.")
        error.fields["max_length"] = COMMENT_MAX_LENGTH
        raise error
    return comment


def clean_score(score, scale: str) -> int:
    score = _whole_number(score, "score")
    if scale == Scale.THUMBS:
        if score not in (THUMBS_UP, THUMBS_DOWN):
            raise ChatError(
                "bad_score", f"With thumbs the score is {THUMBS_UP} (up) or {THUMBS_DOWN} (down)."
            )
    elif not SCORE_MIN <= score <= SCORE_MAX:
        raise ChatError("bad_score", f"The score is from {SCORE_MIN} to {SCORE_MAX}.")
    return score


@transaction.atomic
def rate_dialog(*, visitor_id: int, dialog_id, score, comment=None, now=None) -> Rating:
    """Rate (or, within its window, re-rate) the visitor's closed dialog. Open dialog pages
    hear the new rating once it commits (events.rating_changed_on_commit)."""
    now = now or timezone.now()
    dialog_id = _whole_number(dialog_id, "dialog")
    comment = clean_comment(comment)
    dialog = (
        Dialog.objects.select_for_update(of=("self",))
        .filter(pk=dialog_id, visitor_id=visitor_id)
        .first()
    )
    if dialog is None:  # another visitor's dialog looks the same as none at all
        raise ChatError("not_found", "No such dialog.")
    if dialog.status != Dialog.Status.CLOSED:
        raise ChatError("not_ended", "A dialog can be rated once it has ended.")
    scale, change_minutes = settings_of_site(dialog.site_id)
    if scale == Scale.OFF:
        raise ChatError("rating_off", "This site does not ask for ratings.")
    score = clean_score(score, scale)
    rating = Rating.objects.filter(dialog=dialog).first()
    if rating is None:
        closed_at = dialog.closed_at or now
        if now > closed_at + datetime.timedelta(hours=FIRST_RATING_HOURS):
            raise ChatError("too_late", "This dialog ended too long ago to be rated.")
        rating = Rating(
            dialog=dialog, changeable_until=now + datetime.timedelta(minutes=change_minutes)
        )
    elif now > rating.changeable_until:
        raise ChatError("rating_final", "This rating can no longer be changed.")
    rating.scale = scale
    rating.score = score
    rating.good = score >= GOOD_FROM
    rating.comment = comment
    rating.save()
    events.rating_changed_on_commit(rating)
    hooks.dialog_rated.send_on_commit(rating=rating)
    return rating


def rated_frame(rating: Rating) -> dict:
    """The answer to a rate frame (docs/protocol.md, "Rating")."""
    return {
        "type": "rated",
        "dialog": rating.dialog_id,
        "scale": rating.scale,
        "score": rating.score,
        "comment": rating.comment,
        "changeable_until": rating.changeable_until.isoformat(),
    }


def rate_from_frame(frame: dict, *, visitor_id: int, **_ids) -> dict:
    """The visitor socket's "rate" frame (registered in SatisfactionConfig.ready through
    chat.realtime.extensions)."""
    rating = rate_dialog(
        visitor_id=visitor_id,
        dialog_id=frame.get("dialog"),
        score=frame.get("score"),
        comment=frame.get("comment"),
    )
    return rated_frame(rating)
