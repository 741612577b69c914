"""{% dialog_channel dialog %}: the channel's icon and the user's handle in the dialog
header; {% card_channel dialog %}: the visitor card's messenger profile line."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from chat.console import channels
from messengers import rows

register = template.Library()


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
    """The dialog header's " · ✈ @handle (profile)", or another app's channel (" · ✉
    E-mail"); nothing for the widget."""
    badge = rows.badge_html(dialog)
    if not badge:
        other = channels.badge_html(dialog)
        return format_html(" · {}", other) if other else ""
    profile = channel_profile(dialog)
    return format_html(" · {}{}", badge, format_html(" · {}", profile) if profile else "")


@register.simple_tag
def card_channel(dialog):
    """The visitor card's Channel line (a messenger's, or another app's channel); nothing
    for the widget."""
    badge = rows.badge_html(dialog)
    if not badge:
        other = channels.badge_html(dialog)
        return format_html("<dt>{}</dt><dd>{}</dd>", _("Channel"), other) if other else ""
    return format_html("<dt>{}</dt><dd>{} {}</dd>", _("Channel"), badge, channel_profile(dialog))
