from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from operators.models import Operator

# Every token starts with it: secret scanners and people recognise one (api/tokens.py).
PREFIX = "lcpat_"


class AccessTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True)


class AccessToken(models.Model):
    """A personal access token of an operator (api/tokens.py). Only a SHA-256 hash of the
    secret is kept: the token is shown once, when it is created."""

    operator = models.ForeignKey(
        Operator, on_delete=models.CASCADE, related_name="access_tokens", verbose_name=_("operator")
    )
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the secret after the prefix: lets a person tell tokens apart.
    hint = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    objects = AccessTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("access token")
        verbose_name_plural = _("access tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name

    @property
    def shown_start(self) -> str:
        """The start of the token, as the list shows it to tell tokens apart."""
        return f"{PREFIX}{self.hint}…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
