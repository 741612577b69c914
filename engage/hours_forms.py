"""The business-hours editor's forms, shared by the console page and the admin: the
site's switch and zone, the weekly ranges and the special days. The rules a set of ranges
must keep (no overlap on one day, a day closed has no ranges) are checked here once, by
the formsets, so both editors show the same errors."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet, inlineformset_factory
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from chat.console import timezones
from engage.hours import minutes
from engage.models import WEEKDAYS, SiteHours, SpecialDay, WeeklyRange

TIME_INPUT = forms.TimeInput(format="%H:%M", attrs={"type": "time"})


def zone_choices():
    common, rest = timezones.choices()
    return [
        (_("Common"), [(zone, zone) for zone in common]),
        (_("All zones"), [(zone, zone) for zone in rest]),
    ]


class SiteHoursForm(forms.ModelForm):
    class Meta:
        model = SiteHours
        fields = ["enabled", "time_zone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"] = forms.ChoiceField(
            label=SiteHours._meta.get_field("time_zone").verbose_name.capitalize(),
            help_text=SiteHours._meta.get_field("time_zone").help_text,
            choices=zone_choices(),
        )


def overlaps(ranges) -> bool:
    """ranges: (opens, closes) pairs of one day, closes 00:00 meaning 24:00."""
    spans = sorted(minutes(opens, closes) for opens, closes in ranges)
    return any(later[0] < earlier[1] for earlier, later in zip(spans, spans[1:], strict=False))


class _RangesFormSet(BaseInlineFormSet):
    def kept(self):
        """The cleaned forms that stay (filled in and not marked for deletion)."""
        return [
            form for form in self.forms if form.cleaned_data and not self._should_delete_form(form)
        ]


class WeeklyRangeFormSet(_RangesFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        by_day: dict[int, list] = {}
        for form in self.kept():
            data = form.cleaned_data
            by_day.setdefault(data["weekday"], []).append((data["opens"], data["closes"]))
        names = dict(WEEKDAYS)
        clashes = [names[day] for day, ranges in sorted(by_day.items()) if overlaps(ranges)]
        if clashes:
            raise ValidationError(
                _("Ranges of one day overlap: %(days)s."),
                params={"days": ", ".join(str(name) for name in clashes)},
            )


class SpecialDayFormSet(_RangesFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        by_date: dict = {}
        for form in self.kept():
            data = form.cleaned_data
            by_date.setdefault(data["date"], []).append((data.get("opens"), data.get("closes")))
        for day, ranges in sorted(by_date.items()):
            shown = date_format(day, "DATE_FORMAT")
            if len(ranges) > 1 and any(opens is None for opens, _closes in ranges):
                raise ValidationError(
                    _(
                        "%(date)s is both closed and open: keep only its ranges, "
                        "or one row without times."
                    ),
                    params={"date": shown},
                )
            if all(opens is not None for opens, _closes in ranges) and overlaps(ranges):
                raise ValidationError(_("Ranges of %(date)s overlap."), params={"date": shown})


class WeeklyRangeForm(forms.ModelForm):
    class Meta:
        model = WeeklyRange
        fields = ["weekday", "opens", "closes"]
        widgets = {"opens": TIME_INPUT, "closes": TIME_INPUT}


class SpecialDayForm(forms.ModelForm):
    class Meta:
        model = SpecialDay
        fields = ["date", "opens", "closes", "note"]
        widgets = {
            "date": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
            "opens": TIME_INPUT,
            "closes": TIME_INPUT,
        }
        help_texts = {"opens": _("Empty: closed all day.")}


WeeklyFormSet = inlineformset_factory(
    SiteHours,
    WeeklyRange,
    form=WeeklyRangeForm,
    formset=WeeklyRangeFormSet,
    extra=1,
    can_delete=True,
)
SpecialDaysFormSet = inlineformset_factory(
    SiteHours,
    SpecialDay,
    form=SpecialDayForm,
    formset=SpecialDayFormSet,
    extra=1,
    can_delete=True,
)
