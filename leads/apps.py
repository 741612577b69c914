from django.apps import AppConfig


class LeadsConfig(AppConfig):
    """Offline-form and "introduce yourself" submissions (built by the leads issue)."""

    name = "leads"
    verbose_name = "Leads"
