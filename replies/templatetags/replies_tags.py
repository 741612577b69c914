"""Canned replies in the dialog page without chat importing replies:

{% load replies_tags %}
{% composer_replies dialog operator %}   the replies and placeholder values as JSON (one query)
"""

from django import template

from replies import placeholders, selectors

register = template.Library()


@register.inclusion_tag("replies/_composer_replies.html")
def composer_replies(dialog, operator):
    return {
        "data": {
            "replies": selectors.for_dialog(dialog),
            "values": placeholders.dialog_values(dialog, operator),
        }
    }
