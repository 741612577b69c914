"""E-mail as a channel (docs/channels.md): a site's e-mail settings, each e-mail we send
(an answer to a visitor who left, a transcript, a lead notice) with its delivery state, and
each e-mail received in the IMAP mailbox, stored before it is marked seen."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chat.models import Dialog, Message, Site
from leads.models import Lead
from operators.models import Account


def split_addresses(text: str) -> list[str]:
    """One address per line (commas and spaces also separate)."""
    return [part for part in text.replace(",", " ").split() if part]


def validate_addresses(text: str) -> None:
    for address in split_addresses(text):
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError(
                _("“%(address)s” is not an e-mail address."), params={"address": address[:100]}
            ) from None
    if len(split_addresses(text)) > 10:
        raise ValidationError(_("At most 10 addresses."))


class SiteMail(models.Model):
    """A site's e-mail settings (console: Site settings > E-mail, and the admin)."""

    site = models.OneToOneField(
        Site, on_delete=models.CASCADE, related_name="mail_settings", verbose_name=_("site")
    )
    send_transcripts = models.BooleanField(
        _("e-mail the transcript to the visitor when a dialog ends"),
        default=False,
        help_text=_("Only to visitors who left their e-mail address; in their language."),
    )
    lead_addresses = models.TextField(
        _("send new leads to"),
        blank=True,
        validators=[validate_addresses],
        help_text=_("E-mail addresses, one per line. Empty: no lead notices."),
    )
    # A new e-mail (not a reply) sent to this address opens a dialog on this site: the
    # site's public address, delivered into the reply mailbox (docs/channels.md).
    inbox_address = models.EmailField(
        _("new e-mails to this address open dialogs"),
        blank=True,
        help_text=_(
            "The site's public address (e.g. support@your-site.com), forwarded to the chat's "
            "mailbox. Empty: new e-mails open no dialogs."
        ),
    )

    class Meta:
        verbose_name = _("site e-mail settings")
        verbose_name_plural = _("site e-mail settings")
        constraints = [
            models.UniqueConstraint(
                fields=["inbox_address"],
                condition=~models.Q(inbox_address=""),
                name="mail_inbox_address_unique",
                violation_error_message=_("Another site already uses this address."),
            )
        ]

    def __str__(self):
        return str(self.site)

    def save(self, *args, **kwargs):
        self.inbox_address = (self.inbox_address or "").strip().lower()
        super().save(*args, **kwargs)

    @property
    def addresses(self) -> list[str]:
        return split_addresses(self.lead_addresses)


class VisitorLanguage(models.Model):
    """The language a visitor's e-mails are written in: his widget's when he gave his
    e-mail address (the lead form), else the site's widget language."""

    visitor_id = models.BigIntegerField(primary_key=True)
    language = models.CharField(max_length=10)

    def __str__(self):
        return f"{self.visitor_id}: {self.language}"


class MailDelivery(models.Model):
    """One e-mail on its way: at least once, its state shown in the dialog's transcript."""

    class Kind(models.TextChoices):
        ANSWER = "answer", _("Answer")
        TRANSCRIPT = "transcript", _("Transcript")
        LEAD = "lead", _("Lead notice")

    class Status(models.TextChoices):
        PENDING = "pending", _("Sending")
        RETRYING = "retrying", _("Retrying")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Not delivered")

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="+", verbose_name=_("account")
    )
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="+", verbose_name=_("site")
    )
    dialog = models.ForeignKey(
        Dialog, on_delete=models.CASCADE, null=True, blank=True, related_name="mail_deliveries"
    )
    message = models.OneToOneField(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="mail_delivery"
    )
    lead = models.ForeignKey(
        Lead, on_delete=models.CASCADE, null=True, blank=True, related_name="mail_deliveries"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    recipients = models.TextField(_("to"))
    language = models.CharField(max_length=10)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    # The Message-ID header: replies name it in In-Reply-To / References.
    mail_id = models.CharField(max_length=300, unique=True)
    # Written to the demo outbox (no SMTP server configured): shown as such, never "sent".
    demo = models.BooleanField(default=False)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    retrying_since = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("e-mail delivery")
        verbose_name_plural = _("e-mail deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["dialog", "kind"],
                condition=models.Q(kind="transcript"),
                name="mail_transcript_once_per_dialog",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipients}: {self.get_status_display()}"


class InboundMail(models.Model):
    """An e-mail from the IMAP mailbox, stored before it is marked seen; a redelivery
    (same Message-ID) is stored once."""

    class Outcome(models.TextChoices):
        PENDING = "", _("Not processed yet")
        ADDED = "added", _("Added to the dialog")
        OPENED = "opened", _("Opened a dialog")
        IGNORED = "ignored", _("Automatic or bulk e-mail, ignored")
        BOUNCE = "bounce", _("Bounce of a sent e-mail")
        REFUSED = "refused", _("Refused")

    message_id = models.CharField(max_length=300, unique=True)
    raw = models.BinaryField()
    sender = models.CharField(_("from"), max_length=300, blank=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    # Gone with its dialog (retention, erasure): the raw mail is the visitor's data.
    dialog = models.ForeignKey(
        Dialog, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default="", blank=True
    )
    error = models.CharField(_("reason"), max_length=500, blank=True)
    # It opened its dialog (a new e-mail to a site's inbox address): the answers are
    # "Re: <its subject>" in its thread.
    started_dialog = models.BooleanField(_("opened the dialog"), default=False)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("received e-mail")
        verbose_name_plural = _("received e-mails")
        indexes = [models.Index(fields=["processed_at", "received_at"])]

    def __str__(self):
        return f"{self.sender}: {self.subject}"
