"""The "Tag" filter of console lists (History, Leads): the dialogs, or the rows whose
dialog, carrying a tag of the operator's account."""

import django_filters
from django.utils.translation import gettext_lazy as _

from tags import selectors


class TagFilter(django_filters.ModelChoiceFilter):
    """Its choices are the tags of the filter set's operator's account (the set's
    `operator`, chat.console.filters.DateRangeFilterSet): another account's tag id is
    refused as an invalid choice. dialog_field: the rows' field holding the dialog id."""

    def __init__(self, *, dialog_field: str = "pk", **kwargs):
        self.dialog_field = dialog_field
        kwargs.setdefault("label", _("Tag"))
        kwargs.setdefault("empty_label", _("Any tag"))
        kwargs.setdefault("queryset", None)
        super().__init__(**kwargs)

    def get_queryset(self, request):
        return selectors.account_tags(self.parent.operator.account_id)

    def filter(self, rows, tag):
        if not tag:
            return rows
        return rows.filter(**{f"{self.dialog_field}__in": selectors.dialog_ids_tagged(tag)})
