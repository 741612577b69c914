"""The console's Transfer dialog form (the dialog menu). Thin."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chat.errors import AccessDenied, ChatError, NotFound
from chat.views.decorators import operator_required
from teamwork import transfers


@require_POST
@operator_required
def transfer(request, pk):
    """Hand the dialog over and go back to the list: the sender is no longer in it."""
    try:
        done = transfers.transfer_dialog(
            operator=request.operator,
            dialog_id=pk,
            receiver_id=request.POST.get("receiver"),
            note=request.POST.get("note", ""),
        )
    except (NotFound, AccessDenied):
        raise
    except ChatError as error:
        messages.error(request, error.detail)
        return redirect("console:dialog", pk=pk)
    messages.success(
        request,
        _("Dialog #%(number)s was transferred to %(name)s.")
        % {"number": done.dialog.number, "name": done.receiver.name},
    )
    return redirect("console:mine")
