"""History's Channel column and filter (chat/console/history_columns.py)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from chat.console.history_columns import HistoryColumn
from messengers import rows
from messengers.models import Kind

WIDGET = "widget"


def by_channel(queryset, _name, value):
    if value == WIDGET:
        return queryset.filter(visitor__messenger_contact__isnull=True)
    return queryset.filter(visitor__messenger_contact__bot__kind=value)


class ChannelFilter(django_filters.ChoiceFilter):
    def __init__(self):
        choices = [(WIDGET, _("Website widget")), *Kind.choices]
        super().__init__(
            label=_("Channel"), choices=choices, empty_label=_("Any channel"), method=by_channel
        )


def channel_column() -> HistoryColumn:
    return HistoryColumn(
        name="channel",
        heading=_("Channel"),
        cell_template="messengers/_history_cell.html",
        prepare_rows=rows.with_contact,
        filter=ChannelFilter(),
    )
