"""chat's models, one module per subject; everything is imported from here
(``from chat.models import Dialog``), as migrations and other apps do."""

from chat.models.dialogs import Dialog, Invitation, Participant, ParticipantQuerySet
from chat.models.messages import Attachment, Message, MessageQuerySet, attachment_path
from chat.models.sites import AUTO_CLOSE_MAX_MINUTES, Site, new_widget_key
from chat.models.visitors import BlockedIP, Visit, Visitor, new_visitor_token

__all__ = [
    "AUTO_CLOSE_MAX_MINUTES",
    "Attachment",
    "BlockedIP",
    "Dialog",
    "Invitation",
    "Message",
    "MessageQuerySet",
    "Participant",
    "ParticipantQuerySet",
    "Site",
    "Visit",
    "Visitor",
    "attachment_path",
    "new_visitor_token",
    "new_widget_key",
]
