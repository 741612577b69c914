"""Ratings of ended dialogs and each site's rating settings.

How a rating is stored, for every reader (console, CRM, reports): `score` is 1-5 whatever
the scale, so it can be averaged; a thumbs-up is 5 and a thumbs-down 1. `good` is
score >= 4 (4 or 5 stars, a thumbs-up): the share of good ratings counts it.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from chat.models import Dialog, Site

SCORE_MIN, SCORE_MAX = 1, 5
GOOD_FROM = 4  # a score of 4 or 5 is a good rating
THUMBS_UP, THUMBS_DOWN = SCORE_MAX, SCORE_MIN
COMMENT_MAX_LENGTH = 1000
DEFAULT_CHANGE_MINUTES = 10


class Scale(models.TextChoices):
    STARS = "stars", _("Five stars")
    THUMBS = "thumbs", _("Thumbs up or down")
    OFF = "off", _("Off: do not ask")


class RatingSettings(models.Model):
    """How a site's widget asks for a rating. A site without a row asks with five stars
    and lets a rating be changed for DEFAULT_CHANGE_MINUTES."""

    site = models.OneToOneField(
        Site, on_delete=models.CASCADE, related_name="rating_settings", verbose_name=_("site")
    )
    scale = models.CharField(_("rating scale"), max_length=10, choices=Scale, default=Scale.STARS)
    change_minutes = models.PositiveSmallIntegerField(
        _("minutes to change a rating"),
        default=DEFAULT_CHANGE_MINUTES,
        validators=[MinValueValidator(0), MaxValueValidator(24 * 60)],
        help_text=_("How long after rating the visitor may still change his rating."),
    )

    class Meta:
        verbose_name = _("rating settings")
        verbose_name_plural = _("rating settings")

    def __str__(self):
        return str(self.site)


class Rating(models.Model):
    """A visitor's rating of one ended dialog (at most one per dialog)."""

    dialog = models.OneToOneField(
        Dialog, on_delete=models.CASCADE, related_name="rating", verbose_name=_("dialog")
    )
    scale = models.CharField(
        _("rating scale"),
        max_length=10,
        choices=[(Scale.STARS, Scale.STARS.label), (Scale.THUMBS, Scale.THUMBS.label)],
    )
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]
    )
    good = models.BooleanField(_("good"))
    comment = models.TextField(_("comment"), max_length=COMMENT_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("rated"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    changeable_until = models.DateTimeField(_("changeable until"))

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=SCORE_MIN, score__lte=SCORE_MAX),
                name="rating_score_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(good=True, score__gte=GOOD_FROM)
                | models.Q(good=False, score__lt=GOOD_FROM),
                name="rating_good_is_4_or_5",
            ),
        ]

    def __str__(self):
        return f"{self.dialog_id}: {self.score}"

    @property
    def is_thumbs(self) -> bool:
        return self.scale == Scale.THUMBS

    @property
    def stars(self) -> list[bool]:
        """Five booleans: which stars are filled (for templates)."""
        return [n <= self.score for n in range(SCORE_MIN, SCORE_MAX + 1)]
