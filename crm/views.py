"""Send to CRM, Retry, and the demo webhook receiver. Thin."""

import json

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from chat.console import selectors as chat_selectors
from chat.errors import AccessDenied, NotFound
from chat.views.decorators import operator_required
from crm import demo_receiver, selectors, services
from crm.errors import CrmError


def _back(request, fallback):
    for candidate in (request.POST.get("next"), request.headers.get("referer")):
        if candidate and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(candidate)
    return redirect(*fallback)


def _queue(request, queue, **ids):
    """Queue an export; refusals of access are 403/404, others a message on the page."""
    try:
        exports = queue(operator=request.operator, **ids)
    except (NotFound, AccessDenied):
        raise
    except CrmError as error:
        messages.error(request, error.detail)
    else:
        names = ", ".join(export.integration.name for export in exports)
        messages.success(request, _("Queued for %(names)s.") % {"names": names})


@require_POST
@operator_required
def send_dialog(request, pk):
    _queue(request, services.queue_dialog_export, dialog_id=pk)
    return redirect("console:dialog", pk=pk)


@require_GET
@operator_required
def dialog_exports_panel(request, pk):
    """The panel alone: crm.js reloads it when the page may have missed a live update."""
    chat_selectors.dialog_for_operator(request.operator, pk)
    return HttpResponse(selectors.dialog_exports_html(pk, csrf_token=get_token(request)))


@require_POST
@operator_required
def send_lead(request, pk):
    _queue(request, services.queue_lead_export, lead_id=pk)
    return _back(request, ("console:mine",))


@require_POST
@operator_required
def retry(request, pk):
    try:
        export = services.retry_export(operator=request.operator, export_id=pk)
    except (NotFound, AccessDenied):
        raise
    except CrmError as error:
        messages.error(request, error.detail)
        return _back(request, ("console:mine",))
    if export.dialog_id:
        return _back(request, ("console:dialog", export.dialog_id))
    return _back(request, ("console:mine",))


# --- the demo receiver: a stand-in CRM for `make run` (docs/crm.md) ---------------------


@csrf_exempt
@require_POST
def demo_receive(request):
    if not settings.CRM_DEMO_RECEIVER:
        raise Http404()
    try:
        record = demo_receiver.receive(request.headers, request.body)
    except demo_receiver.Refused as error:
        return JsonResponse({"error": str(error)}, status=error.status)
    return JsonResponse({"id": record["id"]}, status=200)


@operator_required
def demo_received(request):
    if not settings.CRM_DEMO_RECEIVER:
        raise Http404()
    records = demo_receiver.visible_records(request.operator, demo_receiver.received())
    for record in records:
        record["pretty"] = json.dumps(record["body"], indent=2, ensure_ascii=False)
    return render(
        request,
        "crm/demo_receiver.html",
        {
            "records": records,
            "operator": request.operator,
            "tab": "crm",
            "members": chat_selectors.tab_members(request.operator),  # the tab bar's counters
        },
    )
