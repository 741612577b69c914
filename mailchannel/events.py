"""The live frame of an e-mail's delivery state: the console tabs that have its dialog
open replace its line (messengers' `channel_delivery` frame and script, static/messengers/
messengers.js, with ids of their own: "mail-<id>")."""

from django.template.loader import render_to_string

from chat.messaging import payloads
from chat.realtime import events

DELIVERY_TEMPLATE = "mailchannel/_delivery.html"


def delivery_html(delivery) -> str:
    return render_to_string(DELIVERY_TEMPLATE, {"item": delivery})


def delivery_changed(delivery) -> None:
    if not delivery.dialog_id:
        return  # a lead notice: no transcript shows it
    event = events.fragment_event(
        "channel_delivery",
        payloads.per_language(delivery_html, delivery),
        dialog=delivery.dialog_id,
        delivery=f"mail-{delivery.pk}",
        message=delivery.message_id,
        status=delivery.status,
    )
    events.publish_on_commit((events.dialog_group(delivery.dialog_id), event))
