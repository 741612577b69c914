"""An operator writes first: a dialog with a visitor who has not written, the operator
connected and his message the first one; the visitor's widget opens itself to show it.

Whether he may (blacklist, the visitor's wish to be left alone, the operator's pace) is
decided by the app that offers the action (engage/outreach.py); here only what every
dialog needs: the visitor is on one of the operator's sites and has no open dialog.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.console import selectors
from chat.dialogs import lifecycle
from chat.errors import ChatError, NotFound
from chat.messaging import posting
from chat.models import Dialog, Message, Participant, Visit, Visitor
from chat.realtime import events
from operators.models import Operator


@transaction.atomic
def start_dialog(
    *, operator: Operator, visitor_id: int, text, client_id, site_ids=None
) -> tuple[Dialog, Message]:
    """The new dialog (active, in the operator's Mine) and his first message."""
    text = posting.clean_text(text)
    client_id = posting.clean_client_id(client_id)
    if site_ids is None:
        site_ids = selectors.site_ids_of(operator)
    visitor = (
        Visitor.objects.select_for_update().filter(pk=visitor_id, site_id__in=site_ids).first()
    )
    if visitor is None:
        raise NotFound(_("This visitor is not on your sites."))
    if selectors.open_dialog_of(visitor.id) is not None:
        raise ChatError("in_dialog", _("The visitor is already in a dialog."))
    visit_id = (
        Visit.objects.filter(visitor_id=visitor.id)
        .order_by("-last_activity_at")
        .values_list("id", flat=True)
        .first()
    )
    dialog = lifecycle.open_dialog(
        visitor_id=visitor.id, visit_id=visit_id, ip=None, by_operator=True
    )
    Participant.objects.create(dialog=dialog, operator=operator, joined_at=timezone.now())
    dialog.status = Dialog.Status.ACTIVE
    dialog.accepted_at = timezone.now()
    dialog.save(update_fields=["status", "accepted_at"])
    message, _created = posting.post_operator_message(
        operator=operator, dialog_id=dialog.id, client_id=client_id, text=text, site_ids=site_ids
    )
    events.dialog_changed_on_commit(dialog, [operator], open_widget=True)
    return dialog, message
