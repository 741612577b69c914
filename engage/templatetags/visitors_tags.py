"""{% write_to_visitor card %}: "Write to visitor" in the visitor card of a dialog that has
ended while the visitor is still on the site (chat's card template reaches engage only
through this tag). No query: the card holds the dialog and the visitor."""

import uuid

from django import template
from django.template.loader import render_to_string

register = template.Library()


@register.simple_tag(takes_context=True)
def write_to_visitor(context, card):
    if card.dialog.is_open or not card.visitor.is_online:
        return ""
    return render_to_string(
        "engage/_visitors_card_write.html",
        {"visitor": card.visitor, "client_id": uuid.uuid4().hex},
        request=context.get("request"),
    )
