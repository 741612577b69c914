"""The Reports page and its CSV tables (console/reports/, namespace "reports"), for
operators with can_see_reports; figures of his own sites only."""

import csv

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from chat.console import selectors as chat_selectors
from chat.views.decorators import operator_required
from leads.views import safe_cell
from reports import charts, definitions, export, selectors
from reports.periods import ReportForm
from reports.report import WEEKDAYS, WEEKDAYS_SHORT, Report


def _report(request):
    """(form, report or None); PermissionDenied without the flag."""
    if not request.operator.can_see_reports:
        raise PermissionDenied("This operator may not see reports.")
    sites = selectors.sites_of(request.operator)
    form = ReportForm(request.GET, sites=sites)
    if not form.is_valid():
        return form, None
    return form, Report(request.operator, list(form.fields["site"].queryset), form.cleaned_data)


@require_GET
@operator_required
def report_page(request):
    form, report = _report(request)
    context = {
        "operator": request.operator,
        "tab": "reports",
        "members": chat_selectors.tab_members(request.operator),
        "form": form,
        "report": report,
        "query": request.GET.urlencode(),
    }
    if report is not None:
        context["daily_chart"] = charts.daily_chart(report.daily)
        context["heatmap_chart"] = charts.heatmap_chart(report.heatmap, WEEKDAYS, WEEKDAYS_SHORT)
    return render(request, "reports/page.html", context, status=200 if report else 400)


@require_GET
@operator_required
def report_export(request, table):
    """One of the page's tables as CSV: UTF-8 with a BOM (Excel reads Cyrillic), every cell
    through the Leads export's safe_cell."""
    if table not in export.TABLES:
        raise Http404("No such table.")
    form, report = _report(request)
    if report is None:
        errors = "; ".join(m for messages in form.errors.values() for m in messages)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"report-{table}-{report.period.first_day}-{report.period.last_day}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    for row in export.ROWS[table](report):
        writer.writerow([safe_cell(value) for value in row])
    return response


@require_GET
@operator_required
def report_definitions(request):
    """docs/reports.md: what every figure counts (English, as the docs are)."""
    if not request.operator.can_see_reports:
        raise PermissionDenied("This operator may not see reports.")
    return render(
        request,
        "reports/definitions.html",
        {
            "operator": request.operator,
            "tab": "reports",
            "members": chat_selectors.tab_members(request.operator),
            "definitions": definitions.html(),
        },
    )
