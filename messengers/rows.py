"""The channel's icon and the user's handle on the console's dialog rows
(chat/console/row_parts.py). The contact comes with the row's visitor (one join, no query)."""

from django.utils.html import format_html

ICONS = {"telegram": "✈", "vk": "VK"}


CACHE = "_messenger_contact"


def _remember(dialog, contact):
    dialog.__dict__[CACHE] = contact
    visitor = dialog._state.fields_cache.get("visitor")
    if visitor is not None:
        visitor.__dict__[CACHE] = contact
    return contact


def contact_of(dialog):
    """The dialog's messenger contact (with its bot), None for the widget: from what the
    list or load() read, else one query (kept on the dialog and its visitor)."""
    if CACHE in dialog.__dict__:
        return dialog.__dict__[CACHE]
    visitor = dialog._state.fields_cache.get("visitor")
    if visitor is not None and CACHE in visitor.__dict__:
        return _remember(dialog, visitor.__dict__[CACHE])
    if visitor is not None and "messenger_contact" in visitor._state.fields_cache:
        return _remember(dialog, visitor._state.fields_cache["messenger_contact"])
    from messengers.models import Contact

    found = Contact.objects.select_related("bot").filter(visitor_id=dialog.visitor_id).first()
    return _remember(dialog, found)


def with_contact(rows):
    return rows.select_related("visitor__messenger_contact__bot")


def load(dialogs) -> None:
    """One query for all the dialogs, whether their visitors are loaded or not."""
    from messengers.models import Contact

    visitor_ids = {dialog.visitor_id for dialog in dialogs}
    found = Contact.objects.select_related("bot").filter(visitor_id__in=visitor_ids)
    contacts = {contact.visitor_id: contact for contact in found}
    for dialog in dialogs:
        _remember(dialog, contacts.get(dialog.visitor_id))


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
