"""{{ dialog|channel_badge }}: the channel's icon and the user's handle (History, the
dialog header); {% channel_card dialog %}: the visitor card's messenger profile line."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from messengers import rows

register = template.Library()


@register.filter
def channel_badge(dialog):
    return rows.badge_html(dialog) or format_html(
        '<span class="channel-badge channel-widget">{}</span>', _("Website widget")
    )


@register.simple_tag
def channel_profile(dialog):
    """A link to the messenger user's profile, or nothing for the widget."""
    contact = rows.contact_of(dialog)
    if contact is None or not contact.profile_url:
        return ""
    return format_html(
        '<a class="channel-profile" href="{}" rel="noopener noreferrer" target="_blank">{}</a>',
        contact.profile_url,
        _("Profile in %(channel)s") % {"channel": contact.bot.get_kind_display()},
    )


@register.simple_tag
def dialog_channel(dialog):
    """The dialog header's " · ✈ @handle (profile)"; nothing for the widget."""
    badge = rows.badge_html(dialog)
    if not badge:
        return ""
    profile = channel_profile(dialog)
    return format_html(" · {}{}", badge, format_html(" · {}", profile) if profile else "")


@register.simple_tag
def card_channel(dialog):
    """The visitor card's Channel line; nothing for the widget."""
    badge = rows.badge_html(dialog)
    if not badge:
        return ""
    return format_html("<dt>{}</dt><dd>{} {}</dd>", _("Channel"), badge, channel_profile(dialog))
