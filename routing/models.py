"""Routing of new dialogs (docs/routing.md): a site's mode, the operators' capacity and
each dialog's assignment or place in the queue."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from chat.models import Dialog, Site
from operators.models import Operator

DEFAULT_CAPACITY = 3
DEFAULT_ANSWER_TIMEOUT_SECONDS = 60
MAX_CAPACITY = 100


class RoutingSettings(models.Model):
    """How a site's new dialogs reach operators. A site without this row routes to
    everyone (chat's own behaviour)."""

    class Mode(models.TextChoices):
        EVERYONE = "everyone", _("Everyone sees every new dialog")
        AUTO_ASSIGN = "auto_assign", _("Auto-assign to one operator")

    site = models.OneToOneField(
        Site, on_delete=models.CASCADE, related_name="routing", verbose_name=_("site")
    )
    mode = models.CharField(
        _("routing mode"), max_length=20, choices=Mode.choices, default=Mode.EVERYONE
    )
    default_capacity = models.PositiveSmallIntegerField(
        _("open dialogs per operator"),
        default=DEFAULT_CAPACITY,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)],
        help_text=_(
            "How many open dialogs an operator is given at most, unless he has his own limit."
        ),
    )
    answer_timeout_seconds = models.PositiveIntegerField(
        _("seconds to answer"),
        default=DEFAULT_ANSWER_TIMEOUT_SECONDS,
        validators=[MinValueValidator(10), MaxValueValidator(3600)],
        help_text=_(
            "An operator who does not answer in this time loses the dialog to the next one."
        ),
    )

    class Meta:
        verbose_name = _("routing settings")
        verbose_name_plural = _("routing settings")

    def __str__(self):
        return str(self.site)

    @property
    def auto_assign(self) -> bool:
        return self.mode == self.Mode.AUTO_ASSIGN


class OperatorRouting(models.Model):
    """An operator's own limit (blank: each site's default) and when he was last given
    a dialog (the "longest idle" of the choice rule)."""

    operator = models.OneToOneField(
        Operator, on_delete=models.CASCADE, related_name="routing", verbose_name=_("operator")
    )
    capacity = models.PositiveSmallIntegerField(
        _("open dialogs at most"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_CAPACITY)],
        help_text=_("Blank: the site's default."),
    )
    last_assigned_at = models.DateTimeField(_("last given a dialog"), null=True, blank=True)

    class Meta:
        verbose_name = _("operator's capacity")
        verbose_name_plural = _("operators' capacity")

    def __str__(self):
        return str(self.operator)


class AssignmentQuerySet(models.QuerySet):
    def queued(self):
        """Dialogs waiting for a free operator, oldest first."""
        return self.filter(
            assignee__isnull=True, queued_at__isnull=False, dialog__status=Dialog.Status.NEW
        ).order_by("queued_at", "dialog_id")

    def unanswered(self):
        """Dialogs given to an operator who has not written in them yet."""
        return self.filter(
            assignee__isnull=False, answered_at__isnull=True, dialog__status=Dialog.Status.ACTIVE
        )


class Assignment(models.Model):
    """A dialog of an auto-assign site: given to assignee (assigned_at), or waiting in the
    queue since queued_at (assignee empty). passed_over: ids of the operators who let
    it wait past the answer timeout; they are not given it again."""

    dialog = models.OneToOneField(
        Dialog, on_delete=models.CASCADE, related_name="assignment", verbose_name=_("dialog")
    )
    assignee = models.ForeignKey(
        Operator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    announced_position = models.PositiveIntegerField(null=True, blank=True)
    passed_over = models.JSONField(default=list, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [
            models.Index(
                fields=["queued_at"],
                condition=models.Q(assignee__isnull=True, queued_at__isnull=False),
                name="routing_queue",
            ),
            models.Index(
                fields=["assigned_at"],
                condition=models.Q(assignee__isnull=False, answered_at__isnull=True),
                name="routing_unanswered",
            ),
        ]

    def __str__(self):
        return f"#{self.dialog_id}"
