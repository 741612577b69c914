from django.db import models
from django.utils.translation import gettext_lazy as _

from operators.models import Account


class AccountSecurity(models.Model):
    """An account's sign-in policy (chat's Account stays as it is: this app owns the row)."""

    account = models.OneToOneField(
        Account, on_delete=models.CASCADE, related_name="security", verbose_name=_("account")
    )
    require_two_factor = models.BooleanField(
        _("require two-factor sign-in"),
        default=False,
        help_text=_(
            "Operators of this account who have not turned on two-factor sign-in are sent "
            "to its set-up page after signing in and cannot use the console until they do."
        ),
    )

    class Meta:
        verbose_name = _("account security")
        verbose_name_plural = _("account security")

    def __str__(self):
        return str(self.account)
