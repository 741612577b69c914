"""The events an endpoint may subscribe to (docs/webhooks.md)."""

from django.utils.translation import gettext_lazy as _

DIALOG_STARTED = "dialog.started"
MESSAGE_CREATED = "message.created"
DIALOG_ENDED = "dialog.ended"
LEAD_CREATED = "lead.created"
RATING_CREATED = "rating.created"
# Sent only by the "Send test event" button, to whatever the endpoint subscribes.
TEST = "webhook.test"

CHOICES = [
    (DIALOG_STARTED, _("A dialog started")),
    (MESSAGE_CREATED, _("A message was written")),
    (DIALOG_ENDED, _("A dialog ended")),
    (LEAD_CREATED, _("A lead was left")),
    (RATING_CREATED, _("A visitor rated a dialog")),
]
NAMES = [name for name, _label in CHOICES]
