"""History's Channel column and filter (chat/console/history_columns.py): the messengers'
kinds, the channels other apps register (chat/console/channels.py: mailchannel's e-mail)
and the website widget, which is every other dialog."""

import django_filters
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chat.console import channels
from chat.console.history_columns import HistoryColumn
from messengers import rows
from messengers.models import Kind

WIDGET = "widget"


def by_channel(queryset, _name, value):
    if value == WIDGET:
        return channels.exclude_all(queryset.filter(visitor__messenger_contact__isnull=True))
    other = channels.get(value)
    if other is not None:
        return other.dialogs(queryset)
    return queryset.filter(visitor__messenger_contact__bot__kind=value)


def channel_choices() -> list[tuple[str, str]]:
    """Read when the filter's form is built: the other apps' channels are registered by
    then, whatever the order of INSTALLED_APPS."""
    return [(WIDGET, _("Website widget")), *Kind.choices, *channels.choices()]


class ChannelFilter(django_filters.ChoiceFilter):
    def __init__(self):
        choices = channel_choices
        super().__init__(
            label=_("Channel"), choices=choices, empty_label=_("Any channel"), method=by_channel
        )


def channel_cell(dialog) -> str:
    """The cell: the channel's icon and the user's handle, from the contact with_contact
    joined; another app's channel (annotated by prepare_rows); "Website widget" else."""
    badge = (
        rows.badge_html(dialog)
        or channels.badge_html(dialog)
        or format_html(
            '<span class="channel-badge channel-widget">{}</span>', gettext("Website widget")
        )
    )
    return format_html('<td class="h-channel">{}</td>', badge)


def channel_column() -> HistoryColumn:
    return HistoryColumn(
        name="channel",
        heading=_("Channel"),
        prepare_rows=lambda queryset: channels.prepare(rows.with_contact(queryset)),
        cell_html=channel_cell,
        filter=ChannelFilter(),
    )
