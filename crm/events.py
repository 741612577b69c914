"""The CRM app's live events, sent through chat.realtime.events (static/crm/crm.js hears them)."""

from chat.realtime import events


def dialog_export_changed_on_commit(dialog_id: int, html) -> None:
    """An export of the dialog was queued, delivered or failed: open dialog pages swap in
    the export panel (an "export" frame). html: the panel per language
    (chat.messaging.payloads.per_language)."""
    event = events.fragment_event("export", html, dialog=dialog_id)
    events.publish_on_commit((events.dialog_group(dialog_id), event))
