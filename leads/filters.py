"""Filters of the console's Leads page (django-filter): the History page's date range
(default: the last 7 days), plus site and source."""

import datetime

import django_filters
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chat.filters import DEFAULT_DAYS, HistoryForm, _date_input, start_of
from leads import selectors
from leads.models import Lead
from operators.models import Operator


class LeadFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(
        label=_("From"), method="filter_date_from", widget=_date_input()
    )
    date_to = django_filters.DateFilter(
        label=_("To"), method="filter_date_to", widget=_date_input()
    )
    site = django_filters.ModelChoiceFilter(
        label=_("Site"), queryset=None, empty_label=_("All sites")
    )
    source = django_filters.ChoiceFilter(
        label=_("Source"), choices=Lead.Source.choices, empty_label=_("Any source")
    )

    class Meta:
        model = Lead
        fields = []
        form = HistoryForm  # the date checks: within bounds, the end not before the start

    def __init__(self, data=None, *, operator: Operator, **kwargs):
        data = data.copy() if data is not None else QueryDict(mutable=True)
        # Neither date in the query: the last week. Both sent empty: no date limit.
        if "date_from" not in data and "date_to" not in data:
            today = timezone.localdate()
            data["date_from"] = (today - datetime.timedelta(days=DEFAULT_DAYS - 1)).isoformat()
            data["date_to"] = today.isoformat()
        super().__init__(data, queryset=selectors.visible_leads(operator), **kwargs)
        self.filters["site"].queryset = operator.sites.order_by("name")

    def filter_date_from(self, leads, name, day):
        return leads.filter(created_at__gte=start_of(day))

    def filter_date_to(self, leads, name, day):
        return leads.filter(created_at__lt=start_of(day + datetime.timedelta(days=1)))

    def includes_new_leads(self) -> bool:
        """Whether a lead received now belongs in this list (the date range reaches today);
        the page's script checks site and source itself."""
        data = self.form.cleaned_data
        date_to = data.get("date_to")
        return not date_to or date_to >= timezone.localdate()
