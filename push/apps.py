from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PushConfig(AppConfig):
    """Web Push to operators' devices (docs/operations.md, "Alerts and Web Push")."""

    name = "push"
    verbose_name = _("Web Push")

    def ready(self):
        # chat never imports push: push listens to chat's hook and to Django's model signals.
        from django.db.models.signals import post_save

        from chat import hooks
        from chat.models import Dialog, Message
        from push import receivers

        hooks.dialogs_offered.connect(receivers.dialogs_offered)
        post_save.connect(receivers.dialog_saved, sender=Dialog, dispatch_uid="push-dialog")
        post_save.connect(receivers.message_saved, sender=Message, dispatch_uid="push-message")
