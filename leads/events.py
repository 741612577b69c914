"""The leads app's live events, sent through chat.realtime.events (static/leads/leads.js
hears them)."""

from chat.realtime import events


def lead_received_on_commit(*, site_id: int, lead_id: int, source: str, html) -> None:
    """A new lead: the Leads page of every operator of the site shows its row at the top
    (a "lead" frame). html: the row per language (chat.messaging.payloads.per_language)."""
    event = events.fragment_event("lead", html, lead=lead_id, site=site_id, source=source)
    events.publish_on_commit((events.site_group(site_id), event))
