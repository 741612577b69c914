"""Reads of ratings and rating settings, each one query."""

from satisfaction.models import DEFAULT_CHANGE_MINUTES, Rating, RatingSettings, Scale


def settings_of_site(site_id: int) -> tuple[str, int]:
    """(scale, change_minutes) of the site; a site without settings asks with stars."""
    row = RatingSettings.objects.filter(site_id=site_id).values_list("scale", "change_minutes")
    return row.first() or (Scale.STARS, DEFAULT_CHANGE_MINUTES)


def rating_of(dialog) -> Rating | None:
    """The dialog's rating, read once per dialog object: the page header and the visitor
    card of one page share it."""
    if not hasattr(dialog, "_satisfaction_rating"):
        dialog._satisfaction_rating = Rating.objects.filter(dialog_id=dialog.id).first()
    return dialog._satisfaction_rating
