import uuid
from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chat.models import Dialog
from leads.models import Lead
from operators.models import Account, Operator


class Integration(models.Model):
    """Where an account's dialogs and leads are exported."""

    class Kind(models.TextChoices):
        WEBHOOK = "webhook", _("Signed webhook")
        BITRIX24 = "bitrix24", _("Bitrix24")
        AMOCRM = "amocrm", _("amoCRM")

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="integrations", verbose_name=_("account")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Connector settings: URL, secret, token ... (each connector documents its keys).
    settings = models.JSONField(_("settings"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # What delivery set up in the CRM itself (amoCRM: the id of the lead field holding the
    # export key). Written by crm.delivery only, apart from settings.
    remote_setup = models.JSONField(_("set up in the CRM"), default=dict, blank=True)
    export_new_leads = models.BooleanField(_("export new leads automatically"), default=True)
    export_ended_dialogs = models.BooleanField(
        _("export ended dialogs automatically"), default=False
    )
    # Operators' internal notes (teamwork) go to the CRM only when the account says so.
    export_internal_notes = models.BooleanField(
        _("include internal notes"),
        default=False,
        help_text=_(
            "Exported dialogs carry the operators' internal notes (never a transfer's "
            "private note). Visitors never see notes; the CRM's users would."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("CRM integration")
        verbose_name_plural = _("CRM integrations")
        ordering = ["account", "name"]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"


class ExportQuerySet(models.QuerySet):
    def waiting_for_rating(self):
        """Exports of ended dialogs waiting for the visitor's rating (docs/crm.md, "The
        rating"): never tried, due later. Export.waits_for_rating is the same rule."""
        return self.filter(
            status=Export.Status.QUEUED,
            lead__isnull=True,
            attempts=0,
            next_attempt_at__gt=timezone.now() + RATING_WAIT_TOLERANCE,
        )


# A due time this close is "now" (a worker's clock may run a little ahead).
RATING_WAIT_TOLERANCE = timedelta(seconds=1)


class Export(models.Model):
    """One export of a dialog or a lead to one integration, with all its attempts."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    integration = models.ForeignKey(
        Integration, on_delete=models.CASCADE, related_name="exports", verbose_name=_("integration")
    )
    dialog = models.ForeignKey(
        Dialog,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="crm_exports",
        verbose_name=_("dialog"),
    )
    lead = models.ForeignKey(
        Lead,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="crm_exports",
        verbose_name=_("lead"),
    )
    # Sent with every attempt so a receiver can drop duplicates of a retried export.
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveIntegerField(_("last response code"), null=True, blank=True)
    last_response = models.TextField(_("last response (excerpt)"), blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    remote_id = models.CharField(_("ID in the CRM"), max_length=100, blank=True)
    remote_contact_id = models.CharField(_("contact ID in the CRM"), max_length=100, blank=True)
    # Delivery bookkeeping (crm/delivery.py, docs/crm.md "Delivery guarantee"): one sender at
    # a time holds the lease; retries are due at next_attempt_at; the round of automatic
    # retries started at retrying_since (a manual Retry starts a new one).
    lease_until = models.DateTimeField(_("being sent until"), null=True, blank=True)
    lease_token = models.UUIDField(null=True, blank=True, editable=False)
    lease_holder = models.CharField(max_length=255, blank=True, editable=False)  # task id
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    retrying_since = models.DateTimeField(null=True, blank=True, editable=False)
    retries = models.PositiveIntegerField(_("retries in this round"), default=0)
    requeued_at = models.DateTimeField(null=True, blank=True, editable=False)
    requested_by = models.ForeignKey(
        Operator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, verbose_name=_("updated at"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))

    objects = ExportQuerySet.as_manager()

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(dialog__isnull=False) | models.Q(lead__isnull=False),
                name="export_has_a_subject",
            )
        ]
        indexes = [models.Index(fields=["status", "-updated_at"])]

    def __str__(self):
        subject = f"dialog {self.dialog_id}" if self.dialog_id else f"lead {self.lead_id}"
        return f"{subject} -> {self.integration} ({self.status})"

    @property
    def waits_for_rating(self) -> bool:
        return bool(
            self.status == self.Status.QUEUED
            and not self.lead_id
            and self.attempts == 0
            and self.next_attempt_at
            and self.next_attempt_at > timezone.now() + RATING_WAIT_TOLERANCE
        )
