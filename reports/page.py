"""What the Reports page shows, wherever it is shown (the console's /console/reports/ and
the admin's /admin/reports/report/): the charts of a Report, the links of its CSV tables,
and a table as a CSV response. The views only decide who may see which account's sites."""

import csv

from django.http import HttpResponse
from django.urls import reverse

from leads.views import safe_cell
from reports import charts, export
from reports.report import WEEKDAYS, WEEKDAYS_SHORT


def context(report, *, export_url: str, definitions_url: str, query: str) -> dict:
    """The template context of templates/reports/_report.html. export_url: the URL name of
    the CSV tables (one argument, the table); query: the filter, repeated on each link."""
    if report is None:
        return {"report": None}
    return {
        "report": report,
        "active_filters": len(report.kept.subqueries),  # the filter button's count
        "daily_chart": charts.daily_chart(report.daily),
        "heatmap_chart": charts.heatmap_chart(report.heatmap, WEEKDAYS, WEEKDAYS_SHORT),
        "exports": {
            table: f"{reverse(export_url, args=[table])}?{query}" for table in export.TABLES
        },
        "definitions": definitions_url,
    }


def form_errors(form) -> HttpResponse:
    errors = "; ".join(m for messages in form.errors.values() for m in messages)
    return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")


def csv_response(report, table: str) -> HttpResponse:
    """One of the page's tables as CSV: UTF-8 with a BOM (Excel reads Cyrillic), every cell
    through the Leads export's safe_cell. table is one of export.TABLES."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"report-{table}-{report.period.first_day}-{report.period.last_day}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    for row in export.ROWS[table](report):
        writer.writerow([safe_cell(value) for value in row])
    return response
