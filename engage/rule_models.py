"""Proactive invitations (triggers): a site's rules, which the widget evaluates in the
browser (static/engage/invitation-rules.js), and what became of each invitation shown."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chat.models import Dialog, Site, Visit, Visitor
from operators.models import Operator

TEXT_MAX_LENGTH = 1000
PATTERN_MAX_LENGTH = 500
SECONDS_MAX = 24 * 3600
DAYS_MAX = 365


def _seconds(label):
    return models.PositiveIntegerField(
        label, null=True, blank=True, validators=[MaxValueValidator(SECONDS_MAX)]
    )


class InvitationRule(models.Model):
    """A message the widget shows by itself when every one of its conditions holds.
    An empty condition is not checked."""

    class UrlMatch(models.TextChoices):
        ANY = "any", _("Any page")
        CONTAINS = "contains", _("Address contains")
        EQUALS = "equals", _("Address equals")
        GLOB = "glob", _("Address matches a pattern (* and ?)")

    class VisitKind(models.TextChoices):
        ANY = "any", _("Any visit")
        FIRST = "first", _("First visit")
        RETURNING = "returning", _("Returning visitor")

    class Device(models.TextChoices):
        ANY = "any", _("Any device")
        DESKTOP = "desktop", _("Desktop")
        PHONE = "phone", _("Phone")

    class Hours(models.TextChoices):
        ANY = "any", _("Any time")
        OPEN = "open", _("Inside business hours")
        CLOSED = "closed", _("Outside business hours")

    class Display(models.TextChoices):
        BUBBLE = "bubble", _("Bubble over the closed chat button")
        OPEN = "open", _("Open the chat")

    class Frequency(models.TextChoices):
        VISIT = "visit", _("Once per visit")
        VISITOR = "visitor", _("Once per visitor")
        DAYS = "days", _("Once every N days")

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="invitation_rules", verbose_name=_("site")
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("Seen by operators only, in lists and reports.")
    )
    paused = models.BooleanField(_("paused"), default=False)
    priority = models.SmallIntegerField(
        _("priority"),
        default=0,
        validators=[MinValueValidator(-1000), MaxValueValidator(1000)],
        help_text=_("When several rules match, the one with the highest priority is shown."),
    )
    # --- conditions (all must hold) ---
    url_match = models.CharField(
        _("page"), max_length=10, choices=UrlMatch.choices, default=UrlMatch.ANY
    )
    url_pattern = models.CharField(
        _("page address"),
        max_length=PATTERN_MAX_LENGTH,
        blank=True,
        help_text=_(
            "Compared without letter case. In a pattern, * stands for any text and ? for one "
            "character, e.g. */delivery/*"
        ),
    )
    seconds_on_page = _seconds(_("time on the page, seconds"))
    seconds_on_site = _seconds(_("time on the site, seconds"))
    pages_seen = models.PositiveSmallIntegerField(
        _("pages seen this visit, at least"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(1000)],
    )
    visit_kind = models.CharField(
        _("visit"), max_length=10, choices=VisitKind.choices, default=VisitKind.ANY
    )
    referrer_contains = models.CharField(_("referrer contains"), max_length=200, blank=True)
    utm_source = models.CharField(_("UTM source"), max_length=200, blank=True)
    utm_medium = models.CharField(_("UTM medium"), max_length=200, blank=True)
    utm_campaign = models.CharField(_("UTM campaign"), max_length=200, blank=True)
    device = models.CharField(
        _("device"), max_length=10, choices=Device.choices, default=Device.ANY
    )
    languages = models.CharField(
        _("browser languages"),
        max_length=100,
        blank=True,
        help_text=_("Language codes separated by commas, e.g. ru, en. Empty: any language."),
    )
    hours = models.CharField(
        _("business hours"), max_length=10, choices=Hours.choices, default=Hours.ANY
    )
    needs_operator_online = models.BooleanField(_("only when an operator is online"), default=False)
    # --- action ---
    delay_seconds = models.PositiveIntegerField(
        _("delay, seconds"),
        default=0,
        validators=[MaxValueValidator(SECONDS_MAX)],
        help_text=_("How long to wait once the conditions hold."),
    )
    operator = models.ForeignKey(
        Operator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
        help_text=_("Empty: written by the site."),
    )
    text = models.TextField(
        _("message"),
        max_length=TEXT_MAX_LENGTH,
        help_text=_("Placeholders: {visitor_name}, {operator_name}, {site_name}."),
    )
    display = models.CharField(
        _("show as"), max_length=10, choices=Display.choices, default=Display.BUBBLE
    )
    frequency = models.CharField(
        _("how often"), max_length=10, choices=Frequency.choices, default=Frequency.VISIT
    )
    frequency_days = models.PositiveSmallIntegerField(
        _("every N days"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(DAYS_MAX)],
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("proactive invitation")
        verbose_name_plural = _("proactive invitations")
        ordering = ["-priority", "id"]
        indexes = [models.Index(fields=["site", "paused"])]

    def __str__(self):
        return self.name


class InvitationEvent(models.Model):
    """An invitation shown to a visitor, closed by him, or answered (the dialog it opened)."""

    class Kind(models.TextChoices):
        SHOWN = "shown", _("Shown")
        CLOSED = "closed", _("Closed")
        ANSWERED = "answered", _("Answered")

    rule = models.ForeignKey(
        InvitationRule, on_delete=models.CASCADE, related_name="events", verbose_name=_("rule")
    )
    visitor = models.ForeignKey(
        Visitor, on_delete=models.CASCADE, related_name="+", verbose_name=_("visitor")
    )
    visit = models.ForeignKey(
        Visit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dialog = models.ForeignKey(
        Dialog, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("event"), max_length=10, choices=Kind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("invitation event")
        verbose_name_plural = _("invitation events")
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["visitor", "kind", "-at"]),
            models.Index(fields=["rule", "kind", "at"]),
        ]

    def __str__(self):
        return f"{self.rule} {self.kind}"
