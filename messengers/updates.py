"""What a messenger's update says, in one shape for both messengers (pure functions)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Incoming:
    user_id: str
    handle: str = ""
    name: str = ""
    text: str = ""
    file_id: str = ""  # Telegram: a photo's or document's file_id
    file_name: str = ""
    start_payload: str = ""  # Telegram: "/start <payload>"
    unsupported: bool = False  # something we do not carry (a sticker, a VK attachment)


def _name(person: dict) -> str:
    return " ".join(p for p in (person.get("first_name"), person.get("last_name")) if p)


def telegram(update: dict) -> Incoming | None:
    """A private chat's message, or None (an edit, a group, a channel post ...)."""
    message = update.get("message")
    if not isinstance(message, dict) or (message.get("chat") or {}).get("type") != "private":
        return None
    person = message.get("from") or {}
    text = message.get("text") or message.get("caption") or ""
    if not isinstance(text, str):
        text = ""
    file_id = file_name = ""
    if photos := message.get("photo"):
        file_id, file_name = photos[-1].get("file_id", ""), "photo.jpg"  # the largest size
    elif document := message.get("document"):
        file_id, file_name = document.get("file_id", ""), document.get("file_name") or "file"
    start_payload = ""
    if text.startswith("/start"):
        start_payload = text[len("/start") :].strip()
        text = ""
    return Incoming(
        user_id=str(message["chat"]["id"]),
        handle=person.get("username") or "",
        name=_name(person),
        text=text,
        file_id=file_id,
        file_name=file_name,
        start_payload=start_payload,
        unsupported=not (text or file_id or message.get("text")),
    )


def vk(event: dict) -> Incoming | None:
    """A community's new message (Callback API `message_new`), or None."""
    if event.get("type") != "message_new":
        return None
    message = (event.get("object") or {}).get("message") or {}
    if not message.get("from_id"):
        return None
    text = message.get("text") if isinstance(message.get("text"), str) else ""
    return Incoming(
        user_id=str(message.get("peer_id") or message["from_id"]),
        text=text,
        unsupported=bool(message.get("attachments")) or not text,
    )
