"""Each operator message's delivery state under it in the console's transcript
(chat/console/transcript_items.py): one query per dialog page."""

from chat.console.transcript_items import TranscriptItem
from messengers import rows
from messengers.events import DELIVERY_TEMPLATE
from messengers.models import Delivery


def delivery_items(*, operator, dialog) -> list[TranscriptItem]:
    """A widget dialog: the contact's absence is read once (the header's and the card's
    channel lines reuse it); a messenger's: one query more, for its deliveries."""
    if rows.contact_of(dialog) is None:
        return []
    deliveries = Delivery.objects.filter(message__dialog_id=dialog.pk).select_related("message")
    return [TranscriptItem(d.message.created_at, DELIVERY_TEMPLATE, d) for d in deliveries]
