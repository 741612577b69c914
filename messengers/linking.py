"""Linking a messenger to a site (the token checked with the messenger, the webhook set)
and a widget visitor continuing in Telegram (`/start <signed payload>`)."""

import re

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from chat.errors import ChatError
from chat.models import Site
from messengers import contacts, row_cache, widget
from messengers.clients import telegram, vk
from messengers.clients.errors import PeerError
from messengers.models import Bot, Kind

START_SALT = "messengers.start"


class LinkRefused(ChatError):
    def __init__(self, detail: str):
        super().__init__("link_refused", detail)


def webhook_path(bot: Bot) -> str:
    name = "messengers:telegram_webhook" if bot.kind == Kind.TELEGRAM else "messengers:vk_callback"
    return reverse(name, args=[bot.pk])


def _create(**fields) -> Bot:
    try:
        with transaction.atomic():
            bot = Bot.objects.create(**fields)
    except IntegrityError:
        raise LinkRefused(_("This channel is already linked to the site.")) from None
    widget.forget(bot.site_id)
    return bot


def link_telegram(site: Site, token: str, *, public_base: str, api_base: str = "") -> Bot:
    """getMe proves the token; setWebhook points Telegram at us with the bot's secret.
    api_base: a demo bot's fake Bot API (seed_demo_messengers); "": the real one."""
    token = token.strip()
    if not token or len(token) > 300 or any(c.isspace() for c in token):
        raise LinkRefused(_("Paste the token BotFather gave you."))
    try:
        me = telegram.get_me(token, base=api_base)
    except PeerError as error:
        raise LinkRefused(_("Telegram refused the token: %(reason)s") % {"reason": error}) from None
    bot = _create(
        site=site, kind=Kind.TELEGRAM, name=me.get("username") or str(me.get("id")),
        external_id=str(me.get("id")), token=token, is_demo=bool(api_base), api_base=api_base,
    )  # fmt: skip
    try:
        telegram.set_webhook(
            token, url=public_base.rstrip("/") + webhook_path(bot), secret=bot.webhook_secret,
            base=api_base,
        )  # fmt: skip
    except PeerError as error:
        unlink(bot)
        raise LinkRefused(
            _("Telegram did not accept the webhook: %(reason)s") % {"reason": error}
        ) from None
    return bot


def link_vk(site: Site, *, group_id: str, token: str, confirmation: str, secret: str) -> Bot:
    """groups.getById proves the community's token; VK's settings then point at
    webhook_path(bot) with the same confirmation string and secret key."""
    group_id, token = group_id.strip().removeprefix("club"), token.strip()
    if not group_id.isdigit() or not token or not confirmation.strip() or not secret.strip():
        raise LinkRefused(
            _("Fill in the community id, its token, the confirmation string and the secret key.")
        )
    try:
        group = vk.get_group(token, group_id)
    except PeerError as error:
        raise LinkRefused(_("VK refused the token: %(reason)s") % {"reason": error}) from None
    fields = dict(site=site, kind=Kind.VK, name=group.get("name") or group_id)
    fields.update(external_id=str(group.get("id") or group_id), token=token)
    fields.update(confirmation=confirmation.strip()[:100], webhook_secret=secret.strip()[:100])
    return _create(**fields)


def _signature(bot: Bot, visitor_id: int) -> str:
    return salted_hmac(f"{START_SALT}.{bot.pk}", str(visitor_id)).hexdigest()[:32]


def start_link(bot: Bot, visitor_id: int) -> str:
    """https://t.me/<bot>?start=<payload>: the widget's "Continue in Telegram". Telegram's
    start parameter holds up to 64 characters of A-Z, a-z, 0-9, _ and -."""
    return f"https://t.me/{bot.name}?start=v{visitor_id}_{_signature(bot, visitor_id)}"


def _visitor_of(bot: Bot, payload: str) -> int | None:
    found = re.fullmatch(r"v(\d{1,18})_([0-9a-f]{32})", payload)
    if not found:
        return None
    visitor_id = int(found[1])
    return visitor_id if constant_time_compare(found[2], _signature(bot, visitor_id)) else None


def start_payload(bot: Bot, incoming) -> bool:
    """True when `/start <payload>` linked this Telegram user to the widget's visitor."""
    visitor_id = _visitor_of(bot, incoming.start_payload)
    if visitor_id is None:
        return False
    return contacts.link_visitor(
        bot, visitor_id=visitor_id, user_id=incoming.user_id, handle=incoming.handle
    )


def unlink(bot: Bot) -> None:
    """The channel, its contacts' links and stored updates go; the dialogs and their
    visitors stay (their history is the site's)."""
    row_cache.forget_on_commit(list(bot.contacts.values_list("visitor_id", flat=True)))
    bot.delete()
    widget.forget(bot.site_id)
