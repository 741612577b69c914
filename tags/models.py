from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from operators.models import Account, Operator
from tags import palette

NAME_MAX_LENGTH = 40


class Tag(models.Model):
    """A label of one account (VIP, Delivery ...) that operators put on dialogs."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="tags", verbose_name=_("account")
    )
    name = models.CharField(_("name"), max_length=NAME_MAX_LENGTH)
    colour = models.CharField(
        _("colour"), max_length=16, choices=palette.COLOURS, default=palette.DEFAULT
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                "account",
                Lower("name"),
                name="tags_name_unique_per_account",
                violation_error_message=_("Another tag already has this name."),
            )
        ]

    def __str__(self):
        return self.name


class DialogTag(models.Model):
    """A tag on a dialog: who put it there and when."""

    # Declared by name: tags comes after chat (operators <- chat <- tags).
    dialog = models.ForeignKey(
        "chat.Dialog",
        on_delete=models.CASCADE,
        related_name="dialog_tags",
        verbose_name=_("dialog"),
    )
    tag = models.ForeignKey(
        Tag, on_delete=models.CASCADE, related_name="dialog_tags", verbose_name=_("tag")
    )
    added_by = models.ForeignKey(
        Operator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    added_at = models.DateTimeField(_("added"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("dialog tag")
        verbose_name_plural = _("dialog tags")
        constraints = [
            models.UniqueConstraint("dialog", "tag", name="tags_once_per_dialog"),
        ]

    def __str__(self):
        return f"{self.tag} · {self.dialog_id}"
