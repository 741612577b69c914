"""The people on a site: visitors (a browser), their visits, and the IPs an account blocks."""

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chat.models.sites import Site
from operators.models import Account, Operator


def new_visitor_token():
    return secrets.token_urlsafe(24)


class Visitor(models.Model):
    """A browser that opened the widget on one site, identified by a secret token."""

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="visitors", verbose_name=_("site")
    )
    token = models.CharField(
        max_length=64, unique=True, default=new_visitor_token, verbose_name=_("token")
    )
    # Key into chat.visitors.animals: the anonymous nickname and icon, stable per visitor.
    animal = models.CharField(_("animal nickname"), max_length=40)
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    visits_count = models.PositiveIntegerField(_("visits"), default=0)
    open_sockets = models.PositiveIntegerField(default=0, editable=False)
    first_seen_at = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)

    class Meta:
        verbose_name = _("visitor")
        verbose_name_plural = _("visitors")
        ordering = ["-last_seen_at"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        from chat.visitors.animals import nickname

        return self.name or nickname(self.animal)

    @property
    def is_online(self):
        return self.open_sockets > 0


class Visit(models.Model):
    """One visit: a run of activity without a 30-minute pause (CHAT_VISIT_TIMEOUT_MINUTES)."""

    visitor = models.ForeignKey(
        Visitor, on_delete=models.CASCADE, related_name="visits", verbose_name=_("visitor")
    )
    ip = models.GenericIPAddressField(_("IP"), null=True, blank=True)
    user_agent = models.TextField(_("user agent"), blank=True)
    landing_url = models.URLField(_("landing page"), max_length=2000, blank=True)
    referrer = models.URLField(_("referrer"), max_length=2000, blank=True)
    utm = models.JSONField(_("UTM parameters"), default=dict, blank=True)
    browser = models.CharField(_("browser"), max_length=100, blank=True)
    os = models.CharField(_("operating system"), max_length=100, blank=True)
    device = models.CharField(_("device"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    current_url = models.URLField(_("current page"), max_length=2000, blank=True)
    current_title = models.CharField(_("current page title"), max_length=300, blank=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    last_activity_at = models.DateTimeField(_("last activity"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["visitor", "-last_activity_at"])]

    def __str__(self):
        return f"{self.visitor} @ {self.started_at:%Y-%m-%d %H:%M}"


class BlockedIP(models.Model):
    """An entry of the account's blacklist: an address or network the widget refuses, or
    the e-mail address of a visitor who wrote only by e-mail, whose new e-mails open no
    dialog and reach none (chat/visitors/blocking.py)."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="blocked_ips", verbose_name=_("account")
    )
    network = models.CharField(
        _("IP address or network"),
        max_length=50,
        blank=True,
        help_text=_("An IPv4 or IPv6 address, or a CIDR range such as 203.0.113.0/24."),
    )
    # Blocked by his e-mail address (he wrote only by e-mail): stored lower-case.
    email = models.EmailField(_("e-mail address"), blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    blocked_by = models.ForeignKey(
        Operator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("blocked by"),
    )
    visitor = models.ForeignKey(
        Visitor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("visitor"),
    )
    created_at = models.DateTimeField(_("blocked at"), default=timezone.now)

    class Meta:
        verbose_name = _("blocked IP")
        verbose_name_plural = _("blocked IPs")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "network"],
                condition=~models.Q(network=""),
                name="blocked_network_once",
            ),
            models.UniqueConstraint(
                fields=["account", "email"],
                condition=~models.Q(email=""),
                name="blocked_email_once",
            ),
            models.CheckConstraint(
                condition=~models.Q(network="") | ~models.Q(email=""),
                name="blocked_network_or_email",
            ),
        ]

    def __str__(self):
        return self.network or self.email
