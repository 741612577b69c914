"""Rows of the Visitors tab's actions (imported by engage/models.py)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chat.models import Dialog, Visitor
from operators.models import Operator


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
