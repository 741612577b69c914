from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """The operator API (docs/api.md): REST under /api/v1/ on the console's services, and
    personal access tokens for it and for the console socket (docs/operator-protocol.md)."""

    name = "api"
    verbose_name = _("Operator API")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from api import hooks, schema, sockets  # noqa: F401  (schema: drf-spectacular's extension)
        from chat.realtime import extensions

        extensions.register_console_scope_groups(sockets.token_groups)
        hooks.token_revoked.connect(sockets.close_token_sockets)
