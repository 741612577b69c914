"""Channels a dialog may come by besides the website widget and the messengers, without
chat importing the apps that bring them (mailchannel: a dialog opened by an e-mail).

The console shows a dialog's channel in History's Channel column and filter, the dialog
header and the visitor card. messengers owns those places (messengers/history.py,
messengers/templatetags/messengers_tags.py): a dialog whose visitor has no messenger
contact is shown by the first registered channel that claims it, else as "Website widget".
The tab rows (Mine, Others, Missed) show it too, through a RowPart the channel's app
registers itself (chat/console/row_parts.py; mailchannel/rows.py), drawn with
`channel_badge` as here: a live row must read no query, which `claims` may.

An app registers a Channel in its AppConfig.ready():

    channels.register(Channel(value="email", label=_("E-mail"), icon="✉", ...))

- `value` and `label`: History's filter choice (its query parameter value) and the badge;
- `dialogs(queryset)`: the queryset narrowed to the dialogs of this channel (the filter);
  `exclude(queryset)` the rest (the widget's choice);
- `prepare_rows(queryset)`: History's rows, annotated so that `claims` reads no query
  (History's query count stays fixed: tests pin it);
- `claims(dialog)`: whether the dialog came by this channel; for a dialog read elsewhere
  (the dialog page) it may read one query, kept on the dialog.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.html import format_html


@dataclass(frozen=True)
class Channel:
    value: str
    label: str
    icon: str
    dialogs: Callable
    exclude: Callable
    claims: Callable
    prepare_rows: Callable = lambda rows: rows


_channels: dict[str, Channel] = {}


def register(channel: Channel) -> None:
    _channels[channel.value] = channel


def channels() -> list[Channel]:
    """The registered channels, in the order of registration (INSTALLED_APPS)."""
    return list(_channels.values())


def get(value: str) -> Channel | None:
    return _channels.get(value)


def choices() -> list[tuple[str, str]]:
    return [(channel.value, channel.label) for channel in _channels.values()]


def prepare(rows):
    for channel in _channels.values():
        rows = channel.prepare_rows(rows)
    return rows


def exclude_all(rows):
    """The rows of none of the registered channels."""
    for channel in _channels.values():
        rows = channel.exclude(rows)
    return rows


def channel_of(dialog) -> Channel | None:
    return next((channel for channel in _channels.values() if channel.claims(dialog)), None)


def badge_html(dialog) -> str:
    """The channel's icon and label, as messengers' badges are; "" when none claims it."""
    channel = channel_of(dialog)
    if channel is None:
        return ""
    return channel_badge(channel)


def channel_badge(channel: Channel) -> str:
    """The badge of one channel: also the one its app puts on the console's dialog rows
    (a RowPart of its own, chat/console/row_parts.py: mailchannel/rows.py)."""
    return format_html(
        '<span class="channel-badge channel-{}" title="{}"><span class="channel-icon" '
        'aria-hidden="true">{}</span> {}</span>',
        channel.value,
        channel.label,
        channel.icon,
        channel.label,
    )
