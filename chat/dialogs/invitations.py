"""Invite operator: a connected operator asks an online colleague to join the dialog."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.console import selectors
from chat.console.presence import online_operators_q
from chat.dialogs import access, lifecycle
from chat.errors import AccessDenied, ChatError, NotFound
from chat.models import Dialog, Invitation
from chat.realtime import events
from operators.models import Operator


def invitable_operators(*, operator: Operator, dialog: Dialog, active_operator_ids) -> list:
    """Online colleagues who serve the dialog's site and are not in it yet. One query."""
    return list(
        Operator.objects.filter(online_operators_q(), sites__id=dialog.site_id)
        .exclude(id__in=[operator.id, *active_operator_ids])
        .select_related("user")
        .order_by("display_name")
    )


def invite_operator(*, operator: Operator, dialog_id: int, invitee_id) -> Invitation:
    with transaction.atomic():
        dialog = Dialog.objects.select_related("site", "visitor").filter(pk=dialog_id).first()
        if dialog is None:
            raise NotFound()
        active_ids = [op.id for op in selectors.active_operators(dialog.id)]
        if operator.id not in active_ids:
            # Whoever may not read the dialog learns nothing more about it than a refusal.
            if not access.can_view_dialog(
                operator, dialog, selectors.site_ids_of(operator), active_ids
            ):
                raise AccessDenied()
            raise ChatError("not_connected", _("Connect to the dialog before inviting."))
        if not dialog.is_open:
            raise ChatError("dialog_closed", _("The dialog has ended."))
        candidates = invitable_operators(
            operator=operator, dialog=dialog, active_operator_ids=active_ids
        )
        invitee = next((op for op in candidates if str(op.id) == str(invitee_id)), None)
        if invitee is None:
            raise ChatError("invalid", _("This colleague is not online or cannot see this site."))
        invitation, created = Invitation.objects.get_or_create(
            dialog=dialog,
            invitee=invitee,
            status=Invitation.Status.PENDING,
            defaults={"inviter": operator},
        )
        if created:
            invitation.dialog = dialog
            invitation.inviter = operator
            events.invitation_sent_on_commit(invitation)
        return invitation


def answer_invitation(*, operator: Operator, invitation_id, accept: bool) -> Invitation:
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("dialog", "inviter__user", "invitee__user")
            .filter(pk=invitation_id, invitee=operator)
            .first()
        )
        if invitation is None:
            raise NotFound(_("No such invitation."))
        if invitation.status != Invitation.Status.PENDING:
            raise ChatError("answered", _("This invitation has been answered already."))
        if accept:
            if not invitation.dialog.is_open:
                invitation.status = Invitation.Status.CANCELLED
            else:
                lifecycle.connect_operator(
                    operator=operator, dialog_id=invitation.dialog_id, invited=True
                )
                invitation.status = Invitation.Status.ACCEPTED
        else:
            invitation.status = Invitation.Status.DECLINED
        invitation.answered_at = timezone.now()
        invitation.save(update_fields=["status", "answered_at"])
        events.invitation_answered_on_commit(invitation)
        if invitation.status == Invitation.Status.CANCELLED:
            raise ChatError("dialog_closed", _("The dialog has ended."))
        return invitation
