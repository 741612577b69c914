"""The Visitors tab (Посетители): who is on the operator's sites now, live, and
"Write to visitor"."""

import uuid

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from chat.console import selectors as chat_selectors
from chat.errors import ChatError, NotFound
from chat.views.decorators import operator_required
from engage import outreach, visitors
from engage.visitors_forms import VisitorFilterForm

STATUS = {"not_found": 404, "forbidden": 403, outreach.RATE_LIMITED: 429}


@require_GET
@operator_required
def visitor_list(request):
    operator = request.operator
    sites = operator.sites.order_by("name")
    site_list = list(sites)
    site_ids = {site.id for site in site_list}
    form = VisitorFilterForm(request.GET, sites=sites)
    rows = []
    if form.is_valid():
        site = form.cleaned_data["site"]
        rows = visitors.online_rows(
            site_ids,
            site_id=site.id if site else None,
            not_in_dialog=form.cleaned_data["not_in_dialog"],
            page_contains=form.cleaned_data["page"],
        )
    filtered = form.is_valid() and any(form.cleaned_data.values())
    return render(
        request,
        "engage/visitors.html",
        {
            "operator": operator,
            "tab": "visitors",
            "members": chat_selectors.tab_members(operator),
            "form": form,
            "rows": rows,
            "sites": site_list,
            "filtered": filtered,
            "client_id": uuid.uuid4().hex,
        },
    )


@require_GET
@operator_required
def visitor_counts(request):
    """The tab's count on every console page (visitors-tab.js), per site: live
    visitors_count frames then replace one site's figure."""
    site_ids = chat_selectors.site_ids_of(request.operator)
    counts = visitors.online_counts(site_ids)
    return JsonResponse({"sites": {str(site): count for site, count in counts.items()}})


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_POST
@operator_required
def write(request, pk):
    """pk: the visitor's id."""
    try:
        dialog, _message = outreach.write_to_visitor(
            operator=request.operator,
            visitor_id=pk,
            text=request.POST.get("text", ""),
            client_id=request.POST.get("client_id") or uuid.uuid4().hex,
        )
    except NotFound as error:
        if _wants_json(request):
            return JsonResponse({"code": error.code, "detail": str(error.detail)}, status=404)
        raise Http404(error.detail) from error
    except ChatError as error:
        if _wants_json(request):
            return JsonResponse(
                {"code": error.code, "detail": str(error.detail)},
                status=STATUS.get(error.code, 409),
            )
        messages.error(request, error.detail)
        return redirect("engage:visitors")
    url = reverse("console:dialog", args=[dialog.id])
    if _wants_json(request):
        return JsonResponse({"dialog": dialog.id, "url": url})
    return redirect(url)
