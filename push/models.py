from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from operators.models import Operator


class PushSubscription(models.Model):
    """One browser (device) of an operator that accepts Web Push: what PushManager.subscribe()
    gave the console (static/push/console-push.js)."""

    operator = models.ForeignKey(
        Operator,
        on_delete=models.CASCADE,
        related_name="push_subscriptions",
        verbose_name=_("operator"),
    )
    endpoint = models.URLField(_("endpoint"), max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("subscribed"), default=timezone.now)
    last_success_at = models.DateTimeField(_("last delivered"), null=True, blank=True)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)

    class Meta:
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.operator} · {self.user_agent[:40]}"

    def info(self) -> dict:
        """The subscription as pywebpush takes it."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}
