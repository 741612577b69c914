from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The Reports page: how the team works over a period (docs/reports.md)."""

    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        # chat never imports reports: it sends hooks, reports listens.
        from chat import hooks
        from reports import receivers

        hooks.presence_changed.connect(receivers.presence_changed)
        hooks.dialog_ended.connect(receivers.dialog_ended)
