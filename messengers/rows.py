"""The channel's icon and the user's handle on the console's dialog rows
(chat/console/row_parts.py). The contact comes with the row's visitor (one join, no query)."""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, prefetch_related_objects
from django.utils.html import format_html

ICONS = {"telegram": "✈", "vk": "VK"}


def contact_of(dialog):
    try:
        return dialog.visitor.messenger_contact
    except ObjectDoesNotExist:
        return None


def with_contact(rows):
    return rows.select_related("visitor__messenger_contact__bot")


def load(dialogs) -> None:
    """One query: the dialogs' visitors are loaded with them."""
    from messengers.models import Contact

    contacts = Prefetch("visitor__messenger_contact", Contact.objects.select_related("bot"))
    prefetch_related_objects(dialogs, contacts)


def badge_html(dialog) -> str:
    contact = contact_of(dialog)
    if contact is None:
        return ""
    kind = contact.bot.kind
    return format_html(
        '<span class="channel-badge channel-{}" title="{}"><span class="channel-icon" '
        'aria-hidden="true">{}</span> {}</span>',
        kind,
        contact.bot.get_kind_display(),
        ICONS.get(kind, ""),
        f"@{contact.handle}" if contact.handle else contact.bot.get_kind_display(),
    )


def facts(dialog) -> list:
    contact = contact_of(dialog)
    return [contact.bot.kind, contact.handle] if contact else []


def channel_row_part():
    from chat.console.row_parts import RowPart

    return RowPart(
        name="channel", html=badge_html, facts=facts, prepare_rows=with_contact, load=load
    )
