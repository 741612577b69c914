"""Business hours in the Django admin: one page per site with its weekly ranges and special
days inline, checked by the console's formsets (engage/hours_forms.py). Registered from
EngageConfig.ready()."""

from django.contrib import admin

from engage import hours_services
from engage.hours_forms import (
    SiteHoursForm,
    SpecialDayForm,
    SpecialDayFormSet,
    WeeklyRangeForm,
    WeeklyRangeFormSet,
)
from engage.models import SiteHours, SpecialDay, WeeklyRange


class WeeklyRangeInline(admin.TabularInline):
    model = WeeklyRange
    form = WeeklyRangeForm
    formset = WeeklyRangeFormSet
    extra = 1


class SpecialDayInline(admin.TabularInline):
    model = SpecialDay
    form = SpecialDayForm
    formset = SpecialDayFormSet
    extra = 1


@admin.register(SiteHours)
class SiteHoursAdmin(admin.ModelAdmin):
    form = SiteHoursForm
    fields = ["site", "enabled", "time_zone"]
    list_display = ["site", "enabled", "time_zone"]
    list_filter = ["enabled", "site__account"]
    list_select_related = ["site"]
    inlines = [WeeklyRangeInline, SpecialDayInline]

    def get_readonly_fields(self, request, obj=None):
        return ["site"] if obj else []

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        hours_services.hours_changed(form.instance.site_id)
