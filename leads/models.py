from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chat.models import Dialog, Site, Visitor
from operators.models import Account


class Lead(models.Model):
    """A visitor's contact request: the offline form, or "introduce yourself" in a chat."""

    class Source(models.TextChoices):
        OFFLINE_FORM = "offline_form", _("Offline form")
        INTRODUCE = "introduce", _("Introduce yourself")

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="leads", verbose_name=_("account")
    )
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="leads", verbose_name=_("site")
    )
    visitor = models.ForeignKey(
        Visitor,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name=_("visitor"),
    )
    dialog = models.ForeignKey(
        Dialog,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name=_("dialog"),
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    message = models.TextField(_("message"), blank=True)
    page_url = models.URLField(_("page"), max_length=2000, blank=True)
    ip = models.GenericIPAddressField(_("IP"), null=True, blank=True)
    created_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["account", "-created_at"]),
            models.Index(fields=["site", "-created_at"]),
        ]

    def __str__(self):
        return self.name or self.email or self.phone or f"#{self.pk}"
