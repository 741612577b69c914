from django.apps import AppConfig


class LeadsConfig(AppConfig):
    """Offline-form and "introduce yourself" submissions (built by the leads issue)."""

    name = "leads"
    verbose_name = "Leads"

    def ready(self):
        # chat never imports leads: it sends hooks, leads listens.
        from chat import hooks
        from chat.messaging import system_lines
        from leads import receivers, services

        hooks.visitor_erased.connect(receivers.visitor_erased)
        system_lines.register("introduced", services.introduction_text)
