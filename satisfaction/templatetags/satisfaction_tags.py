"""Ratings in chat's templates without chat importing satisfaction:

{% load satisfaction_tags %}
{% widget_rating site %}       the widget's rating card and the site's scale as JSON (one query)
{% dialog_rating dialog %}     the rating in the dialog page's header (one query, shared...)
{% card_rating dialog %}       ... with the visitor card's line (no more query)
"""

from django import template

from satisfaction import selectors
from satisfaction.models import COMMENT_MAX_LENGTH, SCORE_MAX, SCORE_MIN, Scale

register = template.Library()


@register.inclusion_tag("satisfaction/_widget_config.html")
def widget_rating(site):
    scale, change_minutes = selectors.settings_of_site(site.id)
    return {
        "config": {
            "scale": scale if scale in (Scale.STARS, Scale.THUMBS) else Scale.OFF,
            "change_minutes": change_minutes,
            "comment_max_length": COMMENT_MAX_LENGTH,
            "site": site.widget_key,
        },
        "stars": range(SCORE_MIN, SCORE_MAX + 1),
    }


@register.inclusion_tag("satisfaction/_dialog_rating.html")
def dialog_rating(dialog):
    return {"rating": selectors.rating_of(dialog)}


@register.inclusion_tag("satisfaction/_card_rating.html")
def card_rating(dialog):
    return {"rating": selectors.rating_of(dialog)}
