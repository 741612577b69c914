"""Filters of the console's Leads page (django-filter): the History page's date range
(default: the last 7 days), plus site, source and the tag of the lead's dialog."""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chat.console.filters import DateRangeFilterSet
from leads import selectors
from leads.models import Lead
from operators.models import Operator
from tags.filters import TagFilter


class LeadFilter(DateRangeFilterSet):
    source = django_filters.ChoiceFilter(
        label=_("Source"), choices=Lead.Source.choices, empty_label=_("Any source")
    )
    tag = TagFilter(dialog_field="dialog_id")

    class Meta(DateRangeFilterSet.Meta):
        model = Lead

    def __init__(self, data=None, *, operator: Operator, **kwargs):
        super().__init__(
            data, operator=operator, queryset=selectors.visible_leads(operator), **kwargs
        )

    def includes_new_leads(self) -> bool:
        """Whether a lead received now belongs in this list (the date range reaches today);
        the page's script checks site and source itself."""
        data = self.form.cleaned_data
        date_to = data.get("date_to")
        return not date_to or date_to >= timezone.localdate()
