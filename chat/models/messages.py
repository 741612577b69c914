"""What is said in a dialog: messages and their attached files."""

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chat.messaging import system_lines
from chat.models.dialogs import Dialog
from operators.models import Operator


class MessageQuerySet(models.QuerySet):
    def for_visitor(self):
        """What the visitor's widget may show: all but the console-only system lines."""
        return self.exclude(author_kind=Message.Author.SYSTEM, operator__isnull=False)


class Message(models.Model):
    class Author(models.TextChoices):
        VISITOR = "visitor", _("Visitor")
        OPERATOR = "operator", _("Operator")
        SYSTEM = "system", _("System")

    dialog = models.ForeignKey(
        Dialog, on_delete=models.CASCADE, related_name="messages", verbose_name=_("dialog")
    )
    author_kind = models.CharField(_("author"), max_length=10, choices=Author.choices)
    operator = models.ForeignKey(
        Operator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("operator"),
    )
    text = models.TextField(_("text"), blank=True)
    # A system line's kind and parameters ({"kind": "joined", "name": "Anna"}): each reader
    # renders it in his own language (chat/messaging/system_lines.py); text keeps one.
    line = models.JSONField(_("system line"), null=True, blank=True)
    # Chosen by the sending client; a resend with the same id stores nothing new.
    client_id = models.CharField(max_length=64, blank=True, verbose_name=_("client id"))
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dialog", "client_id"],
                condition=~Q(client_id=""),
                name="message_client_id_once_per_dialog",
            )
        ]
        indexes = [models.Index(fields=["dialog", "id"])]

    def __str__(self):
        return self.text[:50]

    @property
    def shown_text(self) -> str:
        """The text in the active language: a system line is rendered from its kind and
        parameters, anything else is shown as it was written."""
        if self.line is None:
            return self.text
        return system_lines.text(self.line, self.text)

    @property
    def console_only(self) -> bool:
        """A system line that names the operator whose action it tells (he blocked the
        visitor) is for operators only: the widget never gets it (for_visitor)."""
        return self.author_kind == self.Author.SYSTEM and self.operator_id is not None


def attachment_path(attachment, filename):
    # The stored name is random: the visitor's file name is kept in `name` only.
    return f"attachments/{timezone.now():%Y/%m}/{secrets.token_hex(16)}"


class Attachment(models.Model):
    """A file sent with a message, stored through Django's storage API."""

    message = models.OneToOneField(
        Message, on_delete=models.CASCADE, related_name="attachment", verbose_name=_("message")
    )
    file = models.FileField(upload_to=attachment_path, verbose_name=_("file"))
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)
    width = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("width"))
    height = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("height"))
    thumbnail = models.FileField(upload_to=attachment_path, blank=True, verbose_name=_("thumbnail"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.name

    @property
    def is_image(self):
        return bool(self.thumbnail)
