"""The events' bodies (docs/webhooks.md "Events"), built from what the hooks hand over.
Never internal notes or a transfer's note: only what the visitor and the operators wrote in
the dialog itself, and the card's name. Every event: {"id", "event", "created_at", ...}."""

import uuid

from django.utils import timezone

from leads import payloads as lead_payloads


def _iso(value):
    return value.isoformat() if value else None


def envelope(event: str, **parts) -> dict:
    return {"id": str(uuid.uuid4()), "event": event, "created_at": _iso(timezone.now()), **parts}


def dialog_data(dialog) -> dict:
    return {
        "id": dialog.id,
        "number": dialog.number,
        "site": {"id": dialog.site_id, "name": dialog.site.name},
        "status": dialog.status,
        "started_at": _iso(dialog.created_at),
        "closed_at": _iso(dialog.closed_at),
        "visitor": {"id": dialog.visitor_id, "name": dialog.visitor.display_name},
    }


def message_data(message) -> dict:
    operator = message.operator if message.operator_id else None
    return {
        "id": message.id,
        "author": message.author_kind,
        "operator": {"id": operator.id, "name": operator.name} if operator else None,
        "text": message.text,
        "sent_at": _iso(message.created_at),
    }


def lead_data(lead) -> dict:
    """leads' own shape (the CRM export's too), with the dialog and visitor it came from."""
    return {
        **lead_payloads.lead_data(lead),
        "dialog_id": lead.dialog_id,
        "visitor_id": lead.visitor_id,
    }


def rating_data(rating) -> dict:
    """score is 1-5 on both scales (a thumbs-up 5, a thumbs-down 1); changed: the visitor
    changed an earlier rating of the dialog (within the site's change window)."""
    return {
        "scale": rating.scale,
        "score": rating.score,
        "good": rating.good,
        "comment": rating.comment,
        "rated_at": _iso(rating.updated_at),
        "changed": bool(
            rating.created_at
            and rating.updated_at
            and (rating.updated_at - rating.created_at).total_seconds() > 1
        ),
    }


def dialog_event(event: str, dialog) -> dict:
    return envelope(event, dialog=dialog_data(dialog))


def message_event(event: str, message, dialog) -> dict:
    return envelope(event, dialog=dialog_data(dialog), message=message_data(message))


def lead_event(event: str, lead) -> dict:
    return envelope(event, lead=lead_data(lead))


def rating_event(event: str, rating) -> dict:
    return envelope(event, dialog=dialog_data(rating.dialog), rating=rating_data(rating))


def test_event(event: str, endpoint) -> dict:
    return envelope(
        event,
        test=True,
        endpoint={"id": endpoint.id, "url": endpoint.url, "events": list(endpoint.events)},
    )
