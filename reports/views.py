"""The Reports page and its CSV tables (console/reports/, namespace "reports"), for
operators with can_see_reports; figures of his own sites only. The admin shows the same
page for any account (reports/admin.py); both build it with reports.page."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_GET

from chat.console import selectors as chat_selectors
from chat.views.decorators import operator_required
from reports import definitions, export, page, selectors
from reports.periods import ReportForm
from reports.report import Report


def _check(operator) -> None:
    if not operator.can_see_reports:
        raise PermissionDenied("This operator may not see reports.")


def _report(request):
    """(form, report or None); PermissionDenied without the flag."""
    _check(request.operator)
    sites = selectors.sites_of(request.operator)
    form = ReportForm(request.GET, sites=sites, account_id=request.operator.account_id)
    if not form.is_valid():
        return form, None
    report = Report(
        account_id=request.operator.account_id,
        sites=list(form.fields["site"].queryset),
        cleaned=form.cleaned_data,
    )
    return form, report


@require_GET
@operator_required
def report_page(request):
    form, report = _report(request)
    context = {
        "operator": request.operator,
        "tab": "reports",
        "members": chat_selectors.tab_members(request.operator),
        "form": form,
        **page.context(
            report,
            export_url="reports:export",
            definitions_url=reverse("reports:definitions"),
            query=request.GET.urlencode(),
        ),
    }
    return render(request, "reports/page.html", context, status=200 if report else 400)


@require_GET
@operator_required
def report_export(request, table):
    if table not in export.TABLES:
        raise Http404("No such table.")
    form, report = _report(request)
    if report is None:
        return page.form_errors(form)
    return page.csv_response(report, table)


@require_GET
@operator_required
def report_definitions(request):
    """docs/reports.md (docs/reports.ru.md in Russian): what every figure counts."""
    _check(request.operator)
    language = translation.get_language()
    return render(
        request,
        "reports/definitions.html",
        {
            "operator": request.operator,
            "tab": "reports",
            "members": chat_selectors.tab_members(request.operator),
            "definitions": definitions.html(language),
            "definitions_language": definitions.language_of(language),
        },
    )
