from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from operators.models import Operator


class PresenceChange(models.Model):
    """One change of an operator's effective presence (docs/reports.md, "Time online"):
    online is True from `at` until his next change. Written by reports.presence_log only
    when the state differs from his previous row, so consecutive rows alternate."""

    operator = models.ForeignKey(
        Operator,
        on_delete=models.CASCADE,
        related_name="presence_changes",
        verbose_name=_("operator"),
    )
    online = models.BooleanField(_("online"))
    status = models.CharField(_("status"), max_length=10, choices=Operator.Status.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("presence change")
        verbose_name_plural = _("presence changes")
        ordering = ["operator", "at", "id"]
        indexes = [models.Index(fields=["operator", "at"])]

    def __str__(self):
        return (
            f"{self.operator_id} {'online' if self.online else 'offline'} {self.at:%Y-%m-%d %H:%M}"
        )


class Report(models.Model):
    """No table: the admin's "Reports" entry (reports/admin.py shows the Reports page there)
    and its permission, "Can view report", which lets staff see any account's reports."""

    class Meta:
        managed = False
        default_permissions = ("view",)
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self):
        return str(self._meta.verbose_name)


class DialogFacts(models.Model):
    """What a closed dialog's messages tell the Reports page (reports.metrics.DialogWalk),
    computed once by reports.facts so the page reads this row instead of the messages.
    closed_at and last_message_at are the dialog's when computed: the page trusts the row
    only while they still equal the dialog's (docs/reports.md, "How the figures are kept
    fast")."""

    dialog = models.OneToOneField(
        "chat.Dialog",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="report_facts",
        verbose_name=_("dialog"),
    )
    closed_at = models.DateTimeField(_("dialog closed"))
    last_message_at = models.DateTimeField(_("dialog's last message"))
    first_response = models.FloatField(_("first response, seconds"), null=True)
    # Operator ids are kept as plain numbers: the figures of a dialog do not change when
    # an operator account is removed later.
    first_responder = models.PositiveBigIntegerField(_("first responder"), null=True)
    replies = models.JSONField(_("replies"), default=list)  # [[operator id, seconds], ...]
    sent = models.JSONField(_("messages sent"), default=list)  # [[operator id, count], ...]
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    class Meta:
        verbose_name = _("dialog facts")
        verbose_name_plural = _("dialog facts")

    def __str__(self):
        return f"facts of dialog {self.dialog_id}"


class SettledDay(models.Model):
    """The figures one site's day contributes to the Reports page, in one time zone, once
    the day is over (reports.days): the counts and the whole-second values of its settled
    dialogs and of the dialogs it ended, and the ids of the dialogs it started that were
    not settled yet (the page walks those). Built by the first page that shows the day;
    removed when a dialog of the day gets new facts (reports.facts.refresh), so the next
    page builds it again (docs/reports.md, "How the figures are kept fast")."""

    site = models.ForeignKey(
        "chat.Site", on_delete=models.CASCADE, related_name="+", verbose_name=_("site")
    )
    zone = models.CharField(_("time zone"), max_length=64)
    day = models.DateField(_("day"))
    start = models.DateTimeField(_("starts"))  # the day's midnight in the zone
    end = models.DateTimeField(_("ends"))  # the next midnight, excluded
    figures = models.JSONField(_("figures"), default=dict)
    unsettled = models.JSONField(_("unsettled dialogs"), default=list)
    built_at = models.DateTimeField(_("built"), default=timezone.now)

    class Meta:
        verbose_name = _("settled day")
        verbose_name_plural = _("settled days")
        constraints = [
            models.UniqueConstraint(fields=["site", "zone", "day"], name="reports_settled_day")
        ]
        indexes = [models.Index(fields=["site", "start"])]

    def __str__(self):
        return f"{self.site_id} {self.zone} {self.day}"
