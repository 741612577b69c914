from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Account(models.Model):
    """The tenant: a company with its sites and operators."""

    name = models.CharField(_("name"), max_length=200)
    # Dialog numbers are sequential per account; this is the last one handed out.
    last_dialog_number = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Operator(models.Model):
    """The operator profile of a Django user. His sites are Site.operators (chat app)."""

    class Status(models.TextChoices):
        ONLINE = "online", _("Online")
        OFFLINE = "offline", _("Offline")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="operator",
        verbose_name=_("user"),
    )
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="operators", verbose_name=_("account")
    )
    display_name = models.CharField(
        _("display name"), max_length=100, blank=True, help_text=_("Shown to visitors.")
    )
    can_see_others = models.BooleanField(
        _("can see others' dialogs"),
        default=False,
        help_text=_("Sees the Others tab: active dialogs of his sites he is not in."),
    )
    can_join_others = models.BooleanField(
        _("can join others' dialogs"),
        default=False,
        help_text=_("May connect to a dialog a colleague is already in."),
    )
    can_see_reports = models.BooleanField(
        _("can see reports"),
        default=False,
        help_text=_("Sees the Reports page: figures of his account's sites and colleagues."),
    )
    can_manage_site_settings = models.BooleanField(
        _("can manage site settings"),
        default=False,
        help_text=_(
            "Edits his sites' settings in the console: business hours and proactive invitations."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ONLINE
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Language of the console. Empty: the browser's language."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        help_text=_("Times in the console are shown in it. Empty: the browser's time zone."),
    )
    # Presence: how many console sockets are open now, and when the last one closed.
    open_sockets = models.PositiveIntegerField(default=0, editable=False)
    last_seen_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("operator")
        verbose_name_plural = _("operators")
        ordering = ["account", "display_name"]

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.display_name or self.user.get_full_name() or self.user.get_username()
