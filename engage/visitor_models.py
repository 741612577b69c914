"""Rows of the Visitors tab's actions (imported by engage/models.py)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chat.models import Dialog, Visitor
from operators.models import Operator


class InvitationClosed(models.Model):
    """The visitor closed an invitation or an operator's bubble (the widget's
    invitation_closed frame): he is not written to for ENGAGE_INVITATION_SNOOZE_MINUTES."""

    visitor = models.ForeignKey(
        Visitor, on_delete=models.CASCADE, related_name="+", verbose_name=_("visitor")
    )
    rule_id = models.PositiveBigIntegerField(_("invitation rule"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("closed invitation")
        verbose_name_plural = _("closed invitations")
        indexes = [models.Index(fields=["visitor", "-closed_at"])]

    def __str__(self):
        return f"{self.visitor_id} @ {self.closed_at:%Y-%m-%d %H:%M}"


class Outreach(models.Model):
    """An operator wrote first to a visitor ("Write to visitor"): his pace is limited by
    ENGAGE_OUTREACH_LIMIT per ENGAGE_OUTREACH_WINDOW_MINUTES."""

    operator = models.ForeignKey(
        Operator, on_delete=models.CASCADE, related_name="+", verbose_name=_("operator")
    )
    visitor = models.ForeignKey(
        Visitor, on_delete=models.CASCADE, related_name="+", verbose_name=_("visitor")
    )
    dialog = models.ForeignKey(
        Dialog, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("dialog")
    )
    created_at = models.DateTimeField(_("written at"), default=timezone.now)

    class Meta:
        verbose_name = _("chat started by an operator")
        verbose_name_plural = _("chats started by operators")
        indexes = [models.Index(fields=["operator", "-created_at"])]

    def __str__(self):
        return f"{self.operator_id} -> {self.visitor_id} @ {self.created_at:%Y-%m-%d %H:%M}"
