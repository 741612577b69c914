"""The one internal payload every connector maps: the dialog with its transcript, the
visitor card and the lead. docs/crm.md shows it as the webhook body."""

from django.utils.translation import gettext as _

from chat.console import selectors
from chat.messaging import attachments
from chat.models import Dialog, Message, Visitor
from chat.visitors import card
from leads.payloads import lead_data
from satisfaction import selectors as ratings
from tags import selectors as tags
from teamwork import selectors as teamwork

EVENT_DIALOG = "dialog.exported"
EVENT_LEAD = "lead.exported"


def _iso(value):
    return value.isoformat() if value else None


def dialog_data(dialog: Dialog) -> dict:
    """The dialog loaded with site and visitor: the transcript and the card's stays."""
    visitor_name = dialog.visitor.display_name
    transcript = []
    for message in selectors.transcript(dialog.id):
        if message.author_kind == Message.Author.OPERATOR:
            name = message.operator.name if message.operator_id else ""
        elif message.author_kind == Message.Author.VISITOR:
            name = visitor_name
        else:
            name = ""
        item = {
            "author": message.author_kind,
            "name": name,
            "text": message.text,
            "sent_at": _iso(message.created_at),
        }
        attachment = attachments.attachment_of(message)
        if attachment is not None:
            item["attachment"] = {
                "name": attachment.name,
                "size": attachment.size,
                "content_type": attachment.content_type,
            }
        transcript.append(item)
    return {
        "id": dialog.id,
        "number": dialog.number,
        "site": {"id": dialog.site_id, "name": dialog.site.name},
        "status": dialog.status,
        "started_at": _iso(dialog.created_at),
        "closed_at": _iso(dialog.closed_at),
        "transcript": transcript,
        "rating": rating_data(dialog),
        "tags": tags.tag_names(dialog),  # the account's tags on the dialog, by name
    }


def rating_data(dialog: Dialog) -> dict | None:
    """The visitor's rating as it is when the export is sent (satisfaction.models: score
    1-5 on both scales, a thumbs-up 5 and a thumbs-down 1; good is score >= 4), or None."""
    rating = ratings.rating_of(dialog)
    if rating is None:
        return None
    return {
        "scale": rating.scale,
        "score": rating.score,
        "good": rating.good,
        "comment": rating.comment,
        "rated_at": _iso(rating.updated_at),
    }


def notes_data(dialog: Dialog) -> list[dict]:
    """The operators' internal notes (teamwork), for integrations that include them
    (Integration.export_internal_notes); a transfer's private note never goes."""
    return [
        {
            "author": note.author.name if note.author else "",
            "text": note.text,
            "written_at": _iso(note.created_at),
        }
        for note in teamwork.shared_notes(dialog.id)
    ]


def visitor_data(visitor: Visitor, visit) -> dict:
    utm = visit.utm if visit and isinstance(visit.utm, dict) else {}
    return {
        "id": visitor.id,
        "name": visitor.name,
        "nickname": visitor.display_name,
        "email": visitor.email,
        "phone": visitor.phone,
        "visits": visitor.visits_count,
        "first_seen_at": _iso(visitor.first_seen_at),
        "last_seen_at": _iso(visitor.last_seen_at),
        "ip": visit.ip if visit else None,
        "city": visit.city if visit else "",
        "country": visit.country if visit else "",
        "browser": visit.browser if visit else "",
        "os": visit.os if visit else "",
        "device": visit.device if visit else "",
        "landing_url": visit.landing_url if visit else "",
        "referrer": visit.referrer if visit else "",
        "current_url": visit.current_url if visit else "",
        "utm": {str(k): str(v) for k, v in utm.items()},
    }


def build(export) -> dict:
    """The payload of one export (loaded with its dialog/lead, see services)."""
    lead = export.lead
    dialog = export.dialog or (lead.dialog if lead else None)
    payload = {
        "event": EVENT_LEAD if lead else EVENT_DIALOG,
        "id": str(export.idempotency_key),
        "dialog": None,
        "visitor": None,
        "lead": lead_data(lead) if lead else None,
    }
    if dialog is not None:
        visitor_card = card.visitor_card(dialog)
        payload["dialog"] = dialog_data(dialog)
        payload["dialog"]["operators"] = list(
            dict.fromkeys(stay.operator.name for stay in visitor_card.stays)
        )
        payload["visitor"] = visitor_data(visitor_card.visitor, visitor_card.visit)
        if export.integration.export_internal_notes:
            payload["dialog"]["notes"] = notes_data(dialog)
    elif lead is not None and lead.visitor is not None:
        payload["visitor"] = visitor_data(lead.visitor, card.latest_visit(lead.visitor_id))
    return payload


# --- plain-text views of the payload, for CRMs that take a title and a comment ----------


def contact_of(payload: dict) -> dict:
    """name/email/phone: the lead's, else the visitor card's."""
    lead = payload.get("lead") or {}
    visitor = payload.get("visitor") or {}
    return {
        "name": lead.get("name") or visitor.get("name") or visitor.get("nickname") or "",
        "email": lead.get("email") or visitor.get("email") or "",
        "phone": lead.get("phone") or visitor.get("phone") or "",
    }


def title_of(payload: dict) -> str:
    contact = contact_of(payload)
    who = contact["name"] or contact["email"] or contact["phone"]
    dialog = payload.get("dialog")
    lead = payload.get("lead")
    site = (lead or dialog or {}).get("site", {}).get("name", "")
    if lead:
        return _("Lead from %(site)s: %(who)s") % {"site": site, "who": who}
    return _("Chat #%(number)s on %(site)s: %(who)s") % {
        "number": dialog["number"],
        "site": site,
        "who": who,
    }


def transcript_text(payload: dict) -> str:
    dialog = payload.get("dialog") or {}
    lines = []
    for item in dialog.get("transcript", []):
        who = item["name"] or item["author"]
        text = item["text"]
        if "attachment" in item:
            text = f"{text} [{item['attachment']['name']}]".strip()
        lines.append(f"[{item['sent_at'][:16].replace('T', ' ')}] {who}: {text}")
    notes = dialog.get("notes") or []
    if notes:
        lines.append("")
        lines.append(_("Internal notes:"))
        for note in notes:
            when = note["written_at"][:16].replace("T", " ")
            lines.append(f"[{when}] {note['author']}: {note['text']}")
    return "\n".join(lines)


def comment_of(payload: dict) -> str:
    lead = payload.get("lead") or {}
    parts = [lead.get("message", ""), lead.get("page_url", ""), transcript_text(payload)]
    return "\n\n".join(p for p in parts if p)
