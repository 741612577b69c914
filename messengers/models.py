"""Messenger channels of a site (Telegram bots, VK communities), the visitors who write
through them, what they sent us and what we send them (docs/channels.md).

A dialog's channel is its visitor's: a visitor with a Contact writes from a messenger,
any other from the widget. chat knows nothing of these rows."""

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chat.models import Message, Site, Visitor


def new_webhook_secret() -> str:
    # Telegram allows 1-256 characters of A-Z, a-z, 0-9, _ and -: token_urlsafe gives those.
    return secrets.token_urlsafe(32)


class Kind(models.TextChoices):
    TELEGRAM = "telegram", "Telegram"
    VK = "vk", _("VK")


class Bot(models.Model):
    """A messenger account linked to a site: a Telegram bot or a VK community."""

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="messenger_bots", verbose_name=_("site")
    )
    kind = models.CharField(_("channel"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    # The bot's id (Telegram) or the community's (VK).
    external_id = models.CharField(_("id in the messenger"), max_length=64)
    # Never shown after it is saved (masked_token).
    token = models.CharField(_("access token"), max_length=300)
    # Telegram: sent back by Telegram in X-Telegram-Bot-Api-Secret-Token; VK: the
    # Callback API's "secret key".
    webhook_secret = models.CharField(max_length=100, default=new_webhook_secret)
    # VK: the string the Callback API expects in answer to its "confirmation" event.
    confirmation = models.CharField(_("confirmation string"), max_length=100, blank=True)
    # A demo bot talks to the embedded FAKE Bot API (seed_demo_messengers): its api_base
    # is that fake's address; blank: the real API (TELEGRAM_API_BASE, VK_API_BASE).
    is_demo = models.BooleanField(_("demo"), default=False)
    api_base = models.URLField(_("API address"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("linked"), default=timezone.now)

    class Meta:
        verbose_name = _("messenger channel")
        verbose_name_plural = _("messenger channels")
        ordering = ["site_id", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "kind", "external_id"], name="messenger_bot_once_per_site"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.name}"

    @property
    def masked_token(self) -> str:
        return f"{self.token[:4]}…{self.token[-4:]}" if len(self.token) > 12 else "…"


class Contact(models.Model):
    """The messenger user behind a visitor: the dialog's channel, his handle and profile."""

    visitor = models.OneToOneField(
        Visitor,
        on_delete=models.CASCADE,
        related_name="messenger_contact",
        verbose_name=_("visitor"),
    )
    bot = models.ForeignKey(
        Bot, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("channel")
    )
    # Telegram: the private chat's id; VK: the user's peer id.
    user_id = models.CharField(_("user id"), max_length=64)
    handle = models.CharField(_("username"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("messenger contact")
        verbose_name_plural = _("messenger contacts")
        constraints = [
            models.UniqueConstraint(fields=["bot", "user_id"], name="messenger_contact_once")
        ]

    def __str__(self):
        return self.handle or self.user_id

    @property
    def kind(self) -> str:
        return self.bot.kind

    @property
    def profile_url(self) -> str:
        if self.bot.kind == Kind.TELEGRAM:
            return f"https://t.me/{self.handle}" if self.handle else ""
        return f"https://vk.com/id{self.user_id}"


class InboundUpdate(models.Model):
    """An update as the messenger sent it, stored before we answer it: nothing received is
    lost, and a redelivery (same update_id / event_id) is stored once."""

    bot = models.ForeignKey(Bot, on_delete=models.CASCADE, related_name="updates")
    event_id = models.CharField(max_length=100)
    payload = models.JSONField()
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bot", "event_id"], name="messenger_update_once")
        ]
        indexes = [models.Index(fields=["processed_at", "received_at"])]

    def __str__(self):
        return f"{self.bot_id}:{self.event_id}"


class Delivery(models.Model):
    """An operator's message on its way to the messenger: at least once, its state shown
    in the transcript."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Sending")
        RETRYING = "retrying", _("Retrying")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Not delivered")

    message = models.OneToOneField(
        Message, on_delete=models.CASCADE, related_name="messenger_delivery"
    )
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    reason = models.CharField(max_length=500, blank=True)
    # The messenger's id of the sent message.
    external_id = models.CharField(max_length=64, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self):
        return f"{self.message_id}: {self.status}"
