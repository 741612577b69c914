from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from operators.models import Account


class CannedReply(models.Model):
    """A prepared answer an operator inserts with "/shortcut" in the composer.

    The text may hold placeholders ({visitor_name}, {operator_name}, {site_name},
    {dialog_number}) that the console fills from the open dialog (replies/placeholders.py).
    """

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="canned_replies", verbose_name=_("account")
    )
    # Declared by name: replies comes after chat (operators <- chat <- replies).
    site = models.ForeignKey(
        "chat.Site",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="canned_replies",
        verbose_name=_("site"),
        help_text=_("Empty: offered in the dialogs of every site of the account."),
    )
    shortcut = models.SlugField(
        _("shortcut"),
        max_length=40,
        allow_unicode=True,
        help_text=_('Typed after "/" in the composer: letters, digits, "-" and "_".'),
    )
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(
        _("text"),
        help_text=_("Placeholders: {visitor_name}, {operator_name}, {site_name}, {dialog_number}."),
    )
    position = models.PositiveIntegerField(
        _("position"), default=0, help_text=_("Smaller numbers come first in the list.")
    )
    usage_count = models.PositiveIntegerField(_("times used"), default=0, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["position", "shortcut"]
        constraints = [
            models.UniqueConstraint(
                "account",
                Lower("shortcut"),
                name="replies_shortcut_unique_per_account",
                violation_error_message=_("Another reply already has this shortcut."),
            )
        ]

    def __str__(self):
        return f"/{self.shortcut}"

    def clean(self):
        if self.site_id and self.account_id and self.site.account_id != self.account_id:
            raise ValidationError({"site": _("This site belongs to another account.")})
