"""Console: the Webhooks page (operators who manage site settings): endpoints, their
delivery log, Send test event and Retry. Thin: webhooks.services does the work."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from chat.console import selectors as chat_selectors
from chat.errors import NotFound
from chat.views.decorators import operator_required
from webhooks import demo_receiver, selectors, services
from webhooks.forms import EndpointForm

DEMO_PATH = "/webhooks/demo-receiver/"


def _manager(request):
    if not request.operator.can_manage_site_settings:
        raise PermissionDenied(_("You may not manage the account's webhooks."))
    return request.operator.account_id


def _page(request, template, **context):
    return render(
        request,
        template,
        {
            "operator": request.operator,
            "tab": "webhooks",
            "members": chat_selectors.tab_members(request.operator),  # the tab bar's counters
            **context,
        },
    )


def _endpoint(account_id, pk):
    try:
        return selectors.endpoint_of_account(account_id, pk)
    except NotFound as missing:
        raise Http404 from missing


@operator_required
def endpoint_list(request):
    account_id = _manager(request)
    return _page(request, "webhooks/list.html", endpoints=selectors.account_endpoints(account_id))


def _edit(request, endpoint):
    account_id = _manager(request)
    form = EndpointForm(request.POST or None, instance=endpoint)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.account_id = account_id
        services.save_endpoint(saved)
        messages.success(request, _("Endpoint saved."))
        return redirect("webhooks:edit", pk=saved.pk)
    deliveries = selectors.delivery_log(endpoint) if endpoint else []
    demo = (
        settings.WEBHOOKS_DEMO_RECEIVER and endpoint and "/webhooks/demo-receiver/" in endpoint.url
    )
    return _page(
        request,
        "webhooks/endpoint.html",
        form=form,
        endpoint=endpoint,
        deliveries=deliveries,
        demo_received=demo_receiver.received(endpoint.pk) if demo else None,
    )


@operator_required
def endpoint_add(request):
    return _edit(request, None)


@operator_required
def endpoint_edit(request, pk):
    return _edit(request, _endpoint(_manager(request), pk))


@operator_required
def endpoint_delete(request, pk):
    account_id = _manager(request)
    endpoint = _endpoint(account_id, pk)
    if request.method == "POST":
        services.delete_endpoint(account_id=account_id, endpoint_id=endpoint.pk)
        messages.success(request, _("Endpoint deleted."))
        return redirect("webhooks:list")
    return _page(request, "webhooks/confirm_delete.html", endpoint=endpoint)


@require_POST
@operator_required
def send_test(request, pk):
    account_id = _manager(request)
    endpoint = _endpoint(account_id, pk)
    services.send_test_event(account_id=account_id, endpoint_id=endpoint.pk)
    messages.success(request, _("Test event queued; its delivery shows below."))
    return redirect("webhooks:edit", pk=endpoint.pk)


@require_POST
@operator_required
def retry(request, pk):
    account_id = _manager(request)
    try:
        delivery = services.retry_delivery(account_id=account_id, delivery_id=pk)
    except NotFound as missing:
        raise Http404 from missing
    messages.success(request, _("Delivery queued again."))
    return redirect("webhooks:edit", pk=delivery.endpoint_id)


@csrf_exempt
@require_POST
def demo_receive(request, pk):
    """The demo receiver of `make run` (webhooks.demo_receiver); off in production."""
    if not settings.WEBHOOKS_DEMO_RECEIVER:
        raise Http404
    status = demo_receiver.receive(pk, request.headers, request.body)
    return HttpResponse(status=status)
