"""Each e-mail of a dialog (answers, the transcript) as a line in the console's transcript
(chat/console/transcript_items.py): one query per dialog page, whatever its length, and
none for a visitor without an e-mail address (the dialog's e-mails only ever go to his
address, so he has none; the page's dialog comes with its visitor)."""

from chat.console.transcript_items import TranscriptItem
from mailchannel.events import DELIVERY_TEMPLATE
from mailchannel.models import MailDelivery


def delivery_items(*, operator, dialog) -> list[TranscriptItem]:
    if not dialog.visitor.email:
        return []
    deliveries = MailDelivery.objects.filter(dialog_id=dialog.pk).order_by("pk")
    return [TranscriptItem(d.created_at, DELIVERY_TEMPLATE, d) for d in deliveries]
