"""Filters of the console's Dialog history page (django-filter)."""

import copy
import datetime

import django_filters
from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chat.console import history, history_columns
from chat.models import Dialog
from operators.models import Operator

DEFAULT_DAYS = 7
# Far enough for any real history; outside it the time zone arithmetic could overflow.
EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2999, 12, 31)


def start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of the day in the server's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class HistoryForm(forms.Form):
    def _clean_day(self, name):
        day = self.cleaned_data.get(name)
        if day and not EARLIEST <= day <= LATEST:
            raise forms.ValidationError(
                _("Choose a date between %(start)s and %(end)s.")
                % {"start": EARLIEST.isoformat(), "end": LATEST.isoformat()}
            )
        return day

    def clean_date_from(self):
        return self._clean_day("date_from")

    def clean_date_to(self):
        return self._clean_day("date_to")

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class DateRangeFilterSet(django_filters.FilterSet):
    """A console list's date range on `created_at` (default: the last 7 days) and the
    operator's sites. Subclasses set Meta.model and pass the visible rows as queryset."""

    date_from = django_filters.DateFilter(
        label=_("From"), method="filter_date_from", widget=_date_input()
    )
    date_to = django_filters.DateFilter(
        label=_("To"), method="filter_date_to", widget=_date_input()
    )
    site = django_filters.ModelChoiceFilter(
        label=_("Site"), queryset=None, empty_label=_("All sites")
    )

    class Meta:
        fields = []
        form = HistoryForm  # the date checks: within bounds, the end not before the start

    def __init__(self, data=None, *, operator: Operator, queryset, **kwargs):
        data = data.copy() if data is not None else QueryDict(mutable=True)
        # Neither date in the query: the last week. Both sent empty: no date limit.
        if "date_from" not in data and "date_to" not in data:
            today = timezone.localdate()
            data["date_from"] = (today - datetime.timedelta(days=DEFAULT_DAYS - 1)).isoformat()
            data["date_to"] = today.isoformat()
        super().__init__(data, queryset=queryset, **kwargs)
        self.operator = operator  # other apps' filters read it (their choices: his account's)
        self.filters["site"].queryset = operator.sites.order_by("name")

    def filter_date_from(self, rows, name, day):
        return rows.filter(created_at__gte=start_of(day))

    def filter_date_to(self, rows, name, day):
        return rows.filter(created_at__lt=start_of(day + datetime.timedelta(days=1)))


class HistoryFilter(DateRangeFilterSet):
    """Date range (default: the last 7 days), site, operator, status and text search over
    the dialogs this operator may see."""

    operator = django_filters.ModelChoiceFilter(
        label=_("Operator"),
        queryset=None,
        method="filter_operator",
        empty_label=_("All operators"),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Dialog.Status.choices, empty_label=_("Any status")
    )
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Message, name, email or phone")}
        ),
    )

    class Meta(DateRangeFilterSet.Meta):
        model = Dialog

    def __init__(self, data=None, *, operator: Operator, **kwargs):
        super().__init__(
            data, operator=operator, queryset=history.visible_dialogs(operator), **kwargs
        )
        self.filters["operator"].queryset = (
            Operator.objects.filter(account_id=operator.account_id)
            .select_related("user")
            .order_by("display_name", "user__username")
        )
        # Filters of other apps' columns (chat/console/history_columns.py).
        for column in history_columns.columns():
            if column.filter is not None:
                extra = copy.deepcopy(column.filter)
                extra.parent = self
                self.filters[column.name] = extra

    def filter_operator(self, dialogs, name, operator):
        return history.with_operator(dialogs, operator)

    def filter_text(self, dialogs, name, text):
        return history.search(dialogs, text)
