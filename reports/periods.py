"""The period a report covers: whole days in the operator's time zone, and the previous
period of the same length just before it (docs/reports.md, "Period")."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports import dialog_filters

DEFAULT_DAYS = 7
MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date
    start: datetime  # the first day's midnight in the zone (aware)
    end: datetime  # the midnight after the last day (aware), excluded

    @property
    def days(self) -> list[date]:
        return [
            self.first_day + timedelta(days=n)
            for n in range((self.last_day - self.first_day).days + 1)
        ]

    def __contains__(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def period_of(first_day: date, last_day: date, zone) -> Period:
    return Period(
        first_day,
        last_day,
        timezone.make_aware(datetime.combine(first_day, time.min), zone),
        timezone.make_aware(datetime.combine(last_day + timedelta(days=1), time.min), zone),
    )


def previous_of(period: Period, zone) -> Period:
    length = (period.last_day - period.first_day).days + 1
    return period_of(
        period.first_day - timedelta(days=length), period.first_day - timedelta(days=1), zone
    )


class ReportForm(forms.Form):
    """The page's filter: a range of days (default the last 7, today included), one of
    the operator's sites or all of them, and the filters other apps add
    (reports.dialog_filters: tags' "Tag"), their choices the account's."""

    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=None, required=False, empty_label=_("All my sites")
    )

    def __init__(self, data, *, sites, account_id=None):
        # The inputs show the period the page shows, the default one included.
        data = data.copy()
        today = timezone.localdate()
        if not data.get("date_to"):
            data["date_to"] = today.isoformat()
        if not data.get("date_from"):
            try:
                last = date.fromisoformat(data["date_to"])
            except ValueError:
                last = today  # the field's own error tells
            data["date_from"] = (last - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
        super().__init__(data)
        self.fields["site"].queryset = sites
        dialog_filters.add_fields(self, account_id)

    def clean(self):
        cleaned = super().clean()
        today = timezone.localdate()
        last = cleaned.get("date_to") or today
        first = cleaned.get("date_from") or last - timedelta(days=DEFAULT_DAYS - 1)
        if first > last:
            raise forms.ValidationError(_("The first day must not be after the last one."))
        if (last - first).days + 1 > MAX_DAYS:
            raise forms.ValidationError(_("Choose at most %(days)s days.") % {"days": MAX_DAYS})
        cleaned["date_from"], cleaned["date_to"] = first, last
        return cleaned
