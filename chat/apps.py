from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = "Chat"

    def ready(self):
        from chat import hooks
        from chat.console import withdrawal

        hooks.operator_access_withdrawn.connect(withdrawal.close_operator_sockets)
        hooks.operator_sites_changed.connect(withdrawal.move_sockets_to_sites)
