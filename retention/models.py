from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from operators.models import Account


def _days(verbose_name, help_text):
    return models.PositiveIntegerField(
        verbose_name,
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=help_text,
    )


class RetentionPolicy(models.Model):
    """How long an account keeps its data; an empty field keeps it forever."""

    account = models.OneToOneField(
        Account,
        on_delete=models.CASCADE,
        related_name="retention_policy",
        verbose_name=_("account"),
    )
    dialogs_days = _days(
        _("keep dialogs and messages, days"),
        _(
            "Closed and missed dialogs whose last message is older are erased with their "
            "messages and files. Empty: forever."
        ),
    )
    attachments_days = _days(
        _("keep attachments, days"),
        _("Files of older messages are erased; the messages stay. Empty: forever."),
    )
    leads_days = _days(
        _("keep leads, days"),
        _("Leads received earlier are erased. Empty: forever."),
    )
    # Who set the policy: the admin's history names him for every erasure it makes.
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)
    last_applied_at = models.DateTimeField(_("last applied"), null=True, blank=True)

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")
        ordering = ["account__name"]

    def __str__(self):
        return str(self.account)

    @property
    def keeps_everything(self) -> bool:
        return not (self.dialogs_days or self.attachments_days or self.leads_days)
