from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    """Routing of new dialogs (docs/routing.md): everyone, or auto-assignment to one
    operator within his capacity, with a queue. Depends on chat; chat never imports it."""

    name = "routing"
    verbose_name = _("Routing")

    def ready(self):
        from chat import hooks
        from chat.dialogs import assignment, capacity
        from chat.realtime import extensions
        from engage import site_settings
        from routing import admin, queue, receivers, services, views  # noqa: F401 (admin)
        from routing import capacity as routing_capacity

        assignment.register_router(services.route_opened_dialog)
        capacity.register_capacity_check(routing_capacity.refusals)
        extensions.register_hello_part("queue", queue.hello_part)
        hooks.dialog_ended.connect(receivers.slot_freed)
        site_settings.register_section(
            site_settings.Section(
                key="routing",
                title=_("Routing"),
                order=20,
                route="routing/",
                view=views.site_routing,
            )
        )
