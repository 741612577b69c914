"""Business hours of a site (docs/engagement.md, "Business hours"): a weekly schedule in
the site's time zone, several ranges a day, and special days (holidays closed, or with
their own hours). A site without hours, or with them switched off, is always open.

A range's closing time 00:00 means midnight at the end of the day (24:00): ranges never
cross midnight, and Monday 20:00-24:00 followed by Tuesday 00:00-02:00 is one opening.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from chat.console import timezones
from chat.models import Site
from engage.rule_models import InvitationEvent, InvitationRule  # noqa: F401
from engage.visitor_models import Outreach  # noqa: F401

MIDNIGHT = 0

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


def default_time_zone() -> str:
    return settings.TIME_ZONE


def validate_time_zone(value):
    if not timezones.is_valid(value):
        raise ValidationError(_("Unknown time zone: %(zone)s."), params={"zone": value})


def check_range(opens, closes):
    """A range's own rule: it ends after it starts, 00:00 as the end meaning 24:00."""
    if opens is None or closes is None:
        return
    if closes != closes.replace(hour=0, minute=0, second=0) and closes <= opens:
        raise ValidationError(_("The closing time must be later than the opening time."))


class SiteHours(models.Model):
    site = models.OneToOneField(
        Site,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="business_hours",
        verbose_name=_("site"),
    )
    enabled = models.BooleanField(
        _("use business hours"),
        default=False,
        help_text=_("Off: the chat is open around the clock."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text=_("The hours below are in this zone."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("business hours")
        verbose_name_plural = _("business hours")

    def __str__(self):
        return str(self.site)


class WeeklyRange(models.Model):
    hours = models.ForeignKey(
        SiteHours, on_delete=models.CASCADE, related_name="weekly", verbose_name=_("site")
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=WEEKDAYS)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"), help_text=_("00:00 means midnight (24:00)."))

    class Meta:
        verbose_name = _("weekly hours")
        verbose_name_plural = _("weekly hours")
        ordering = ["weekday", "opens"]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"

    def clean(self):
        check_range(self.opens, self.closes)


class SpecialDay(models.Model):
    """A holiday or a day with other hours: no times, closed all day; several rows of one
    date, several ranges that day."""

    hours = models.ForeignKey(
        SiteHours, on_delete=models.CASCADE, related_name="special_days", verbose_name=_("site")
    )
    date = models.DateField(_("date"))
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(
        _("closes"), null=True, blank=True, help_text=_("00:00 means midnight (24:00).")
    )
    note = models.CharField(pgettext_lazy("special day", "note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("holiday or special day")
        verbose_name_plural = _("holidays and special days")
        ordering = ["date", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens__isnull=True, closes__isnull=True)
                | models.Q(opens__isnull=False, closes__isnull=False),
                name="special_day_both_times_or_none",
            )
        ]

    def __str__(self):
        return f"{self.date}"

    @property
    def closed(self) -> bool:
        return self.opens is None

    def clean(self):
        if (self.opens is None) != (self.closes is None):
            raise ValidationError(
                _("Give both the opening and the closing time, or neither for a day closed.")
            )
        check_range(self.opens, self.closes)
