from django.apps import AppConfig


class CrmConfig(AppConfig):
    """CRM integrations and the export log (built by the CRM issue)."""

    name = "crm"
    verbose_name = "CRM"
