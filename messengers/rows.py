"""The channel's icon and the user's handle on the console's dialog rows
(chat/console/row_parts.py). The contact comes with a list's rows (one join); a live row
reads it from the cache (messengers/row_cache.py)."""

from django.utils.html import format_html

from messengers import row_cache

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


BADGE = "_messenger_badge"


def row_badge(dialog) -> list:
    """[kind, handle] of the row's channel, [] for the widget: from the contact a list or
    load() read, else from the cache (messengers/row_cache.py: no query once warm), read
    once per dialog instance and kept on it, as contact_of keeps the contact: a live row
    asks three times (its version, then its HTML in each language)."""
    visitor = dialog._state.fields_cache.get("visitor")
    loaded = CACHE in dialog.__dict__ or (
        visitor is not None
        and (CACHE in visitor.__dict__ or "messenger_contact" in visitor._state.fields_cache)
    )
    if loaded:
        contact = contact_of(dialog)
        return [contact.bot.kind, contact.handle] if contact else []
    if BADGE not in dialog.__dict__:
        dialog.__dict__[BADGE] = row_cache.badge_facts(dialog.visitor_id)
    return dialog.__dict__[BADGE]


def badge_html(dialog) -> str:
    badge = row_badge(dialog)
    if not badge:
        return ""
    from messengers.models import Kind

    kind, handle = badge
    label = Kind(kind).label
    return format_html(
        '<span class="channel-badge channel-{}" title="{}"><span class="channel-icon" '
        'aria-hidden="true">{}</span> {}</span>',
        kind,
        label,
        ICONS.get(kind, ""),
        f"@{handle}" if handle else label,
    )


def facts(dialog) -> list:
    return row_badge(dialog)


def channel_row_part():
    from chat.console.row_parts import RowPart

    return RowPart(
        name="channel", html=badge_html, facts=facts, prepare_rows=with_contact, load=load
    )
