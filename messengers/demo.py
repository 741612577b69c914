"""The demo Telegram channel of `make run` (seed_demo_messengers): a bot that talks to the
FAKE Bot API the product serves itself (demo_peer/), and a conversation with a demo user.
Nothing here reaches Telegram."""

from django.utils import timezone

from chat.dialogs import lifecycle
from chat.messaging import posting
from chat.models import Site
from messengers import inbound
from messengers.models import Bot, Delivery, Kind
from operators.models import Operator

DEMO_TOKEN = "100200300:DEMO-fake-bot-token-not-telegram"
DEMO_BOT = "livechat_demo_bot"
DEMO_USER = {"id": 700100, "is_bot": False, "first_name": "Olga", "last_name": "Demo",
             "username": "olga_demo", "language_code": "ru"}  # fmt: skip
SAID = [
    "Здравствуйте! Пишу из Telegram: можно забрать заказ 5521 сегодня после 19:00?",
    "И ещё вопрос: вы принимаете оплату картой при получении?",
]
# What the demo user answers each operator message, through the fake (demo_peer/views.py).
USER_ANSWER = "Спасибо! (an automatic answer of the demo Telegram user)"
ANSWER = "Добрый вечер, Ольга! Да, пункт выдачи работает до 21:00, оплата картой принимается."


def demo_bot(site: Site, api_base: str) -> tuple[Bot, bool]:
    """The site's demo bot, created if missing; (bot, created)."""
    return Bot.objects.get_or_create(
        site=site,
        kind=Kind.TELEGRAM,
        external_id=DEMO_TOKEN.split(":")[0],
        defaults={"name": DEMO_BOT, "token": DEMO_TOKEN, "is_demo": True, "api_base": api_base},
    )


def update_from_user(update_id: int, text: str) -> dict:
    chat = {k: DEMO_USER[k] for k in ("id", "first_name", "last_name", "username")}
    message = {"message_id": update_id, "from": DEMO_USER, "chat": {**chat, "type": "private"},
               "date": int(timezone.now().timestamp()), "text": text}  # fmt: skip
    return {"update_id": update_id, "message": message}


def write_conversation(bot: Bot, operator: Operator) -> int:
    """The demo user writes twice (as Telegram would deliver it), the operator answers
    once; the answer is shown as delivered. Returns the dialog's id."""
    for number, text in enumerate(SAID, start=1):
        update = inbound.store(bot, str(number), update_from_user(number, text))
        if update is not None:
            inbound.process(update.pk)
    dialog_id = bot.contacts.get().visitor.dialogs.values_list("pk", flat=True).first()
    lifecycle.connect_operator(operator=operator, dialog_id=dialog_id)
    message, _ = posting.post_operator_message(
        operator=operator, dialog_id=dialog_id, client_id="seed-telegram-1", text=ANSWER
    )
    # Sent before the fake Bot API runs (make run starts it after the seeds): as delivered.
    Delivery.objects.filter(message=message).update(status=Delivery.Status.SENT, reason="")
    return dialog_id
