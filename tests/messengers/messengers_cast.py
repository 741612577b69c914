"""Updates as Telegram and VK send them (their documented shapes)."""

BOT_TOKEN = "123456:TEST-token-abcdefghijklmnop"
VK_TOKEN = "vk1.a.test-community-token"
VK_GROUP = 777


def telegram_update(update_id: int, text: str = "Hello from Telegram", **message):
    body = {
        "message_id": update_id,
        "from": {"id": 4242, "is_bot": False, "first_name": "Ivan", "username": "ivan_tg"},
        "chat": {"id": 4242, "type": "private", "first_name": "Ivan", "username": "ivan_tg"},
        "date": 1765000000,
        **({"text": text} if text is not None else {}),
        **message,
    }
    return {"update_id": update_id, "message": body}


def vk_event(event_id: str, text: str = "Привет из VK", *, secret="vk-secret", group=VK_GROUP):
    return {
        "type": "message_new",
        "event_id": event_id,
        "v": "5.199",
        "group_id": group,
        "secret": secret,
        "object": {
            "message": {"id": 1, "date": 1765000000, "from_id": 5151, "peer_id": 5151,
                        "text": text, "attachments": []},
            "client_info": {"keyboard": True},
        },
    }  # fmt: skip
