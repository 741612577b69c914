"""Who may see and join which dialog. Pure rules over rows already loaded."""

from chat.models import Dialog
from operators.models import Operator


def can_view_dialog(operator: Operator, dialog: Dialog, site_ids, active_operator_ids) -> bool:
    if dialog.site_id not in site_ids:
        return False
    if dialog.status != Dialog.Status.ACTIVE:
        return True  # new, missed and closed dialogs of my sites are everyone's
    return operator.id in active_operator_ids or operator.can_see_others


def can_connect(operator: Operator, dialog: Dialog, site_ids, active_operator_ids) -> bool:
    if not can_view_dialog(operator, dialog, site_ids, active_operator_ids):
        return False
    if dialog.status == Dialog.Status.CLOSED:
        return False
    others = set(active_operator_ids) - {operator.id}
    return not others or operator.can_join_others
