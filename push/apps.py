from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PushConfig(AppConfig):
    """Web Push to operators' devices (docs/operations.md, "Alerts and Web Push")."""

    name = "push"
    verbose_name = _("Web Push")

    def ready(self):
        # chat never imports push: push listens to chat's hooks (chat/hooks.py).
        from chat import hooks
        from push import receivers

        hooks.dialog_opened.connect(receivers.dialog_opened)
        hooks.message_posted.connect(receivers.message_posted)
        hooks.dialogs_offered.connect(receivers.dialogs_offered)
