from django.apps import AppConfig


class CrmConfig(AppConfig):
    """CRM integrations and the export log."""

    name = "crm"
    verbose_name = "CRM"

    def ready(self):
        # chat and leads never import crm: they send hooks, crm listens.
        from chat import hooks
        from crm import receivers

        hooks.dialog_ended.connect(receivers.dialog_ended)
        hooks.lead_created.connect(receivers.lead_created)
