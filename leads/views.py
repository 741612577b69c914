"""The widget's two form endpoints (visitors) and the console's Leads pages (operators).

The widget endpoints are csrf_exempt because the visitor token (header X-Visitor-Token) is
the credential, as for widget uploads; docs/protocol.md (Leads) describes them.
"""

import csv
import json

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from chat.console import selectors as chat_selectors
from chat.errors import AccessDenied, ChatError
from chat.views.decorators import operator_required
from chat.visitors.client_ip import ip_from_request
from leads import selectors, services
from leads.filters import LeadFilter
from leads.forms import IntroduceForm, OfflineForm
from tags import selectors as tag_selectors

BODY_MAX_BYTES = 32 * 1024
STATUS = {"forbidden": 403, "not_found": 404}


# --- widget -------------------------------------------------------------------------------


def refusal(error: ChatError) -> JsonResponse:
    status = getattr(error, "status", None) or STATUS.get(error.code, 400)
    return JsonResponse({"code": error.code, "detail": error.detail, **error.fields}, status=status)


def _form_data(request) -> dict:
    if int(request.META.get("CONTENT_LENGTH") or 0) > BODY_MAX_BYTES:
        raise ChatError("too_large", _("The form is too large."))
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            raise ChatError("bad_json", _("The form is not valid JSON.")) from None
        if not isinstance(data, dict):
            raise ChatError("bad_json", _("The form must be a JSON object."))
        # Only strings reach the form: a number or a list is not a name.
        return {key: value for key, value in data.items() if isinstance(value, str)}
    return request.POST


def _receive(request, widget_key, form_class, submit):
    """Token, blacklist and rate limit, honeypot, form, then the service."""
    try:
        token = request.headers.get("X-Visitor-Token") or request.POST.get("token")
        visitor = chat_selectors.visitor_by_token(widget_key, token)
        if visitor is None:
            raise AccessDenied(_("Unknown visitor token: connect to the chat first."))
        ip = ip_from_request(request)
        services.check_sender(visitor=visitor, ip=ip)
        form = form_class(_form_data(request))
        if form.is_spam:
            services.absorb_spam(visitor=visitor, ip=ip)
            return JsonResponse({"ok": True})
        if not form.is_valid():
            errors = {field: list(messages) for field, messages in form.errors.items()}
            return JsonResponse({"errors": errors}, status=400)
        submit(visitor_id=visitor.id, ip=ip, contact=form.cleaned_data)
    except ChatError as error:
        return refusal(error)
    return JsonResponse({"ok": True})


@csrf_exempt
@require_POST
def widget_lead(request, widget_key):
    """The offline form."""
    return _receive(request, widget_key, OfflineForm, services.submit_offline_lead)


@csrf_exempt
@require_POST
def widget_introduce(request, widget_key):
    """ "Introduce yourself" during a chat."""
    return _receive(request, widget_key, IntroduceForm, services.introduce_visitor)


# --- console ------------------------------------------------------------------------------


def _filtered(request):
    return LeadFilter(request.GET, operator=request.operator)


@require_GET
@operator_required
def lead_list(request):
    filterset = _filtered(request)
    page = None
    read_at = timezone.now()  # the list's cursor: leads.js catches up from it (lead_rows)
    if filterset.is_valid():
        page = selectors.leads_page(filterset.qs, request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "leads/list.html",
        {
            "operator": request.operator,
            "tab": "leads",
            "members": chat_selectors.tab_members(request.operator),
            "filter": filterset,
            "page": page,
            # New leads arrive live only where they would be listed: the first page of a
            # list whose date range reaches today.
            # Not under a tag filter: a lead's frame does not say its dialog's tags.
            "live": page is not None
            and page.number == 1
            and filterset.includes_new_leads()
            and not filterset.form.cleaned_data.get("tag"),
            "read_at": read_at,
            "export_query": query.urlencode(),
            "active_filters": sum(1 for name in ("site", "source", "tag") if request.GET.get(name)),
        },
    )


@require_GET
@operator_required
def lead_rows(request):
    """The Leads page's catch-up after each (re)connect of its socket (leads.js): the
    filtered leads received since the page (or the previous catch-up) read its list, minus
    a margin for transactions that committed after that read; the page adds those it does
    not show. X-Read-At: the next call's `since`; X-Total: the filtered total now."""
    read_at = timezone.now()
    since = parse_datetime(request.GET.get("since", ""))
    if since is None or timezone.is_naive(since):
        return HttpResponse("since must be a date and time with its offset", status=400)
    filterset = _filtered(request)
    if not filterset.is_valid():
        return HttpResponse("invalid filter", status=400)
    leads, total = selectors.leads_since(filterset.qs, since - selectors.CATCH_UP_MARGIN)
    response = render(request, "leads/_lead_rows.html", {"leads": leads})
    response["X-Read-At"] = read_at.isoformat()
    response["X-Total"] = str(total)
    return response


@require_GET
@operator_required
def lead_detail(request, pk):
    view = selectors.lead_view(request.operator, pk)
    return render(
        request,
        "leads/detail.html",
        {
            "operator": request.operator,
            "tab": "leads",
            "members": chat_selectors.tab_members(request.operator),
            "view": view,
            "lead": view.lead,
        },
    )


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A cell a spreadsheet will not run: text starting like a formula gets a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


CSV_COLUMNS = (
    (
        gettext_lazy("Received"),
        lambda lead: timezone.localtime(lead.created_at).strftime("%Y-%m-%d %H:%M"),
    ),
    (gettext_lazy("Site"), lambda lead: lead.site.name),
    (gettext_lazy("Source"), lambda lead: lead.get_source_display()),
    (gettext_lazy("Name"), lambda lead: lead.name),
    (gettext_lazy("Email"), lambda lead: lead.email),
    (gettext_lazy("Phone"), lambda lead: lead.phone),
    (gettext_lazy("Message"), lambda lead: lead.message),
    (gettext_lazy("Page"), lambda lead: lead.page_url),
    ("IP", lambda lead: lead.ip),
    (gettext_lazy("Dialog"), lambda lead: f"#{lead.dialog.number}" if lead.dialog else ""),
    (
        gettext_lazy("Tags"),
        lambda lead: ", ".join(tag_selectors.tag_names(lead.dialog)) if lead.dialog else "",
    ),
)


@require_GET
@operator_required
def lead_export(request):
    """The filtered list as CSV: UTF-8 with a BOM, so that Excel reads Cyrillic."""
    filterset = _filtered(request)
    if not filterset.is_valid():
        errors = "; ".join(m for messages in filterset.form.errors.values() for m in messages)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="leads-{stamp}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([str(title) for title, _value in CSV_COLUMNS])
    for lead in selectors.export_rows(filterset.qs):
        writer.writerow([safe_cell(value(lead)) for _title, value in CSV_COLUMNS])
    return response
