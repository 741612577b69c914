"""The Reports page in the admin (/admin/reports/report/, "Reports" on the admin index), in
the admin's look: an admin picks one account, the period and one of its sites and sees
what its operators see in the console, built by the same Report and templates
(reports.page, templates/reports/_report.html).

Who: superusers, and staff with the "Can view report" permission (reports.view_report),
for any account, as the rest of the admin is. One account at a time: its sites only, and
its operators only; a site of another account is refused by the form."""

import zoneinfo

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from chat.console import timezones
from chat.models import Site
from operators.models import Account
from reports import definitions, export, page
from reports.models import Report as ReportEntry
from reports.periods import ReportForm
from reports.report import Report


class AdminReportForm(ReportForm):
    """The console's filter with the account first; the sites are the chosen account's."""

    account = forms.ModelChoiceField(label=_("Account"), queryset=Account.objects.none())
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("Days are counted in it: pick the operators' zone to see their figures."),
    )
    field_order = ["account", "date_from", "date_to", "site", "time_zone"]

    def __init__(self, data, *, accounts):
        account_id = data.get("account")
        account_id = int(account_id) if str(account_id or "").isdigit() else None
        sites = (
            Site.objects.filter(account_id=account_id).order_by("name")
            if account_id is not None
            else Site.objects.none()
        )
        # The tag choices are the chosen account's (none before one is chosen).
        super().__init__(data, sites=sites, account_id=account_id)
        self.fields["account"].queryset = accounts
        self.fields["site"].empty_label = _("All sites of the account")
        common, rest = timezones.choices()
        self.fields["time_zone"].choices = [(zone, zone) for zone in common + rest]


def zone_of(request) -> str:
    """The report's zone: the one chosen, else the browser's (the console's "tz" cookie),
    else settings.TIME_ZONE."""
    for name in (request.GET.get("time_zone"), request.COOKIES.get(timezones.COOKIE)):
        if timezones.is_valid(name):
            return name
    return settings.TIME_ZONE


@admin.register(ReportEntry)
class ReportAdmin(admin.ModelAdmin):
    """No rows: the changelist is the report, plus its CSV tables and the definitions."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("", view(self.report_view), name="reports_report_changelist"),
            path("definitions/", view(self.definitions_view), name="reports_report_definitions"),
            path("<slug:table>.csv", view(self.export_view), name="reports_report_export"),
        ]

    # --- who and what -----------------------------------------------------------------

    def _check(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied("This login may not see reports.")

    def _report(self, request):
        """(form, report or None) for the chosen account; the first account by name when
        none is chosen yet."""
        self._check(request)
        accounts = Account.objects.order_by("name", "id")
        data = request.GET.copy()
        data["time_zone"] = timezone.get_current_timezone_name()
        if not data.get("account"):
            first = accounts.values_list("id", flat=True).first()
            if first is not None:
                data["account"] = str(first)
        form = AdminReportForm(data, accounts=accounts)
        if not form.is_valid():
            return form, None
        report = Report(
            account_id=form.cleaned_data["account"].id,
            sites=list(form.fields["site"].queryset),
            cleaned=form.cleaned_data,
        )
        return form, report

    # --- views ------------------------------------------------------------------------

    def report_view(self, request):
        with timezone.override(zoneinfo.ZoneInfo(zone_of(request))):
            return self._report_page(request).render()

    def _report_page(self, request):
        form, report = self._report(request)
        query = form.data.urlencode()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Reports"),
            "opts": self.model._meta,
            "form": form,
            "admin_page": True,
            **page.context(
                report,
                export_url="admin:reports_report_export",
                definitions_url=reverse("admin:reports_report_definitions"),
                query=query,
            ),
        }
        return TemplateResponse(
            request, "admin/reports/report/page.html", context, status=200 if report else 400
        )

    def export_view(self, request, table):
        if table not in export.TABLES:
            raise Http404("No such table.")
        with timezone.override(zoneinfo.ZoneInfo(zone_of(request))):
            form, report = self._report(request)
            if report is None:
                return page.form_errors(form)
            return page.csv_response(report, table)

    def definitions_view(self, request):
        self._check(request)
        language = translation.get_language()
        context = {
            **self.admin_site.each_context(request),
            "title": _("How reports are counted"),
            "opts": self.model._meta,
            "definitions": definitions.html(language),
            "definitions_language": definitions.language_of(language),
        }
        return TemplateResponse(request, "admin/reports/report/definitions.html", context)
