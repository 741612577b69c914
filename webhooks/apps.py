from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    """Event webhooks (docs/webhooks.md): hears chat's, leads' and satisfaction's hooks and
    posts signed events to the account's endpoints. Nothing depends on it."""

    name = "webhooks"
    verbose_name = _("Webhooks")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from webhooks import receivers

        receivers.connect()
