"""The live frame of a delivery's state (chat.realtime.events.fragment_event): the console
tabs that have its dialog open replace the message's state line."""

from django.template.loader import render_to_string

from chat.messaging import payloads
from chat.realtime import events

DELIVERY_TEMPLATE = "messengers/_delivery.html"


def delivery_html(delivery) -> str:
    return render_to_string(DELIVERY_TEMPLATE, {"item": delivery})


def delivery_changed(delivery) -> None:
    event = events.fragment_event(
        "channel_delivery",
        payloads.per_language(delivery_html, delivery),
        dialog=delivery.message.dialog_id,
        delivery=delivery.pk,
        message=delivery.message_id,
        status=delivery.status,
    )
    events.publish_on_commit((events.dialog_group(delivery.message.dialog_id), event))
