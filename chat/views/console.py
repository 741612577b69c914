"""Console pages: the tab lists, a dialog, and the dialog actions. Thin."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from chat import selectors, services
from chat.errors import AccessDenied, ChatError, NotFound
from chat.views.decorators import operator_required
from operators import services as presence
from operators.models import Operator


@operator_required
def mine(request):
    return render(
        request,
        "chat/mine.html",
        {"operator": request.operator, "rows": selectors.mine_dialogs(request.operator)},
    )


@operator_required
def dialog(request, pk):
    view = selectors.dialog_view(request.operator, pk)
    return render(
        request,
        "chat/dialog.html",
        {
            "operator": request.operator,
            "rows": selectors.mine_dialogs(request.operator),
            "view": view,
            "dialog": view.dialog,
            "message_max_length": settings.CHAT_MESSAGE_MAX_LENGTH,
        },
    )


def _dialog_action(action):
    @require_POST
    @operator_required
    def view(request, pk):
        try:
            action(operator=request.operator, dialog_id=pk)
        except (NotFound, AccessDenied):
            raise
        except ChatError as error:
            messages.error(request, error.detail)
        return redirect("console:dialog", pk=pk)

    return view


connect = _dialog_action(services.connect_operator)
end = _dialog_action(services.end_dialog)


@require_POST
@operator_required
def set_status(request):
    status = request.POST.get("status")
    if status in Operator.Status.values:
        presence.set_status(operator=request.operator, status=status)
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "console:mine"
    return redirect(next_url)
