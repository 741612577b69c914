from django.apps import AppConfig


class CrmConfig(AppConfig):
    """CRM integrations and the export log."""

    name = "crm"
    verbose_name = "CRM"

    def ready(self):
        # chat and leads never import crm: they send hooks, crm listens.
        from chat import hooks
        from crm import receivers
        from satisfaction import hooks as satisfaction_hooks

        hooks.dialog_ended.connect(receivers.dialog_ended)
        hooks.lead_created.connect(receivers.lead_created)
        satisfaction_hooks.dialog_rated.connect(receivers.dialog_rated)
