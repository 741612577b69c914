"""An account's webhook endpoints and the deliveries of events to them (docs/webhooks.md)."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chat.outbound.signing import new_secret
from operators.models import Account


class Endpoint(models.Model):
    account = models.ForeignKey(
        Account,
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("account"),
    )
    url = models.URLField(_("URL"), max_length=500)  # checked by webhooks.addresses
    description = models.CharField(_("description"), max_length=200, blank=True)
    # The event names (webhooks.events.NAMES) it receives.
    events = models.JSONField(_("events"), default=list)
    secret = models.CharField(_("signing secret"), max_length=200, default=new_secret)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["id"]

    def __str__(self):
        return self.description or self.url


class Delivery(models.Model):
    """One event for one endpoint: every attempt and every Retry carries the same event_id
    (the webhook-id and Idempotency-Key headers), so a receiver drops repeats by it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(
        Endpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("endpoint")
    )
    event = models.CharField(_("event"), max_length=40)
    event_id = models.UUIDField(_("event id"), default=uuid.uuid4, editable=False)
    payload = models.JSONField(_("payload"))
    # Whose data the payload holds, for the erasure of a visitor (chat.visitors.erasure).
    dialog_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    visitor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    retries = models.PositiveIntegerField(default=0)  # of the current round (reset by Retry)
    last_status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    last_error = models.CharField(_("error"), max_length=1000, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    retrying_since = models.DateTimeField(null=True, blank=True)
    # One sender at a time: an attempt holds the row until lease_until.
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    sent_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["endpoint", "-id"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]

    def __str__(self):
        return f"{self.event} → {self.endpoint_id}"
