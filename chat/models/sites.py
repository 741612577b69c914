"""A customer's site: where the widget runs, and how it behaves there."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from operators.models import Account, Operator

AUTO_CLOSE_MAX_MINUTES = 7 * 24 * 60  # a week


def new_widget_key():
    return secrets.token_urlsafe(12)


class Site(models.Model):
    """A website that embeds the widget with its public key."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="sites", verbose_name=_("account")
    )
    name = models.CharField(_("name"), max_length=200)
    domains = models.TextField(
        _("domains"),
        blank=True,
        help_text=_("One per line, e.g. example.com or *.example.com."),
    )
    widget_key = models.CharField(
        _("widget key"), max_length=32, unique=True, default=new_widget_key
    )
    widget_color = models.CharField(
        _("widget colour"),
        max_length=7,
        default="#2563eb",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("A colour like #2563eb."))],
    )
    # Empty title or greeting: the widget shows the default in its own language.
    widget_title = models.CharField(
        _("widget title"),
        max_length=100,
        blank=True,
        help_text=_("Empty: “Chat with us” in the widget’s language."),
    )
    greeting = models.CharField(
        _("greeting"),
        max_length=300,
        blank=True,
        help_text=_("Empty: “Hello! How can we help you?” in the widget’s language."),
    )
    language = models.CharField(
        _("widget language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Empty: the widget follows the visitor's browser."),
    )
    operators = models.ManyToManyField(
        Operator, related_name="sites", blank=True, verbose_name=_("operators")
    )
    # New-dialog alerts (docs/operations.md, "Alerts"): while no operator has opened a new
    # dialog, consoles repeat the alert; past offer_after_seconds it is offered to every
    # online operator of the site, Web Push included.
    alert_repeat_seconds = models.PositiveIntegerField(
        _("repeat the new-dialog alert every (seconds)"),
        default=30,
        help_text=_("While nobody has opened a new dialog. 0: alert once."),
    )
    offer_after_seconds = models.PositiveIntegerField(
        _("offer to every online operator after (seconds)"),
        default=120,
        help_text=_("A new dialog nobody has opened is offered to all online operators."),
    )
    typing_preview = models.BooleanField(
        _("show what the visitor is typing"),
        default=True,
        help_text=_("Connected operators see the visitor's text before he sends it."),
    )
    # Dialogs whose visitor left do not pile up in Mine (chat/dialogs/autoclose.py): past this many
    # minutes with no widget of his open and no message, the dialog ends by itself.
    auto_close_minutes = models.PositiveIntegerField(
        _("end a dialog the visitor left after (minutes)"),
        default=30,
        validators=[MaxValueValidator(AUTO_CLOSE_MAX_MINUTES)],
        help_text=_(
            "When the visitor has had no chat window open and nobody has written in the "
            "dialog for this long, it ends by itself and moves to the dialog history. "
            "Missed dialogs stay. 0: never."
        ),
    )
    # Kept up to date by chat.console.presence so visitors can be told when it changes.
    operators_online = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def title_shown(self):
        """The widget's title in the active language when the admin left it empty."""
        return self.widget_title or _("Chat with us")

    @property
    def greeting_shown(self):
        return self.greeting or _("Hello! How can we help you?")

    @property
    def domain_list(self):
        return [d.strip().lower() for d in self.domains.split() if d.strip()]
