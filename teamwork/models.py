"""Operators working together on a dialog: internal notes and transfers.

Notes are not chat Messages: the widget's page, hello, resume and frames read Message rows
only, so a note cannot reach a visitor by any of them (docs/teamwork.md)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chat.models import Dialog
from operators.models import Operator


class NoteQuerySet(models.QuerySet):
    def visible_to(self, operator: Operator):
        """Notes for every operator of the dialog, and the private ones to or by him."""
        return self.filter(Q(recipient__isnull=True) | Q(recipient=operator) | Q(author=operator))

    def shared(self):
        """The notes every operator of the dialog reads (not a transfer's private note)."""
        return self.filter(recipient__isnull=True)


class Note(models.Model):
    """An internal note in a dialog: only operators read it. With a recipient it is a
    transfer's private note: only the recipient and its author read it."""

    dialog = models.ForeignKey(
        Dialog, on_delete=models.CASCADE, related_name="notes", verbose_name=_("dialog")
    )
    author = models.ForeignKey(
        Operator,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("text"))
    recipient = models.ForeignKey(
        Operator,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("only for"),
    )
    mentions = models.ManyToManyField(
        Operator, blank=True, related_name="+", verbose_name=_("mentioned operators")
    )
    # Chosen by the sending console; a resend with the same id stores nothing new.
    client_id = models.CharField(max_length=64, blank=True, verbose_name=_("client id"))
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    objects = NoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dialog", "client_id"],
                condition=~Q(client_id=""),
                name="note_client_id_once_per_dialog",
            )
        ]
        indexes = [models.Index(fields=["dialog", "id"])]

    def __str__(self):
        return self.text[:50]

    @property
    def is_private(self) -> bool:
        return self.recipient_id is not None


class Transfer(models.Model):
    """A dialog handed from one operator to another (teamwork.transfers)."""

    dialog = models.ForeignKey(
        Dialog, on_delete=models.CASCADE, related_name="transfers", verbose_name=_("dialog")
    )
    sender = models.ForeignKey(
        Operator, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("from")
    )
    receiver = models.ForeignKey(
        Operator, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("to")
    )
    note = models.OneToOneField(
        Note,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="transfer",
        verbose_name=_("note"),
    )
    created_at = models.DateTimeField(_("transferred"), default=timezone.now)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["id"]

    def __str__(self):
        return f"{self.dialog_id}: {self.sender_id} -> {self.receiver_id}"
