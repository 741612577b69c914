"""Console pages (operators) and the widget frame and demo page (visitors). Thin."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_POST

from chat import selectors, services
from chat.errors import AccessDenied, ChatError, NotFound
from chat.models import Site
from operators import services as presence
from operators.models import Operator


def operator_required(view):
    """Logged in and an operator; the operator is request.operator."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.operator = selectors.operator_for_user(request.user)
        if request.operator is None:
            raise PermissionDenied("This login is not an operator.")
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(error.detail) from error
        except AccessDenied as error:
            raise PermissionDenied(error.detail) from error

    return wrapper


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


@xframe_options_exempt
def widget_frame(request, widget_key):
    site = get_object_or_404(Site, widget_key=widget_key)
    return render(
        request,
        "chat/widget.html",
        {"site": site, "message_max_length": settings.CHAT_MESSAGE_MAX_LENGTH},
    )


def demo(request):
    sites = list(Site.objects.order_by("id"))
    site = next((s for s in sites if s.widget_key == request.GET.get("site")), None)
    site = site or (sites[0] if sites else None)
    return render(request, "chat/demo.html", {"site": site, "sites": sites})
