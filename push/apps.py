from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PushConfig(AppConfig):
    """Web Push to operators' devices (docs/operations.md, "Alerts and Web Push")."""

    name = "push"
    verbose_name = _("Web Push")

    def ready(self):
        # chat never imports push: push listens to chat's hooks (chat/hooks.py).
        from chat import hooks
        from push import receivers, services

        # Without VAPID keys push hears nothing: no on-commit callback per message for it.
        hooks.dialog_opened.connect(receivers.dialog_opened, active=services.enabled)
        hooks.message_posted.connect(receivers.message_posted, active=services.enabled)
        hooks.dialogs_offered.connect(receivers.dialogs_offered, active=services.enabled)
