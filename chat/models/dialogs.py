"""Dialogs, the operators in them (participants) and invitations to join one."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chat.models.sites import Site
from chat.models.visitors import Visit, Visitor
from operators.models import Account, Operator


class Dialog(models.Model):
    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("dialog status", "New")
        ACTIVE = "active", pgettext_lazy("dialog status", "Active")
        MISSED = "missed", pgettext_lazy("dialog status", "Missed")
        CLOSED = "closed", pgettext_lazy("dialog status", "Closed")

    OPEN_STATUSES = (Status.NEW, Status.ACTIVE, Status.MISSED)

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="dialogs", verbose_name=_("account")
    )
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="dialogs", verbose_name=_("site")
    )
    visitor = models.ForeignKey(
        Visitor, on_delete=models.CASCADE, related_name="dialogs", verbose_name=_("visitor")
    )
    visit = models.ForeignKey(
        Visit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dialogs",
        verbose_name=_("visit"),
    )
    number = models.PositiveIntegerField(_("number"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    accepted_at = models.DateTimeField(_("first operator connected"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    missed_at = models.DateTimeField(_("missed"), null=True, blank=True)
    # Ended by chat.dialogs.autoclose rather than by an operator (reports count them).
    # db_default: rows written by raw SQL (bench seeding, tests) get it too.
    closed_automatically = models.BooleanField(
        _("closed automatically"), default=False, db_default=False
    )
    # Opened while its site was closed (chat/dialogs/availability.py, business hours): no
    # new-dialog alert, offer nor missed mark; operators online may still answer it.
    outside_hours = models.BooleanField(
        _("opened outside business hours"), default=False, db_default=False
    )
    # Denormalised from the last message so that list pages need no per-row query.
    last_message_at = models.DateTimeField(_("last message"), default=timezone.now)
    last_message_text = models.CharField(
        max_length=200, blank=True, verbose_name=_("last message text")
    )
    last_message_author = models.CharField(
        max_length=10, blank=True, verbose_name=_("last message author")
    )
    # Visitor messages since the last operator message: what waits for an answer.
    unread_count = models.PositiveIntegerField(default=0, verbose_name=_("unread count"))
    # When the oldest unanswered visitor message was sent; None once an operator answers.
    waiting_since = models.DateTimeField(null=True, blank=True, verbose_name=_("waiting since"))
    # The visitor's messages up to this message id were seen by an operator (0: none).
    read_up_to = models.PositiveBigIntegerField(default=0, verbose_name=_("read up to"))
    # When the waiting new dialog was offered to every online operator (Site.offer_after_seconds).
    offered_at = models.DateTimeField(_("offered to all operators"), null=True, blank=True)

    class Meta:
        verbose_name = _("dialog")
        verbose_name_plural = _("dialogs")
        ordering = ["-last_message_at"]
        constraints = [
            models.UniqueConstraint(fields=["account", "number"], name="dialog_number_per_account"),
            models.UniqueConstraint(
                fields=["visitor"],
                condition=Q(status__in=["new", "active", "missed"]),
                name="one_open_dialog_per_visitor",
            ),
        ]
        indexes = [
            models.Index(fields=["site", "status", "-last_message_at"]),
            models.Index(fields=["account", "-created_at"]),
            models.Index(fields=["site", "-created_at"]),
            # The Reports page's dialogs ended in a period (reports.tally.ENDED_SQL).
            models.Index(fields=["site", "closed_at"]),
            # The console's tab counts read every open dialog of my sites: with one site
            # holding 100,000 closed dialogs the planner scanned them all through the
            # site index (docs/performance.md, "Fourth round").
            models.Index(
                fields=["site"],
                condition=Q(status__in=["new", "active", "missed"]),
                name="open_dialogs_by_site",
            ),
        ]

    def __str__(self):
        return f"#{self.number}"

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES


class ParticipantQuerySet(models.QuerySet):
    def connected(self):
        """The stays that have not ended: the operators in the dialog now."""
        return self.filter(left_at__isnull=True)


class Participant(models.Model):
    """An operator's stay in a dialog; a rejoin is a new row, so the card shows all."""

    dialog = models.ForeignKey(
        Dialog, on_delete=models.CASCADE, related_name="participants", verbose_name=_("dialog")
    )
    operator = models.ForeignKey(
        Operator,
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("operator"),
    )
    joined_at = models.DateTimeField(default=timezone.now, verbose_name=_("joined at"))
    left_at = models.DateTimeField(null=True, blank=True, verbose_name=_("left at"))

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["joined_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dialog", "operator"],
                condition=Q(left_at__isnull=True),
                name="one_active_stay_per_operator",
            )
        ]

    def __str__(self):
        return f"{self.operator} in {self.dialog}"


class Invitation(models.Model):
    """One operator asks a colleague to join a dialog."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    dialog = models.ForeignKey(
        Dialog, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("dialog")
    )
    inviter = models.ForeignKey(
        Operator, on_delete=models.CASCADE, related_name="+", verbose_name=_("inviter")
    )
    invitee = models.ForeignKey(
        Operator, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("invitee")
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING, verbose_name=_("status")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    answered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("answered at"))

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dialog", "invitee"],
                condition=Q(status="pending"),
                name="one_pending_invitation",
            )
        ]

    def __str__(self):
        return f"{self.inviter} -> {self.invitee} ({self.dialog})"
